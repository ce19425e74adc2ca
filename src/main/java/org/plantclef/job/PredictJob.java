package org.plantclef.job;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.plantclef.aggregate.PlotAggregator;
import org.plantclef.aggregate.Strategies;
import org.plantclef.aggregate.Strategy;
import org.plantclef.classify.Classifier;
import org.plantclef.classify.ScoreTiles;
import org.plantclef.classify.TileScorer;
import org.plantclef.embed.BatchingEmbedOperator;
import org.plantclef.embed.Dct;
import org.plantclef.embed.EmbedderFactory;
import org.plantclef.embed.EmbedderSpec;
import org.plantclef.embed.ModelProbe;
import org.plantclef.embed.PlotTileAdapter;
import org.plantclef.embed.TileFunction;
import org.plantclef.eval.Evaluation;
import org.plantclef.io.DeadLetters;
import org.plantclef.io.FetchUploads;
import org.plantclef.io.GcsClient;
import org.plantclef.io.ImageFileFilter;
import org.plantclef.io.ImageParquet;
import org.plantclef.io.ImageSources;
import org.plantclef.io.KafkaIo;
import org.plantclef.io.ParquetInputs;
import org.plantclef.io.Predictions;
import org.plantclef.io.Submission;
import org.plantclef.io.UriAllowList;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.PlotPrediction;
import org.plantclef.record.ScoredTile;
import org.plantclef.record.TileEmbedding;
import org.plantclef.record.TileRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The predict job: plot photos to the species in each plot.
 *
 * <pre>
 * photos ─► decode + tile ─► batching embed (DJL) ─► classify ─► keyBy(plot) ─► aggregate ─┬► submission.csv
 *               └──────────────┴──────────────────────────────────────┴─► dead letters    └► predictions/*.jsonl
 * </pre>
 *
 * Decode, tile, embed and classify are chained: only the small scored tiles (top species and
 * probabilities) cross the network to the aggregator. A bounded input runs in BATCH mode and writes
 * one {@code submission.csv} at the end; with {@code execution.runtime-mode: STREAMING} the same
 * operators write submission part files committed at each checkpoint, as an unbounded run does.
 */
public final class PredictJob {

    private static final Logger LOG = LoggerFactory.getLogger(PredictJob.class);

    /** Accumulator and metric: records sent to the dead letters. */
    public static final String DEAD_LETTERS = "dead-letters";

    /** With a ground truth: the per-species table, next to submission.csv. */
    public static final String SPECIES_SCORES = "species-scores.csv";

    /** Every tile carries at least this many top species, for the JSON Lines and reports. */
    static final int REPORTED_SPECIES_PER_TILE = 5;

    private final Settings settings;
    private final EmbedderFactory embedders;

    public PredictJob(Settings settings) {
        this(settings, EmbedderFactory.djl(settings.spec()));
    }

    /** With another way to open the embedder in each subtask (tests inject faults with it). */
    PredictJob(Settings settings, EmbedderFactory embedders) {
        this.settings = settings;
        this.embedders = embedders;
    }

