package org.plantclef.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.RgbImage;

/** Writes small image files for job tests. */
public final class Fixtures {

    private Fixtures() {}

    /** A w×h JPEG of one colour. */
    public static byte[] jpeg(int w, int h, int rgb) {
        RgbImage image = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRgb(x, y, rgb);
            }
        }
        return ImageEncoder.jpeg(image, 0.95f);
    }

    public static Path write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, data);
    }

    public static Path writeText(Path file, String text) throws IOException {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code rows} to a new Parquet file through parquet-avro, as Spark-era tools do. */
    public static Path parquet(Path file, Schema schema, List<GenericRecord> rows)
            throws IOException {
        Files.createDirectories(file.getParent());
        try (ParquetWriter<GenericRecord> writer =
                AvroParquetWriter.<GenericRecord>builder(
                                HadoopOutputFile.fromPath(
                                        new org.apache.hadoop.fs.Path(file.toUri()),
                                        new org.apache.hadoop.conf.Configuration()))
                        .withSchema(schema)
                        .build()) {
            for (GenericRecord row : rows) {
                writer.write(row);
            }
        }
        return file;
    }

    /** The first half of a valid JPEG: a truncated download. */
    public static byte[] truncatedJpeg() {
        RgbImage noise = RgbImage.blank(64, 64);
        for (int i = 0; i < noise.rgb().length; i++) {
            noise.rgb()[i] = (byte) (i * 7919 % 251);
        }
        byte[] jpeg = ImageEncoder.jpeg(noise, 0.9f);
        return Arrays.copyOf(jpeg, jpeg.length / 2);
    }
}
