package org.plantclef.job;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.plantclef.image.Interpolation;
import org.plantclef.io.Csv;
import org.plantclef.io.DeadLetters;
import org.plantclef.io.ImageFileFilter;
import org.plantclef.io.ImageParquet;
import org.plantclef.io.ImageParquetSink;
import org.plantclef.io.ImageSources;
import org.plantclef.io.ParquetInputs;
import org.plantclef.job.IngestOptions.Layout;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.MetadataRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded ingest job: raw images (PlantCLEF species directories, a flat directory of plot
 * photos, or someone's image Parquet) plus an optional metadata CSV, to image Parquet with the
 * DS@GT columns. Each image is decoded, centre-cropped and resized (or kept as it is), joined with
 * its metadata row, and written; every file or row that cannot be used goes to the dead-letter
 * output with the reason.
 *
 * <pre>
 * files | parquet ─► square crop ─┬─► [keyBy image_name ⋈ metadata csv] ─► count ─► Parquet
 *                                 └─► dead letters (read, decode, metadata) ─► count ─► JSON Lines
 * </pre>
 */
public final class IngestJob {

    private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

    /** Accumulator and metric: images written to Parquet. */
    public static final String IMAGES_WRITTEN = "images-written";

    /** Accumulator and metric: records sent to the dead letters. */
    public static final String DEAD_LETTERS = "dead-letters";

    /** Largest --square-size: 4096 px, far above any ViT input. */
    static final int MAX_SQUARE_SIZE = 4096;

    /** Largest --max-pixels: 500 MP, so that 3 bytes per pixel still fit one Java array. */
    static final long MAX_PIXELS_LIMIT = 500_000_000L;

    private final Settings settings;
    private final Sources sources;
    private final Sinks sinks;
    private final boolean fileOutputs;

    /** The job reading and writing the files {@code settings} name. */
    public IngestJob(Settings settings) {
        this(settings, fileSources(settings), fileSinks(settings), true);
    }

    /** The job between other sources and sinks (tests); {@code settings} gives the processing. */
    public IngestJob(Settings settings, Sources sources, Sinks sinks) {
        this(settings, sources, sinks, false);
    }

    private IngestJob(Settings settings, Sources sources, Sinks sinks, boolean fileOutputs) {
        this.settings = settings;
        this.sources = sources;
        this.sinks = sinks;
        this.fileOutputs = fileOutputs;
    }

    /** The ingest options, checked and resolved against the file system. */
    public record Settings(
            String input,
            String output,
            Layout layout,
            @Nullable String metadata,
            String[] metadataHeader,
            int squareSize,
            Interpolation interpolation,
            float jpegQuality,
            long maxPixels,
            long maxFileBytes,
            String deadLetters,
            boolean overwrite,
            ParquetInputs parquetInputs,
            Schema outputSchema) {

        /**
         * Reads and checks the options: inputs exist, the layout is known, the metadata CSV has an
         * image_name column, an input Parquet has image_name and data, outputs are empty (or {@code
         * overwrite}).
         *
         * @throws IllegalConfigurationException naming the option at fault
         */
        public static Settings from(Configuration conf) {
            String input = Options.require(conf, IngestOptions.INPUT);
            String output = Options.require(conf, IngestOptions.OUTPUT);
            int squareSize = Options.get(conf, IngestOptions.SQUARE_SIZE);
            if (squareSize < 0 || squareSize > MAX_SQUARE_SIZE) {
                throw Options.invalid(
                        IngestOptions.SQUARE_SIZE, squareSize, "must be in 0.." + MAX_SQUARE_SIZE);
            }
            int quality = Options.get(conf, IngestOptions.JPEG_QUALITY);
            if (quality < 1 || quality > 100) {
                throw Options.invalid(IngestOptions.JPEG_QUALITY, quality, "must be in 1..100");
            }
            long maxPixels = Options.get(conf, IngestOptions.MAX_PIXELS);
            if (maxPixels < 1 || maxPixels > MAX_PIXELS_LIMIT) {
                // Above this an RGB copy no longer fits a Java array.
                throw Options.invalid(
                        IngestOptions.MAX_PIXELS, maxPixels, "must be in 1.." + MAX_PIXELS_LIMIT);
            }
            long maxFileBytes = Options.get(conf, IngestOptions.MAX_FILE_SIZE).getBytes();
            if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE - 8) {
                throw Options.invalid(
                        IngestOptions.MAX_FILE_SIZE, maxFileBytes + " bytes", "must be 1b..2gb");
            }
            boolean overwrite = Options.get(conf, IngestOptions.OVERWRITE);
            String deadLetters = Options.get(conf, IngestOptions.DEAD_LETTERS);
            if (deadLetters == null || deadLetters.isBlank()) {
                deadLetters = new Path(output, "_dead_letters").toString();
            }

            Path inputPath = new Path(input);
            FileStatus inputStatus = JobPaths.status(inputPath, IngestOptions.INPUT);
            Layout layout = Options.get(conf, IngestOptions.LAYOUT);
            if (layout == Layout.AUTO) {
                layout = detectLayout(inputPath, inputStatus);
            }

            String metadata = Options.get(conf, IngestOptions.METADATA);
            String[] header = new String[0];
            List<String> metadataColumns = new ArrayList<>();
            if (metadata != null && !metadata.isBlank()) {
                JobPaths.status(new Path(metadata), IngestOptions.METADATA);
                header = readHeader(new Path(metadata));
                if (!List.of(header).contains(ImageParquet.IMAGE_NAME)) {
                    throw Options.invalid(
                            IngestOptions.METADATA,
                            metadata,
                            "its header has no image_name column (header: "
                                    + String.join(";", header)
                                    + ")");
                }
                try {
                    metadataColumns.addAll(ImageParquet.metadataColumns(List.of(header)));
                } catch (IllegalArgumentException e) {
                    throw Options.invalid(IngestOptions.METADATA, metadata, e.getMessage());
                }
            } else {
                metadata = null;
            }

            ParquetInputs parquetInputs = ParquetInputs.none();
            boolean withPlotId = layout == Layout.FLAT;
            if (layout == Layout.PARQUET) {
                parquetInputs = JobPaths.parquetInputs(inputPath, IngestOptions.INPUT);
                for (Schema schema : parquetInputs.groups().keySet()) {
                    for (String column : ImageParquet.metadataColumns(schema)) {
                        if (!metadataColumns.contains(column)) {
                            metadataColumns.add(column);
                        }
                    }
                    withPlotId |= schema.getField(ImageParquet.PLOT_ID) != null;
                }
            }
            Schema outputSchema;
            try {
                outputSchema = ImageParquet.schema(metadataColumns, withPlotId);
            } catch (IllegalArgumentException e) {
                throw Options.invalid(IngestOptions.INPUT, input, e.getMessage());
            }

            JobPaths.checkOutputs(
                    inputPath,
                    output,
                    IngestOptions.OUTPUT,
                    deadLetters,
                    IngestOptions.DEAD_LETTERS,
                    overwrite);
            return new Settings(
                    input,
                    output,
                    layout,
                    metadata,
                    header,
                    squareSize,
                    Options.get(conf, IngestOptions.INTERPOLATION),
                    quality / 100f,
                    maxPixels,
                    maxFileBytes,
                    deadLetters,
                    overwrite,
                    parquetInputs,
                    outputSchema);
        }

        private static Layout detectLayout(Path input, FileStatus status) {
            if (!status.isDir()) {
                return input.getName().endsWith(".parquet") ? Layout.PARQUET : Layout.FLAT;
            }
            boolean directories = false;
            try {
                for (FileStatus child : input.getFileSystem().listStatus(input)) {
                    String name = child.getPath().getName();
                    if (name.startsWith(".") || name.startsWith("_")) {
                        continue;
                    }
                    if (!child.isDir() && name.endsWith(".parquet")) {
                        return Layout.PARQUET;
                    }
                    directories |= child.isDir();
                }
            } catch (IOException e) {
                throw Options.invalid(
                        IngestOptions.INPUT, input, "cannot be listed: " + e.getMessage());
            }
            return directories ? Layout.SPECIES : Layout.FLAT;
        }

        private static String[] readHeader(Path csv) {
            try (InputStream in = csv.getFileSystem().open(csv);
                    Csv.RecordReader reader = new Csv.RecordReader(in)) {
                String header = reader.next();
                if (header == null || header.isBlank()) {
                    throw Options.invalid(IngestOptions.METADATA, csv, "the file is empty");
                }
                String[] columns = Csv.split(header, Csv.SEMICOLON);
                for (int i = 0; i < columns.length; i++) {
                    columns[i] = columns[i].trim();
                }
                return columns;
            } catch (IOException e) {
                throw Options.invalid(
                        IngestOptions.METADATA, csv, "cannot be read: " + e.getMessage());
            }
        }
    }

    /** What a run did, for the launcher to print. */
    public record Summary(
            Layout layout,
            String output,
            String deadLetterDir,
            long imagesWritten,
            long deadLetters,
            long imagesWithoutMetadata,
            long metadataWithoutImage,
            Duration elapsed) {}

    /**
     * The ingest dataflow between given streams: square crop, then the metadata join if there is
     * metadata. Returns the images to write and the dead letters this part produced.
     */
    public DeadLetters.Split<ImageRecord> transform(
            DataStream<ImageRecord> images, @Nullable DataStream<MetadataRow> metadata) {
        SingleOutputStreamOperator<ImageRecord> cropped =
                images.process(
                                new SquareCropFunction(
                                        settings.squareSize(),
                                        settings.interpolation(),
                                        settings.jpegQuality(),
                                        settings.maxPixels()))
                        .name(
                                settings.squareSize() == 0
                                        ? "decode check"
                                        : "square crop " + settings.squareSize())
                        .uid("square-crop");
        DeadLetters.Split<ImageRecord> distinct =
                DistinctImages.of(cropped, ImageRecord::imageName, "image_name");
        DataStream<DeadLetter> deadLetters =
                cropped.getSideOutput(DeadLetters.TAG).union(distinct.deadLetters());
        if (metadata == null) {
            return new DeadLetters.Split<>(distinct.records(), deadLetters);
        }
        SingleOutputStreamOperator<ImageRecord> joined =
                distinct.records()
                        .connect(metadata)
                        .keyBy(ImageRecord::imageName, MetadataRow::imageName)
                        .process(new MetadataJoin())
                        .name("join metadata")
                        .uid("join-metadata");
        return new DeadLetters.Split<>(
                joined, deadLetters.union(joined.getSideOutput(DeadLetters.TAG)));
    }

    /** Where the job reads from: files in production ({@link #fileSources}), anything in tests. */
    public interface Sources {
        /** The images, and the dead letters of reading them. */
        DeadLetters.Split<ImageRecord> images(StreamExecutionEnvironment env);

        /** The metadata rows and their dead letters, or null when there is no metadata. */
        @Nullable
        DeadLetters.Split<MetadataRow> metadata(StreamExecutionEnvironment env);
    }

    /** Where the job writes to: files in production ({@link #fileSinks}), anything in tests. */
    public interface Sinks {
        void images(DataStream<ImageRecord> images);

        void deadLetters(DataStream<DeadLetter> deadLetters);
    }

    /** The sources {@code settings} describe: image files or Parquet, and the metadata CSV. */
    public static Sources fileSources(Settings settings) {
        return new Sources() {
            @Override
            public DeadLetters.Split<ImageRecord> images(StreamExecutionEnvironment env) {
                if (settings.layout() == Layout.PARQUET) {
                    return ImageSources.parquet(env, settings.parquetInputs());
                }
                Set<String> excluded = new HashSet<>();
                if (settings.metadata() != null) {
                    excluded.add(ImageFileFilter.qualified(new Path(settings.metadata())));
                }
                return ImageSources.files(
                        env,
                        settings.input(),
                        settings.layout() == Layout.SPECIES,
                        new ImageFileFilter(excluded),
                        settings.maxFileBytes());
            }

            @Nullable
            @Override
            public DeadLetters.Split<MetadataRow> metadata(StreamExecutionEnvironment env) {
                return settings.metadata() == null
                        ? null
                        : ImageSources.metadataCsv(
                                env, settings.metadata(), settings.metadataHeader(), Csv.SEMICOLON);
            }
        };
    }

    /** The sinks {@code settings} describe: image Parquet and dead-letter JSON Lines. */
    public static Sinks fileSinks(Settings settings) {
        return new Sinks() {
            @Override
            public void images(DataStream<ImageRecord> images) {
                ImageParquetSink.sink(images, settings.output(), settings.outputSchema());
            }

            @Override
            public void deadLetters(DataStream<DeadLetter> deadLetters) {
                DeadLetters.sink(deadLetters, settings.deadLetters());
            }
        };
    }

    /**
     * Builds the whole job on {@code env} from the sources to the sinks, runs it, and reports. With
     * file sinks and {@code overwrite}, the output directories are emptied first.
     */
    public Summary run(StreamExecutionEnvironment env) throws Exception {
        long start = System.nanoTime();
        if (fileOutputs) {
            JobPaths.deleteIfOverwrite(
                    settings.overwrite(), settings.output(), settings.deadLetters());
        }
        env.configure(BatchJobs.configuration());

        DeadLetters.Split<ImageRecord> source = sources.images(env);
        DeadLetters.Split<MetadataRow> rows = sources.metadata(env);
        DeadLetters.Split<ImageRecord> ingested =
                transform(source.records(), rows == null ? null : rows.records());
        DataStream<DeadLetter> deadLetters = source.deadLetters().union(ingested.deadLetters());
        if (rows != null) {
            deadLetters = deadLetters.union(rows.deadLetters());
        }
        sinks.images(
                ingested.records()
                        .map(new Counted<ImageRecord>(IMAGES_WRITTEN))
                        .name("count images")
                        .uid("count-images"));
        sinks.deadLetters(
                deadLetters
                        .map(new Counted<DeadLetter>(DEAD_LETTERS))
                        .name("count dead letters")
                        .uid("count-dead-letters"));

        JobExecutionResult result = env.execute("plantclef ingest " + settings.input());
        Summary summary =
                new Summary(
                        settings.layout(),
                        settings.output(),
                        settings.deadLetters(),
                        BatchJobs.count(result, IMAGES_WRITTEN),
                        BatchJobs.count(result, DEAD_LETTERS),
                        BatchJobs.count(result, MetadataJoin.IMAGES_WITHOUT_METADATA),
                        BatchJobs.count(result, MetadataJoin.METADATA_WITHOUT_IMAGE),
                        Duration.ofNanos(System.nanoTime() - start));
        LOG.info("Ingest finished: {}", summary);
        return summary;
    }
}
