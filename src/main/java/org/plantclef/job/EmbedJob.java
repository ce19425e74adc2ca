package org.plantclef.job;

import java.time.Duration;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.plantclef.embed.BatchingEmbedOperator;
import org.plantclef.embed.Device;
import org.plantclef.embed.EmbedderFactory;
import org.plantclef.embed.EmbedderSpec;
import org.plantclef.embed.ImageAdapter;
import org.plantclef.embed.ModelProbe;
import org.plantclef.embed.TileAdapter;
import org.plantclef.embed.TileFunction;
import org.plantclef.io.DeadLetters;
import org.plantclef.io.EmbeddingParquet;
import org.plantclef.io.ImageSources;
import org.plantclef.io.ParquetInputs;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.EmbeddingRecord;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.TileRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded embed job: image Parquet to embedding Parquet, one DJL model per subtask.
 *
 * <pre>
 * image parquet ─► [tile N×N] ─► batching embed (DJL) ─► count ─► embedding Parquet
 *                        └────────────┴─► dead letters ─► count ─► JSON Lines
 * </pre>
 *
 * Decoding, tiling and embedding are chained: images and tiles never cross the network.
 */
public final class EmbedJob {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedJob.class);

    /** Accumulator and metric: embeddings written. */
    public static final String EMBEDDINGS_WRITTEN = "embeddings-written";

    /** Accumulator and metric: records sent to the dead letters. */
    public static final String DEAD_LETTERS = "dead-letters";

    private final Settings settings;

    public EmbedJob(Settings settings) {
        this.settings = settings;
    }

    /** The embed options, checked. */
    public record Settings(
            String input,
            String output,
            String deadLetters,
            boolean overwrite,
            EmbedderSpec spec,
            int grid,
            long maxWaitMillis,
            long maxPixels,
            ParquetInputs parquetInputs) {

        /**
         * @throws IllegalConfigurationException naming the option at fault
         */
        public static Settings from(Configuration conf) {
            String input = Options.require(conf, EmbedOptions.INPUT);
            String output = Options.require(conf, EmbedOptions.OUTPUT);
            String model = Options.require(conf, EmbedOptions.MODEL);
            java.nio.file.Path modelFile = java.nio.file.Path.of(model);
            if (!java.nio.file.Files.isRegularFile(modelFile)) {
                throw Options.invalid(EmbedOptions.MODEL, model, "no such file");
            }
            int size = Options.get(conf, EmbedOptions.IMAGE_SIZE);
            if (size < 14 || size > 4096) {
                throw Options.invalid(EmbedOptions.IMAGE_SIZE, size, "must be in 14..4096");
            }
            int batch = Options.get(conf, EmbedOptions.BATCH_SIZE);
            if (batch < 1 || batch > 1024) {
                throw Options.invalid(EmbedOptions.BATCH_SIZE, batch, "must be in 1..1024");
            }
            int threads = Options.get(conf, EmbedOptions.THREADS);
            if (threads < 0) {
                throw Options.invalid(EmbedOptions.THREADS, threads, "must be 0 or more");
            }
            int grid = Options.get(conf, EmbedOptions.GRID);
            if (grid < 0 || grid > 64) {
                throw Options.invalid(EmbedOptions.GRID, grid, "must be in 0..64");
            }
            Duration wait = Options.get(conf, EmbedOptions.MAX_WAIT);
            if (wait.toMillis() < 1) {
                throw Options.invalid(EmbedOptions.MAX_WAIT, wait, "must be at least 1 ms");
            }
            long maxPixels = Options.get(conf, EmbedOptions.MAX_PIXELS);
            if (maxPixels < 1 || maxPixels > IngestJob.MAX_PIXELS_LIMIT) {
                throw Options.invalid(
                        EmbedOptions.MAX_PIXELS,
                        maxPixels,
                        "must be in 1.." + IngestJob.MAX_PIXELS_LIMIT);
            }
            boolean dct = Options.get(conf, EmbedOptions.DCT);
            if (dct && size < 28) {
                // 8x8 coefficients need at least 8 tokens: CLS + 4 registers + (size/14)^2.
                throw Options.invalid(
                        EmbedOptions.IMAGE_SIZE, size, "--dct needs an image size of 28 or more");
            }
            Device device = Options.get(conf, EmbedOptions.DEVICE);
            boolean overwrite = Options.get(conf, EmbedOptions.OVERWRITE);
            String deadLetters = Options.get(conf, EmbedOptions.DEAD_LETTERS);
            if (deadLetters == null || deadLetters.isBlank()) {
                deadLetters = new Path(output, "_dead_letters").toString();
            }
            Path inputPath = new Path(input);
            JobPaths.status(inputPath, EmbedOptions.INPUT);
            ParquetInputs parquetInputs = JobPaths.parquetInputs(inputPath, EmbedOptions.INPUT);
            JobPaths.checkOutputs(
                    inputPath,
                    output,
                    EmbedOptions.OUTPUT,
                    deadLetters,
                    EmbedOptions.DEAD_LETTERS,
                    overwrite);
            EmbedderSpec spec =
                    new EmbedderSpec(
                            modelFile.toAbsolutePath().toString(),
                            size,
                            batch,
                            device,
                            threads,
                            dct,
                            Options.get(conf, EmbedOptions.CACHE_DIR));
            if (Options.get(conf, EmbedOptions.CHECK_MODEL)) {
                try {
                    ModelProbe.of(spec);
                } catch (IllegalArgumentException e) {
                    throw Options.invalid(
                            EmbedOptions.MODEL, model, "not a usable model: " + e.getMessage());
                }
            }
            return new Settings(
                    input,
                    output,
                    deadLetters,
                    overwrite,
                    spec,
                    grid,
                    wait.toMillis(),
                    maxPixels,
                    parquetInputs);
        }
    }

    /** What a run did. */
    public record Summary(
            String output,
            String deadLetterDir,
            long embeddingsWritten,
            long deadLetters,
            Duration elapsed) {}

    /**
     * The embedding part on a given stream of images: one image per image_name (the others are dead
     * letters), then embedded whole or tile by tile.
     */
    public DeadLetters.Split<EmbeddingRecord> transform(DataStream<ImageRecord> input) {
        DeadLetters.Split<ImageRecord> distinct =
                DistinctImages.of(input, ImageRecord::imageName, "image_name");
        // Round-robin after the dedupe's keyed exchange: hashing names spreads images unevenly
        // over the subtasks, and the job waits for the busiest.
        DataStream<ImageRecord> images = distinct.records().rebalance();
        EmbedderFactory factory = EmbedderFactory.djl(settings.spec());
        TypeInformation<EmbeddingRecord> type = TypeInformation.of(EmbeddingRecord.class);
        int batch = settings.spec().batchSize();
        if (settings.grid() == 0) {
            SingleOutputStreamOperator<EmbeddingRecord> embedded =
                    images.transform(
                                    "embed " + settings.spec().imageSize() + "px",
                                    type,
                                    new BatchingEmbedOperator<>(
                                            factory,
                                            new ImageAdapter(settings.maxPixels()),
                                            batch,
                                            settings.maxWaitMillis()))
                            .uid("embed");
            return new DeadLetters.Split<>(
                    embedded,
                    distinct.deadLetters().union(embedded.getSideOutput(DeadLetters.TAG)));
        }
        SingleOutputStreamOperator<TileRecord> tiles =
                images.process(
                                new TileFunction(
                                        settings.grid(),
                                        settings.spec().imageSize(),
                                        settings.maxPixels()))
                        .name("tile " + settings.grid() + "x" + settings.grid())
                        .uid("tile");
        SingleOutputStreamOperator<EmbeddingRecord> embedded =
                tiles.transform(
                                "embed " + settings.spec().imageSize() + "px",
                                type,
                                new BatchingEmbedOperator<>(
                                        factory,
                                        new TileAdapter(),
                                        batch,
                                        settings.maxWaitMillis()))
                        .uid("embed");
        return new DeadLetters.Split<>(
                embedded,
                distinct.deadLetters()
                        .union(
                                tiles.getSideOutput(DeadLetters.TAG),
                                embedded.getSideOutput(DeadLetters.TAG)));
    }

    public Summary run(StreamExecutionEnvironment env) throws Exception {
        long start = System.nanoTime();
        JobPaths.deleteIfOverwrite(settings.overwrite(), settings.output(), settings.deadLetters());
        env.configure(BatchJobs.configuration());
        DeadLetters.Split<ImageRecord> images = ImageSources.parquet(env, settings.parquetInputs());
        DeadLetters.Split<EmbeddingRecord> embedded = transform(images.records());
        EmbeddingParquet.sink(
                embedded.records()
                        .map(new Counted<EmbeddingRecord>(EMBEDDINGS_WRITTEN))
                        .name("count embeddings")
                        .uid("count-embeddings"),
                settings.output(),
                EmbeddingParquet.schema(settings.grid() > 0, settings.spec().dct()));
        DataStream<DeadLetter> letters = images.deadLetters().union(embedded.deadLetters());
        DeadLetters.sink(
                letters.map(new Counted<DeadLetter>(DEAD_LETTERS))
                        .name("count dead letters")
                        .uid("count-dead-letters"),
                settings.deadLetters());
        JobExecutionResult result = env.execute("plantclef embed " + settings.input());
        Summary summary =
                new Summary(
                        settings.output(),
                        settings.deadLetters(),
                        BatchJobs.count(result, EMBEDDINGS_WRITTEN),
                        BatchJobs.count(result, DEAD_LETTERS),
                        Duration.ofNanos(System.nanoTime() - start));
        LOG.info("Embed finished: {}", summary);
        return summary;
    }
}