    /** The predict options, checked. */
    public record Settings(
            @Nullable String input,
            PredictOptions.Mode mode,
            @Nullable String watch,
            long watchIntervalMillis,
            @Nullable KafkaIo.Settings kafka,
            @Nullable String kafkaIn,
            @Nullable String kafkaOut,
            @Nullable String kafkaDeadLetters,
            GcsClient.Settings gcs,
            int fetchAttempts,
            @Nullable UriAllowList allowedUris,
            long checkpointIntervalMillis,
            @Nullable String output,
            @Nullable String deadLetters,
            boolean overwrite,
            EmbedderSpec spec,
            Strategy strategy,
            TileScorer scorer,
            long maxWaitMillis,
            long plotTimeoutMillis,
            long maxPixels,
            long maxFileBytes,
            ParquetInputs parquetInputs,
            @Nullable String truth) {

        public boolean streaming() {
            return mode == PredictOptions.Mode.STREAMING;
        }

        /**
         * @throws IllegalConfigurationException naming the option at fault
         */
        public static Settings from(Configuration conf) {
            PredictOptions.Mode mode = Options.get(conf, PredictOptions.MODE);
            String input = blankToNull(Options.get(conf, PredictOptions.INPUT));
            String watch = blankToNull(Options.get(conf, PredictOptions.WATCH));
            String kafkaIn = blankToNull(Options.get(conf, PredictOptions.KAFKA_IN));
            String kafkaOut = blankToNull(Options.get(conf, PredictOptions.KAFKA_OUT));
            String kafkaDeadLetters =
                    blankToNull(Options.get(conf, PredictOptions.KAFKA_DEAD_LETTERS));
            checkSources(mode, input, watch, kafkaIn);
            KafkaIo.Settings kafka = kafka(conf, kafkaIn, kafkaOut, kafkaDeadLetters);
            String output = blankToNull(Options.get(conf, PredictOptions.OUTPUT));
            if (output == null && kafkaOut == null) {
                throw new IllegalConfigurationException(
                        "Missing required option "
                                + Options.name(PredictOptions.OUTPUT)
                                + " (or "
                                + Options.flag(PredictOptions.KAFKA_OUT)
                                + " for predictions to Kafka)");
            }
            long watchInterval = Options.get(conf, PredictOptions.WATCH_INTERVAL).toMillis();
            if (watchInterval < 10) {
                throw Options.invalid(
                        PredictOptions.WATCH_INTERVAL,
                        watchInterval + " ms",
                        "must be 10 ms or more");
            }
            long checkpointInterval =
                    Options.get(conf, PredictOptions.CHECKPOINT_INTERVAL).toMillis();
            if (checkpointInterval < 10) {
                throw Options.invalid(
                        PredictOptions.CHECKPOINT_INTERVAL,
                        checkpointInterval + " ms",
                        "must be 10 ms or more");
            }
            String model = Options.require(conf, PredictOptions.MODEL);
            java.nio.file.Path modelFile = java.nio.file.Path.of(model);
            if (!Files.isRegularFile(modelFile)) {
                throw Options.invalid(PredictOptions.MODEL, model, "no such file");
            }
            String name = Options.get(conf, PredictOptions.STRATEGY);
            Strategy strategy = strategy(conf, name);
            Scoring scoring = scorer(conf, name, modelFile);
            TileScorer scorer = scoring.scorer();

            int size = Options.get(conf, PredictOptions.IMAGE_SIZE);
            if (size < 14 || size > 4096) {
                throw Options.invalid(PredictOptions.IMAGE_SIZE, size, "must be in 14..4096");
            }
            if (scorer.needsDct() && size < 28) {
                throw Options.invalid(
                        PredictOptions.IMAGE_SIZE,
                        size,
                        "the classifier takes DCT features, which need an image size of 28 or"
                                + " more");
            }
            int batch = Options.get(conf, PredictOptions.BATCH_SIZE);
            if (batch < 1 || batch > 1024) {
                throw Options.invalid(PredictOptions.BATCH_SIZE, batch, "must be in 1..1024");
            }
            int threads = Options.get(conf, PredictOptions.THREADS);
            if (threads < 0) {
                throw Options.invalid(PredictOptions.THREADS, threads, "must be 0 or more");
            }
            Duration wait = Options.get(conf, PredictOptions.MAX_WAIT);
            if (wait.toMillis() < 1) {
                throw Options.invalid(PredictOptions.MAX_WAIT, wait, "must be at least 1 ms");
            }
            Duration timeout = Options.get(conf, PredictOptions.PLOT_TIMEOUT);
            if (timeout.toMillis() < 1) {
                throw Options.invalid(
                        PredictOptions.PLOT_TIMEOUT, timeout, "must be at least 1 ms");
            }
            long maxPixels = Options.get(conf, PredictOptions.MAX_PIXELS);
            if (maxPixels < 1 || maxPixels > IngestJob.MAX_PIXELS_LIMIT) {
                throw Options.invalid(
                        PredictOptions.MAX_PIXELS,
                        maxPixels,
                        "must be in 1.." + IngestJob.MAX_PIXELS_LIMIT);
            }
            long maxFileBytes = Options.get(conf, PredictOptions.MAX_FILE_SIZE).getBytes();
            if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE - 8) {
                throw Options.invalid(
                        PredictOptions.MAX_FILE_SIZE, maxFileBytes + " bytes", "must be 1b..2gb");
            }
            String truth = blankToNull(Options.get(conf, PredictOptions.TRUTH));
            if (truth != null) {
                if (mode != PredictOptions.Mode.BATCH || output == null) {
                    throw Options.invalid(
                            PredictOptions.TRUTH,
                            truth,
                            "scores the submission.csv of a BATCH run with --output");
                }
                JobPaths.status(new Path(truth), PredictOptions.TRUTH);
            }
            boolean overwrite = Options.get(conf, PredictOptions.OVERWRITE);
            String deadLetters = blankToNull(Options.get(conf, PredictOptions.DEAD_LETTERS));
            if (deadLetters == null && output != null) {
                deadLetters = new Path(output, "_dead_letters").toString();
            }
            if (deadLetters == null && kafkaDeadLetters == null) {
                throw new IllegalConfigurationException(
                        "Missing required option "
                                + Options.name(PredictOptions.KAFKA_DEAD_LETTERS)
                                + ": without --output the dead letters need a topic (or"
                                + " --dead-letters DIR)");
            }
            ParquetInputs parquetInputs = ParquetInputs.none();
            Path source = null;
            if (input != null) {
                Path inputPath = new Path(input);
                FileStatus status = JobPaths.status(inputPath, PredictOptions.INPUT);
                if (isParquet(inputPath, status)) {
                    parquetInputs = JobPaths.parquetInputs(inputPath, PredictOptions.INPUT);
                } else if (!status.isDir()) {
                    throw Options.invalid(
                            PredictOptions.INPUT,
                            input,
                            "expected image Parquet or a directory of plot photos");
                }
                source = inputPath;
            } else if (watch != null) {
                source = new Path(watch);
                checkWatched(source);
            }
            // A streaming job restored from a savepoint goes on writing where it wrote before.
            checkOutputs(
                    source,
                    output,
                    deadLetters,
                    overwrite || mode == PredictOptions.Mode.STREAMING);
            EmbedderSpec spec =
                    new EmbedderSpec(
                            modelFile.toAbsolutePath().toString(),
                            size,
                            batch,
                            Options.get(conf, PredictOptions.DEVICE),
                            threads,
                            scorer.needsDct(),
                            Options.get(conf, PredictOptions.CACHE_DIR),
                            // A checkpoint carries its head: the head strategy runs it.
                            Strategies.HEAD.equals(name)
                                    && EmbedderSpec.isCheckpoint(modelFile.toString()));
            if (Options.get(conf, PredictOptions.CHECK_MODEL)) {
                checkModel(spec, name, scoring, modelFile);
            }
            return new Settings(
                    input,
                    mode,
                    watch,
                    watchInterval,
                    kafka,
                    kafkaIn,
                    kafkaOut,
                    kafkaDeadLetters,
                    gcs(conf),
                    fetchAttempts(conf),
                    allowedUris(conf, kafkaIn),
                    checkpointInterval,
                    output,
                    deadLetters,
                    overwrite,
                    spec,
                    strategy,
                    scorer,
                    wait.toMillis(),
                    timeout.toMillis(),
                    maxPixels,
                    maxFileBytes,
                    parquetInputs,
                    truth);
        }

