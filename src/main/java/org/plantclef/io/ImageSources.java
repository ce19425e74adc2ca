package org.plantclef.io;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.record.CsvRow;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.MetadataRow;
import org.plantclef.record.RawFile;
import org.plantclef.record.ReadResult;

/**
 * The bounded sources of images and metadata, each returning its records and the dead letters it
 * produced while reading them.
 */
public final class ImageSources {

    private ImageSources() {}

    /**
     * Every file under {@code root} (recursively, hidden files and {@code filter}'s exclusions
     * skipped), read whole.
     *
     * @param speciesDirectories true for {@code <root>/<species_id>/<image>} (the species id is the
     *     parent directory's name), false for a flat directory of plot photos (the plot id is the
     *     file name without extension)
     */
    public static DeadLetters.Split<ImageRecord> files(
            StreamExecutionEnvironment env,
            String root,
            boolean speciesDirectories,
            ImageFileFilter filter,
            long maxFileBytes) {
        return files(env, root, speciesDirectories, filter, maxFileBytes, null);
    }

    /**
     * As {@link #files(StreamExecutionEnvironment, String, boolean, ImageFileFilter, long)}; with a
     * {@code monitorInterval}, an unbounded source that lists {@code root} again at that interval
     * and reads each new file once (the files already read are in its checkpointed state). Write
     * files under a hidden name ({@code .x.jpg.tmp}) and rename them when complete: hidden files
     * are never read.
     */
    public static DeadLetters.Split<ImageRecord> files(
            StreamExecutionEnvironment env,
            String root,
            boolean speciesDirectories,
            ImageFileFilter filter,
            long maxFileBytes,
            @Nullable Duration monitorInterval) {
        FileSource.FileSourceBuilder<RawFile> builder =
                FileSource.forBulkFileFormat(new WholeFileFormat(maxFileBytes), new Path(root))
                        .setFileEnumerator(() -> new NonSplittingRecursiveEnumerator(filter));
        if (monitorInterval != null) {
            builder.monitorContinuously(monitorInterval);
        }
        SingleOutputStreamOperator<ImageRecord> images =
                env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "image files")
                        .uid("image-files")
                        .process(
                                new FileToImage(
                                        ImageFileFilter.qualified(new Path(root)),
                                        speciesDirectories))
                        .name(speciesDirectories ? "species from directory" : "plot id from name")
                        .uid("file-to-image");
        return new DeadLetters.Split<>(images, images.getSideOutput(DeadLetters.TAG));
    }

    /**
     * The rows of image Parquet files, grouped by schema: files written by different tools (one
     * with INT32, another with INT64 species ids, or with other columns) are each read with their
     * own schema. The files refused at startup are dead letters of this source.
     */
    public static DeadLetters.Split<ImageRecord> parquet(
            StreamExecutionEnvironment env, ParquetInputs inputs) {
        DataStream<ReadResult> rows = null;
        int group = 0;
        for (Map.Entry<Schema, List<Path>> entry : inputs.groups().entrySet()) {
            FileSource<ReadResult> source =
                    FileSource.forBulkFileFormat(
                                    new ParquetImageFormat(entry.getKey()),
                                    entry.getValue().toArray(new Path[0]))
                            .build();
            String suffix = group == 0 ? "" : "-" + group;
            DataStream<ReadResult> read =
                    env.fromSource(
                                    source,
                                    WatermarkStrategy.noWatermarks(),
                                    "image parquet" + suffix)
                            .uid("image-parquet" + suffix);
            rows = rows == null ? read : rows.union(read);
            group++;
        }
        SingleOutputStreamOperator<ImageRecord> images =
                rows.process(new SplitResults()).name("parquet rows").uid("parquet-to-image");
        DataStream<DeadLetter> deadLetters = images.getSideOutput(DeadLetters.TAG);
        // Only when there are some: Flink 2.3's fromData fails on an empty collection ("Reached
        // the end of the collection").
        if (!inputs.refused().isEmpty()) {
            deadLetters =
                    deadLetters.union(
                            env.fromData(inputs.refused(), TypeInformation.of(DeadLetter.class))
                                    .name("refused parquet files")
                                    .uid("refused-parquet-files"));
        }
        return new DeadLetters.Split<>(images, deadLetters);
    }

    /** The rows of a metadata CSV whose header (read at startup) is {@code header}. */
    public static DeadLetters.Split<MetadataRow> metadataCsv(
            StreamExecutionEnvironment env, String csv, String[] header, char delimiter) {
        FileSource<CsvRow> source =
                FileSource.forRecordStreamFormat(new CsvFormat(csv, delimiter), new Path(csv))
                        .build();
        SingleOutputStreamOperator<MetadataRow> rows =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "metadata csv")
                        .uid("metadata-csv")
                        .process(new CsvToMetadata(header))
                        .name("parse metadata")
                        .uid("parse-metadata");
        return new DeadLetters.Split<>(rows, rows.getSideOutput(DeadLetters.TAG));
    }

    /** The file name without its extension: a plot photo's plot id. */
    public static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** Names an image after its file, and takes its species or plot id from where it lies. */
    static final class FileToImage extends ProcessFunction<RawFile, ImageRecord> {
        private static final long serialVersionUID = 1L;
        private final String root;
        private final boolean speciesDirectories;

        FileToImage(String qualifiedRoot, boolean speciesDirectories) {
            this.root = stripSlash(qualifiedRoot);
            this.speciesDirectories = speciesDirectories;
        }

        @Override
        public void processElement(RawFile file, Context ctx, Collector<ImageRecord> out) {
            if (file.error() != null) {
                ctx.output(DeadLetters.TAG, DeadLetter.of(file.path(), "read", file.error()));
                return;
            }
            Path path = new Path(file.path());
            String name = path.getName();
            if (!speciesDirectories) {
                out.collect(
                        new ImageRecord(
                                name,
                                file.path(),
                                null,
                                stripExtension(name),
                                file.data(),
                                Map.of()));
                return;
            }
            Path parent = path.getParent();
            if (parent == null || stripSlash(parent.toString()).equals(root)) {
                ctx.output(
                        DeadLetters.TAG,
                        DeadLetter.of(
                                file.path(),
                                "read",
                                "file is not inside a species directory (expected"
                                        + " <root>/<species_id>/<image>)"));
                return;
            }
            long species;
            try {
                species = Long.parseLong(parent.getName());
            } catch (NumberFormatException e) {
                ctx.output(
                        DeadLetters.TAG,
                        DeadLetter.of(
                                file.path(),
                                "read",
                                "directory '"
                                        + parent.getName()
                                        + "' is not a numeric species id (expected"
                                        + " <root>/<species_id>/<image>)"));
                return;
            }
            out.collect(new ImageRecord(name, file.path(), species, null, file.data(), Map.of()));
        }

        private static String stripSlash(String s) {
            return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /** Images to the main output, refusals to the dead letters. */
    static final class SplitResults extends ProcessFunction<ReadResult, ImageRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(ReadResult result, Context ctx, Collector<ImageRecord> out) {
            if (result.image() != null) {
                out.collect(result.image());
            } else {
                ctx.output(DeadLetters.TAG, result.deadLetter());
            }
        }
    }

    /** Interprets CSV fields by the header: image_name and species_id, the rest as metadata. */
    static final class CsvToMetadata extends ProcessFunction<CsvRow, MetadataRow> {
        private static final long serialVersionUID = 1L;
        private final String[] header;
        private final int nameIndex;
        private final int speciesIndex;

        CsvToMetadata(String[] header) {
            this.header = header.clone();
            this.nameIndex = List.of(header).indexOf(ImageParquet.IMAGE_NAME);
            this.speciesIndex = List.of(header).indexOf(ImageParquet.SPECIES_ID);
            if (nameIndex < 0) {
                throw new IllegalArgumentException("metadata header has no image_name column");
            }
        }

        @Override
        public void processElement(CsvRow row, Context ctx, Collector<MetadataRow> out) {
            String where = row.file() + ":" + row.line();
            String[] fields = row.fields();
            if (fields.length != header.length) {
                ctx.output(
                        DeadLetters.TAG,
                        DeadLetter.of(
                                where,
                                "metadata",
                                String.format(
                                        Locale.ROOT,
                                        "line has %d fields, the header has %d",
                                        fields.length,
                                        header.length)));
                return;
            }
            String name = fields[nameIndex].trim();
            if (name.isEmpty()) {
                ctx.output(DeadLetters.TAG, DeadLetter.of(where, "metadata", "empty image_name"));
                return;
            }
            Long species = null;
            if (speciesIndex >= 0 && !fields[speciesIndex].isBlank()) {
                try {
                    species = Long.parseLong(fields[speciesIndex].trim());
                } catch (NumberFormatException e) {
                    ctx.output(
                            DeadLetters.TAG,
                            DeadLetter.of(
                                    where,
                                    "metadata",
                                    "species_id '"
                                            + fields[speciesIndex]
                                            + "' is not a whole number"));
                    return;
                }
            }
            Map<String, String> columns = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                if (i != nameIndex && i != speciesIndex && !fields[i].isEmpty()) {
                    columns.put(header[i], fields[i]);
                }
            }
            out.collect(new MetadataRow(name, species, columns));
        }
    }
}
