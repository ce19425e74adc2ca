package org.plantclef.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/** Reads back what the sinks wrote, with readers independent of the code under test. */
public final class OutputFiles {

    private OutputFiles() {}

    /** The visible files under {@code dir} whose names end with {@code suffix}. */
    public static List<Path> files(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        }
    }

    /** Every row of every {@code *.parquet} file in {@code dir}. */
    public static List<GenericRecord> parquetRows(Path dir) throws IOException {
        List<GenericRecord> rows = new ArrayList<>();
        for (Path file : files(dir, ".parquet")) {
            rows.addAll(parquetFile(file));
        }
        return rows;
    }

    public static List<GenericRecord> parquetFile(Path file) throws IOException {
        List<GenericRecord> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader =
                AvroParquetReader.<GenericRecord>builder(
                                HadoopInputFile.fromPath(
                                        new org.apache.hadoop.fs.Path(file.toUri()),
                                        new Configuration()))
                        .build()) {
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Every line of every {@code *.jsonl} file in {@code dir}, parsed. */
    public static List<JsonNode> jsonLines(Path dir) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (Path file : files(dir, ".jsonl")) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(mapper.readTree(line));
                }
            }
        }
        return out;
    }
}