        /**
         * A local directory to watch must exist; an object-store prefix may still be empty, but its
         * file system must be there (gs:// needs the plugin).
         */
        private static void checkWatched(Path watch) {
            org.apache.flink.core.fs.FileSystem fs;
            try {
                fs = watch.getFileSystem();
            } catch (IOException e) {
                throw Options.invalid(
                        PredictOptions.WATCH,
                        watch,
                        "no file system for it ("
                                + e.getMessage()
                                + "); gs:// needs the flink-gs-fs-hadoop plugin in"
                                + " $FLINK_PLUGINS_DIR/gs-fs-hadoop");
            }
            if (!fs.isDistributedFS()) {
                if (!JobPaths.status(watch, PredictOptions.WATCH).isDir()) {
                    throw Options.invalid(PredictOptions.WATCH, watch, "is not a directory");
                }
            }
        }

        /**
         * Runs one image through the model on the client and checks that what it returns fits the
         * classifier (or the class mapping of the head strategy).
         */
        private static void checkModel(
                EmbedderSpec spec, String strategy, Scoring scoring, java.nio.file.Path model) {
            ModelProbe probe;
            try {
                probe = ModelProbe.of(spec);
            } catch (IllegalArgumentException e) {
                throw Options.invalid(
                        PredictOptions.MODEL, model, "not a usable model: " + e.getMessage());
            }
            if (Strategies.HEAD.equals(strategy)) {
                if (scoring.inputDim() != probe.dim()) {
                    throw Options.invalid(
                            PredictOptions.CLASS_MAPPING,
                            scoring.source(),
                            "it lists "
                                    + scoring.inputDim()
                                    + " classes but "
                                    + model
                                    + " returns "
                                    + probe.dim()
                                    + " values per image: is it the logits model?");
                }
                return;
            }
            boolean dct = scoring.scorer().needsDct();
            int given = dct ? Dct.DEFAULT_K * Dct.DEFAULT_K : probe.dim();
            if (scoring.inputDim() != given) {
                throw Options.invalid(
                        PredictOptions.CLASSIFIER,
                        scoring.source(),
                        "it takes "
                                + scoring.inputDim()
                                + (dct ? " DCT" : " CLS")
                                + " features but "
                                + model
                                + " gives "
                                + given
                                + ": was it trained on this model's embeddings?");
            }
        }

        @Nullable
        private static UriAllowList allowedUris(Configuration conf, @Nullable String kafkaIn) {
            if (kafkaIn == null) {
                return null;
            }
            String text = Options.get(conf, PredictOptions.KAFKA_ALLOWED_URIS);
            if (text == null || text.isBlank()) {
                throw new IllegalConfigurationException(
                        "Missing required option "
                                + Options.name(PredictOptions.KAFKA_ALLOWED_URIS)
                                + ": with --kafka-in, say which locations upload events may name,"
                                + " so that no producer can make the job read any file it can"
                                + " reach");
            }
            try {
                return UriAllowList.parse(text);
            } catch (IllegalArgumentException e) {
                throw Options.invalid(PredictOptions.KAFKA_ALLOWED_URIS, text, e.getMessage());
            }
        }

        private static int fetchAttempts(Configuration conf) {
            int attempts = Options.get(conf, PredictOptions.FETCH_ATTEMPTS);
            if (attempts < 1 || attempts > 100) {
                throw Options.invalid(PredictOptions.FETCH_ATTEMPTS, attempts, "must be in 1..100");
            }
            return attempts;
        }

        private static GcsClient.Settings gcs(Configuration conf) {
            String endpoint = blankToNull(Options.get(conf, PredictOptions.GCS_ENDPOINT));
            if (endpoint != null
                    && !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
                throw Options.invalid(
                        PredictOptions.GCS_ENDPOINT, endpoint, "must be an http(s):// URL");
            }
            String project = blankToNull(Options.get(conf, PredictOptions.GCS_PROJECT));
            if (project == null) {
                project = blankToNull(System.getenv("GOOGLE_CLOUD_PROJECT"));
            }
            if (project == null) {
                project = blankToNull(System.getProperty("GOOGLE_CLOUD_PROJECT"));
            }
            Duration timeout = Options.get(conf, PredictOptions.FETCH_TIMEOUT);
            if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
                throw Options.invalid(
                        PredictOptions.FETCH_TIMEOUT, timeout, "must be 1 ms to 24 days");
            }
            // Reads do not bill the client's project; the client only insists on having one.
            return new GcsClient.Settings(
                    endpoint, project == null ? "plantclef" : project, timeout.toMillis());
        }

        @Nullable
        private static String blankToNull(@Nullable String value) {
            return value == null || value.isBlank() ? null : value;
        }

        private static void checkSources(
                PredictOptions.Mode mode,
                @Nullable String input,
                @Nullable String watch,
                @Nullable String kafkaIn) {
            int sources =
                    (input != null ? 1 : 0) + (watch != null ? 1 : 0) + (kafkaIn != null ? 1 : 0);
            if (sources == 0) {
                throw new IllegalConfigurationException(
                        "Missing required option "
                                + Options.name(PredictOptions.INPUT)
                                + " (or, with --mode STREAMING, "
                                + Options.flag(PredictOptions.WATCH)
                                + " or "
                                + Options.flag(PredictOptions.KAFKA_IN)
                                + ")");
            }
            if (sources > 1) {
                throw Options.invalid(
                        input != null ? PredictOptions.INPUT : PredictOptions.WATCH,
                        input != null ? input : watch,
                        "give only one of --input, --watch and --kafka-in");
            }
            if (input == null && mode != PredictOptions.Mode.STREAMING) {
                throw Options.invalid(
                        PredictOptions.MODE,
                        mode,
                        (watch != null ? "--watch" : "--kafka-in")
                                + " is an unbounded source and needs --mode STREAMING");
            }
        }

        @Nullable
        private static KafkaIo.Settings kafka(
                Configuration conf,
                @Nullable String in,
                @Nullable String out,
                @Nullable String deadLetters) {
            if (in == null && out == null && deadLetters == null) {
                return null;
            }
            String servers = blankToNull(Options.get(conf, PredictOptions.KAFKA_BOOTSTRAP));
            if (servers == null) {
                throw new IllegalConfigurationException(
                        "Missing required option "
                                + Options.name(PredictOptions.KAFKA_BOOTSTRAP)
                                + ": the Kafka topics need the servers");
            }
            Duration timeout = Options.get(conf, PredictOptions.KAFKA_TRANSACTION_TIMEOUT);
            if (timeout.toSeconds() < 1) {
                throw Options.invalid(
                        PredictOptions.KAFKA_TRANSACTION_TIMEOUT, timeout, "must be 1 s or more");
            }
            String group = Options.get(conf, PredictOptions.KAFKA_GROUP);
            if (group == null || group.isBlank()) {
                throw Options.invalid(PredictOptions.KAFKA_GROUP, group, "must not be blank");
            }
            return new KafkaIo.Settings(servers, group, timeout);
        }

        private static void checkOutputs(
                @Nullable Path source,
                @Nullable String output,
                @Nullable String deadLetters,
                boolean overwrite) {
            if (output != null && source != null) {
                JobPaths.checkOutputs(
                        source,
                        output,
                        PredictOptions.OUTPUT,
                        deadLetters,
                        PredictOptions.DEAD_LETTERS,
                        overwrite);
                return;
            }
            if (output != null) {
                JobPaths.requireEmpty(new Path(output), PredictOptions.OUTPUT, overwrite);
            }
            if (deadLetters != null
                    && (output == null
                            || !JobPaths.isWithin(new Path(deadLetters), new Path(output)))) {
                if (source != null
                        && (JobPaths.isWithin(source, new Path(deadLetters))
                                || JobPaths.isWithin(new Path(deadLetters), source))) {
                    throw Options.invalid(
                            PredictOptions.DEAD_LETTERS,
                            deadLetters,
                            "it must not be, contain or lie inside the input " + source);
                }
                JobPaths.requireEmpty(
                        new Path(deadLetters), PredictOptions.DEAD_LETTERS, overwrite);
            }
        }

        private static boolean isParquet(Path input, FileStatus status) {
            if (!status.isDir()) {
                return input.getName().endsWith(".parquet");
            }
            try {
                return !ImageParquet.files(input).isEmpty();
            } catch (IOException e) {
                throw Options.invalid(
                        PredictOptions.INPUT, input, "cannot be listed: " + e.getMessage());
            }
        }

        private static Strategy strategy(Configuration conf, String name) {
            if (!Strategies.NAMES.contains(name)) {
                throw Options.invalid(
                        PredictOptions.STRATEGY,
                        name,
                        "must be one of " + String.join(", ", Strategies.NAMES));
            }
            int grid = Options.get(conf, PredictOptions.GRID);
            if (grid < 1 || grid > Strategies.MAX_GRID) {
                throw Options.invalid(
                        PredictOptions.GRID, grid, "must be in 1.." + Strategies.MAX_GRID);
            }
            String gridsText = Options.get(conf, PredictOptions.GRIDS);
            int[] grids = parseGrids(gridsText);
            Integer topN = Options.get(conf, PredictOptions.TOP_N);
            if (topN != null && topN < 1) {
                throw Options.invalid(PredictOptions.TOP_N, topN, "must be at least 1");
            }
            int topK = Options.get(conf, PredictOptions.TOP_K);
            if (topK < 1) {
                throw Options.invalid(PredictOptions.TOP_K, topK, "must be at least 1");
            }
            int topL = Options.get(conf, PredictOptions.TOP_L);
            if (topL < 1 || topL > topK) {
                throw Options.invalid(
                        PredictOptions.TOP_L, topL, "must be in 1..--top-k (" + topK + ")");
            }
            double minProb = Options.get(conf, PredictOptions.MIN_PROB);
            if (!(minProb >= 0 && minProb < 1)) {
                throw Options.invalid(PredictOptions.MIN_PROB, minProb, "must be in [0, 1)");
            }
            double threshold = Options.get(conf, PredictOptions.THRESHOLD);
            if (!(threshold >= 0) || Double.isInfinite(threshold)) {
                throw Options.invalid(PredictOptions.THRESHOLD, threshold, "must be 0 or more");
            }
            return Strategies.create(
                    name,
                    new Strategies.Parameters(
                            grid, grids, topN, topK, topL, (float) minProb, (float) threshold));
        }

        private static int[] parseGrids(String text) {
            List<Integer> grids = new ArrayList<>();
            for (String part : text.split("[,;\\s]+")) {
                if (part.isBlank()) {
                    continue;
                }
                int g;
                try {
                    g = Integer.parseInt(part.trim());
                } catch (NumberFormatException e) {
                    throw Options.invalid(
                            PredictOptions.GRIDS, text, "'" + part + "' is no number");
                }
                if (g < 1 || g > Strategies.MAX_GRID) {
                    throw Options.invalid(
                            PredictOptions.GRIDS,
                            text,
                            "each grid must be in 1.." + Strategies.MAX_GRID);
                }
                if (grids.contains(g)) {
                    throw Options.invalid(PredictOptions.GRIDS, text, g + " is given twice");
                }
                grids.add(g);
            }
            if (grids.isEmpty()) {
                throw Options.invalid(PredictOptions.GRIDS, text, "no grid given");
            }
            return grids.stream().mapToInt(Integer::intValue).sorted().toArray();
        }

        /**
         * The scorer of a strategy, and what it expects to be given per tile.
         *
         * @param inputDim the classifier's feature count, or the class mapping's length for head
         * @param source the classifier directory or class mapping file, for messages
         */
        private record Scoring(TileScorer scorer, int inputDim, String source) {}

        private static Scoring scorer(
                Configuration conf, String strategy, java.nio.file.Path modelFile) {
            if (Strategies.HEAD.equals(strategy)) {
                String mapping = Options.get(conf, PredictOptions.CLASS_MAPPING);
                java.nio.file.Path file =
                        mapping == null || mapping.isBlank()
                                ? modelFile.toAbsolutePath().resolveSibling("class_mapping.txt")
                                : java.nio.file.Path.of(mapping).toAbsolutePath();
                int classes;
                try {
                    classes = TileScorer.readClassMapping(file).size();
                } catch (IOException e) {
                    throw Options.invalid(
                            PredictOptions.CLASS_MAPPING,
                            file,
                            e instanceof java.nio.file.NoSuchFileException
                                    ? "no such file (the head strategy needs the species id of"
                                            + " each logit)"
                                    : e.getMessage());
                }
                return new Scoring(TileScorer.head(file.toString()), classes, file.toString());
            }
            String dir = Options.require(conf, PredictOptions.CLASSIFIER);
            java.nio.file.Path path = java.nio.file.Path.of(dir).toAbsolutePath();
            Classifier classifier;
            try {
                classifier = Classifier.load(path);
            } catch (IOException | RuntimeException e) {
                throw Options.invalid(
                        PredictOptions.CLASSIFIER,
                        dir,
                        "not a classifier directory (" + e.getMessage() + ")");
            }
            return new Scoring(
                    TileScorer.classifier(path.toString(), classifier.feature()),
                    classifier.dim(),
                    dir);
        }
    }

    /** What a run did. */
    public record Summary(
            @Nullable String output,
            @Nullable String submission,
            @Nullable String predictions,
            @Nullable String deadLetterDir,
            String strategy,
            long plotsPredicted,
            long plotsIncomplete,
            long deadLetters,
            Duration elapsed,
            @Nullable Evaluation evaluation) {}

    /**
     * The key of one-photo-per-plot: the plot id, or, for an id the tile stage refuses anyway, the
     * photo's own path, so that it reaches that stage and is refused for the right reason.
     */
    static String distinctKey(ImageRecord image) {
        String plotId = TileFunction.plotIdOf(image);
        return TileFunction.checkPlotId(plotId) == null ? plotId : "\u0000" + image.path();
    }

    /**
     * The prediction part on a given stream of plot photos. A bounded run scores one photo per plot
     * (the others are dead letters); a streaming one scores every upload, a new photo of a plot
     * being a new prediction for it.
     */
    public DeadLetters.Split<PlotPrediction> transform(DataStream<ImageRecord> input) {
        DataStream<ImageRecord> images = input;
        DataStream<DeadLetter> duplicates = null;
        if (!settings.streaming()) {
            DeadLetters.Split<ImageRecord> distinct =
                    DistinctImages.of(input, PredictJob::distinctKey, "plot id");
            // Round-robin, not by the dedupe's key: hashing plot ids spreads photos unevenly
            // (34 against 26 of 60 is usual), and the job waits for the busiest subtask.
            images = distinct.records().rebalance();
            duplicates = distinct.deadLetters();
        }
        Strategy strategy = settings.strategy();
        int[] grids = strategy.grids();
        SingleOutputStreamOperator<TileRecord> tiles =
                images.process(
                                new TileFunction(
                                        grids, settings.spec().imageSize(), settings.maxPixels()))
                        .name("tile " + gridNames(grids))
                        .uid("tile");
        SingleOutputStreamOperator<TileEmbedding> embedded =
                tiles.transform(
                                "embed " + settings.spec().imageSize() + "px",
                                TypeInformation.of(TileEmbedding.class),
                                new BatchingEmbedOperator<>(
                                        embedders,
                                        new PlotTileAdapter(),
                                        settings.spec().batchSize(),
                                        settings.maxWaitMillis()))
                        .uid("embed");
        int perTile = Math.max(strategy.speciesPerTile(), REPORTED_SPECIES_PER_TILE);
        SingleOutputStreamOperator<ScoredTile> scored =
                embedded.map(new ScoreTiles(settings.scorer(), perTile))
                        .name("classify")
                        .uid("classify");
        SingleOutputStreamOperator<PlotPrediction> predictions =
                scored.keyBy(ScoredTile::plotId, Types.STRING)
                        .process(new PlotAggregator(strategy, settings.plotTimeoutMillis()))
                        .name("aggregate " + strategy.name())
                        .uid("aggregate");
        DataStream<DeadLetter> letters =
                tiles.getSideOutput(DeadLetters.TAG)
                        .union(
                                embedded.getSideOutput(DeadLetters.TAG),
                                predictions.getSideOutput(DeadLetters.TAG));
        if (duplicates != null) {
            letters = letters.union(duplicates);
        }
        return new DeadLetters.Split<>(predictions, letters);
    }

    private static String gridNames(int[] grids) {
        List<String> names = new ArrayList<>();
        for (int g : grids) {
            names.add(g + "x" + g);
        }
        return String.join("+", names);
    }

    /**
     * Builds the job into {@code env}.
     *
     * @return the submission file a BATCH run writes, or null
     */
    private String build(StreamExecutionEnvironment env) throws IOException {
        if (settings.output() != null) {
            JobPaths.deleteIfOverwrite(settings.overwrite(), settings.output());
        }
        if (settings.deadLetters() != null) {
            JobPaths.deleteIfOverwrite(settings.overwrite(), settings.deadLetters());
        }
        Configuration mode = new Configuration();
        mode.set(PipelineOptions.GENERIC_TYPES, false);
        mode.set(
                ExecutionOptions.RUNTIME_MODE,
                settings.streaming() ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
        env.configure(mode);
        if (settings.streaming() && env.getCheckpointConfig().getCheckpointInterval() <= 0) {
            env.enableCheckpointing(settings.checkpointIntervalMillis());
        }

        DeadLetters.Split<ImageRecord> images = sources(env);
        DeadLetters.Split<PlotPrediction> predicted = transform(images.records());
        String submission = null;
        if (settings.output() != null) {
            Predictions.jsonSink(
                    predicted.records(),
                    new Path(settings.output(), Predictions.JSON_DIR).toString());
            if (settings.streaming()) {
                Predictions.submissionParts(
                        predicted.records(),
                        new Path(settings.output(), Predictions.SUBMISSION_DIR).toString());
            } else {
                submission = new Path(settings.output(), Predictions.SUBMISSION_FILE).toString();
                Predictions.submissionFile(predicted.records(), submission);
            }
        }
        if (settings.kafkaOut() != null) {
            KafkaIo.predictionsSink(predicted.records(), settings.kafka(), settings.kafkaOut());
        }
        DataStream<DeadLetter> letters =
                images.deadLetters()
                        .union(predicted.deadLetters())
                        .map(new Counted<DeadLetter>(DEAD_LETTERS))
                        .name("count dead letters")
                        .uid("count-dead-letters");
        if (settings.deadLetters() != null) {
            DeadLetters.sink(letters, settings.deadLetters());
        }
        if (settings.kafkaDeadLetters() != null) {
            KafkaIo.deadLetterSink(letters, settings.kafka(), settings.kafkaDeadLetters());
        }
        return submission;
    }

    private DeadLetters.Split<ImageRecord> sources(StreamExecutionEnvironment env) {
        if (settings.kafkaIn() != null) {
            SingleOutputStreamOperator<ImageRecord> fetched =
                    KafkaIo.events(env, settings.kafka(), settings.kafkaIn())
                            .process(
                                    new FetchUploads(
                                            settings.maxFileBytes(),
                                            settings.fetchAttempts(),
                                            500,
                                            settings.gcs(),
                                            settings.allowedUris()))
                            .name("fetch uploads")
                            .uid("fetch-uploads");
            return new DeadLetters.Split<>(fetched, fetched.getSideOutput(DeadLetters.TAG));
        }
        if (settings.watch() != null) {
            return ImageSources.files(
                    env,
                    settings.watch(),
                    false,
                    new ImageFileFilter(Set.of()),
                    settings.maxFileBytes(),
                    Duration.ofMillis(settings.watchIntervalMillis()));
        }
        return settings.parquetInputs().isEmpty()
                ? ImageSources.files(
                        env,
                        settings.input(),
                        false,
                        new ImageFileFilter(Set.of()),
                        settings.maxFileBytes())
                : ImageSources.parquet(env, settings.parquetInputs());
    }

    private String jobName() {
        String from =
                settings.input() != null
                        ? settings.input()
                        : settings.watch() != null
                                ? "watch " + settings.watch()
                                : "kafka " + settings.kafkaIn();
        return "plantclef predict " + from;
    }

    /** The job's dataflow, built but not run: tests check what is chained and what is shuffled. */
    StreamGraph graph(StreamExecutionEnvironment env) throws IOException {
        build(env);
        return env.getStreamGraph();
    }

    /**
     * Starts the job and returns at once: for unbounded runs that are stopped with a savepoint or
     * cancelled through the returned client.
     */
    public JobClient start(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync(jobName());
    }

    /** Runs the job to its end (a bounded input) and reports what it did. */
    public Summary run(StreamExecutionEnvironment env) throws Exception {
        long start = System.nanoTime();
        String submission = build(env);
        JobExecutionResult result = env.execute(jobName());
        Evaluation evaluation = null;
        if (BatchJobs.detached(result)) {
            LOG.info(
                    "Submitted {} detached as job {}: its outputs appear when it finishes",
                    jobName(),
                    result.getJobID());
        } else if (settings.truth() != null && submission != null) {
            evaluation = Evaluation.of(new Path(submission), new Path(settings.truth()));
            Submission.writeAtomically(
                    new Path(settings.output(), SPECIES_SCORES), evaluation.speciesCsv());
        }
        Summary summary =
                new Summary(
                        settings.output(),
                        submission,
                        settings.output() == null
                                ? null
                                : new Path(settings.output(), Predictions.JSON_DIR).toString(),
                        settings.deadLetters(),
                        settings.strategy().name(),
                        BatchJobs.count(result, PlotAggregator.PLOTS_PREDICTED),
                        BatchJobs.count(result, PlotAggregator.PLOTS_INCOMPLETE),
                        BatchJobs.count(result, DEAD_LETTERS),
                        Duration.ofNanos(System.nanoTime() - start),
                        evaluation);
        LOG.info("Predict finished: {}", summary);
        return summary;
    }
}
