package org.plantclef.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.plantclef.aggregate.Strategies;
import org.plantclef.embed.Device;
import org.plantclef.image.ImageDecoder;

/** The options of the predict job. The launcher's flags are these keys without {@code predict.}. */
public final class PredictOptions {

    /** How the job runs. */
    public enum Mode {
        /** A bounded input, scored in Flink's BATCH mode; one submission.csv at the end. */
        BATCH,
        /** Flink's STREAMING mode with checkpoints: for --watch and --kafka-in (or any input). */
        STREAMING
    }

    public static final ConfigOption<String> INPUT =
            key("predict.input")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Plot photos: image Parquet (as ingest writes it, or the DS@GT files)"
                                    + " or a directory of image files (plot id = file name"
                                    + " without extension). One of --input, --watch,"
                                    + " --kafka-in is required.");

    public static final ConfigOption<Mode> MODE =
            key("predict.mode")
                    .enumType(Mode.class)
                    .defaultValue(Mode.BATCH)
                    .withDescription(
                            "BATCH (bounded --input) or STREAMING (needed by --watch and"
                                    + " --kafka-in; checkpointed, exactly-once outputs).");

    public static final ConfigOption<String> WATCH =
            key("predict.watch")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "STREAMING: a directory or object-store prefix (gs://bucket/dir)"
                                    + " watched for new plot photos, each scored once.");

    public static final ConfigOption<Duration> WATCH_INTERVAL =
            key("predict.watch-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription("How often --watch is listed for new files.");

    public static final ConfigOption<String> KAFKA_BOOTSTRAP =
            key("predict.kafka-bootstrap")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka bootstrap servers (host:port,...) for --kafka-in,"
                                    + " --kafka-out and --kafka-dead-letters.");

    public static final ConfigOption<String> KAFKA_IN =
            key("predict.kafka-in")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "STREAMING: a topic of upload events, JSON {\"plot_id\": ...,"
                                    + " \"uri\": \"gs://...\" | \"file:///...\"}; each image is"
                                    + " fetched and scored.");

    public static final ConfigOption<String> KAFKA_ALLOWED_URIS =
            key("predict.kafka-allowed-uris")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "--kafka-in: the only locations events may name, comma-separated URI"
                                    + " prefixes (gs://uploads/plots/,file:///data/uploads/); any"
                                    + " other URI is a dead letter, never read. Required with"
                                    + " --kafka-in.");

    public static final ConfigOption<String> KAFKA_GROUP =
            key("predict.kafka-group")
                    .stringType()
                    .defaultValue("plantclef-predict")
                    .withDescription(
                            "Consumer group of --kafka-in (offsets are also in the checkpoints).");

    public static final ConfigOption<String> KAFKA_OUT =
            key("predict.kafka-out")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A topic for the per-plot predictions (JSON, key plot_id), written"
                                    + " exactly once (transactions committed at checkpoints).");

    public static final ConfigOption<String> KAFKA_DEAD_LETTERS =
            key("predict.kafka-dead-letters")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("A topic for the dead letters (JSON), exactly once.");

    public static final ConfigOption<Duration> KAFKA_TRANSACTION_TIMEOUT =
            key("predict.kafka-transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout of the exactly-once sinks; at most the"
                                    + " broker's transaction.max.timeout.ms (15 min by default).");

    public static final ConfigOption<String> GCS_ENDPOINT =
            key("predict.gcs-endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "--kafka-in: the Cloud Storage endpoint for gs:// URIs, e.g. an"
                                    + " emulator's http://127.0.0.1:9199 (then no credentials)."
                                    + " Default: Google's, with the application default"
                                    + " credentials.");

    public static final ConfigOption<String> GCS_PROJECT =
            key("predict.gcs-project")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "--kafka-in: the Cloud Storage project id. Default:"
                                    + " $GOOGLE_CLOUD_PROJECT.");

    public static final ConfigOption<Integer> FETCH_ATTEMPTS =
            key("predict.fetch-attempts")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "--kafka-in: tries per uploaded object on transient errors (5xx, 429,"
                                    + " timeouts, connection failures), with exponential back-off;"
                                    + " then the event is a dead letter.");

    public static final ConfigOption<Duration> FETCH_TIMEOUT =
            key("predict.fetch-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "--kafka-in: connect and read timeout of each gs:// request (an"
                                    + " event makes two: metadata, then the bytes); a storage"
                                    + " service that stops answering costs up to --fetch-attempts"
                                    + " times this per request, plus back-off.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            key("predict.checkpoint-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "STREAMING: checkpoint interval, unless execution.checkpointing.interval"
                                    + " is set; outputs become visible at checkpoints.");

    public static final ConfigOption<String> OUTPUT =
            key("predict.output")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory for submission.csv (submission/ parts when streaming),"
                                    + " predictions/*.jsonl and the dead letters. Required unless"
                                    + " --kafka-out is given.");

    public static final ConfigOption<String> MODEL =
            key("predict.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The embedding model the classifier was trained on: TorchScript"
                                    + " (.pt, returning tokens [B,T,D] or CLS [B,D]; for"
                                    + " --strategy head, logits [B,C]) or a timm"
                                    + " vit_*_reg4_dinov2 checkpoint (.safetensors, whose head"
                                    + " --strategy head uses). Required.");

    public static final ConfigOption<String> CLASSIFIER =
            key("predict.classifier")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Classifier directory written by train. Required except for"
                                    + " --strategy head.");

    public static final ConfigOption<String> CLASS_MAPPING =
            key("predict.class-mapping")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "--strategy head: species id of each logit, one per line. Default:"
                                    + " class_mapping.txt next to the model.");

    public static final ConfigOption<String> STRATEGY =
            key("predict.strategy")
                    .stringType()
                    .defaultValue(Strategies.GRID_ARGMAX)
                    .withDescription(
                            "How tiles become a plot's species: "
                                    + String.join(", ", Strategies.NAMES)
                                    + " (see README, strategies).");

    public static final ConfigOption<Integer> GRID =
            key("predict.grid")
                    .intType()
                    .defaultValue(3)
                    .withDescription("N of the N x N grid of grid-argmax, grid-topk and head.");

    public static final ConfigOption<String> GRIDS =
            key("predict.grids")
                    .stringType()
                    .defaultValue("1,2,3,4")
                    .withDescription("The grids of multiscale, comma-separated.");

    public static final ConfigOption<Integer> TOP_N =
            key("predict.top-n")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Most species per plot for full, grid-topk and multiscale. Default: 20"
                                    + " for full, 5 for the others.");

    public static final ConfigOption<Integer> TOP_K =
            key("predict.top-k")
                    .intType()
                    .defaultValue(10)
                    .withDescription("Species per tile for grid-topk (K) and multiscale (summed).");

    public static final ConfigOption<Integer> TOP_L =
            key("predict.top-l")
                    .intType()
                    .defaultValue(5)
                    .withDescription("grid-topk: species kept of each tile's top K (L).");

    public static final ConfigOption<Double> MIN_PROB =
            key("predict.min-prob")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "Any strategy: a tile's species below this probability count for"
                                    + " nothing (bare-ground tiles then add no species).");

    public static final ConfigOption<Double> THRESHOLD =
            key("predict.threshold")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "multiscale: keep species whose summed tile probability reaches this;"
                                    + " 0 keeps the top n instead.");

    public static final ConfigOption<Boolean> CHECK_MODEL =
            key("predict.check-model")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Load the model at start and run one blank image through it: a"
                                    + " corrupt or wrong model, or a classifier or class mapping"
                                    + " of another width, fails at once naming the file.");

    public static final ConfigOption<String> TRUTH =
            key("predict.truth")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Ground truth in the submission format: the run ends by scoring"
                                    + " submission.csv against it (as evaluate does).");

    public static final ConfigOption<Integer> IMAGE_SIZE =
            key("predict.image-size")
                    .intType()
                    .defaultValue(518)
                    .withDescription(
                            "Model input side each tile is resized (bicubic, shorter side) and"
                                    + " centre-cropped to.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            key("predict.batch-size")
                    .intType()
                    .defaultValue(8)
                    .withDescription("Tiles per model call; the last batch is padded.");

    public static final ConfigOption<Device> DEVICE =
            key("predict.device")
                    .enumType(Device.class)
                    .defaultValue(Device.AUTO)
                    .withDescription("AUTO, CPU, or GPU (fail at start if there is none).");

    public static final ConfigOption<Integer> THREADS =
            key("predict.threads")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "PyTorch intra-op threads of each slot's model (one value per"
                                    + " TaskManager JVM); 0 = twice the cores divided among the"
                                    + " TaskManager's task slots, at most all cores.");

    public static final ConfigOption<Duration> MAX_WAIT =
            key("predict.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription("Longest a tile waits for its batch to fill.");

    public static final ConfigOption<Duration> PLOT_TIMEOUT =
            key("predict.plot-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "A plot whose tiles have not all arrived this long after its first is"
                                    + " predicted from the tiles it has and counted incomplete.");

    public static final ConfigOption<Long> MAX_PIXELS =
            key("predict.max-pixels")
                    .longType()
                    .defaultValue(ImageDecoder.DEFAULT_MAX_PIXELS)
                    .withDescription(
                            "Largest photo decoded, in pixels; larger ones are dead letters.");

    public static final ConfigOption<MemorySize> MAX_FILE_SIZE =
            key("predict.max-file-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("256mb"))
                    .withDescription(
                            "Largest image file read from a directory; larger ones are dead"
                                    + " letters.");

    public static final ConfigOption<String> CACHE_DIR =
            key("predict.cache-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where DJL extracts the PyTorch natives (DJL_CACHE_DIR). Default:"
                                    + " DJL's, ~/.djl.ai.");

    public static final ConfigOption<String> DEAD_LETTERS =
            key("predict.dead-letters")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory for dead letters. Default: <output>/_dead_letters.");

    public static final ConfigOption<Boolean> OVERWRITE =
            key("predict.overwrite")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Delete a non-empty output directory first.");

    public static final List<ConfigOption<?>> ALL =
            List.of(
                    INPUT,
                    MODE,
                    WATCH,
                    WATCH_INTERVAL,
                    KAFKA_BOOTSTRAP,
                    KAFKA_IN,
                    KAFKA_ALLOWED_URIS,
                    KAFKA_GROUP,
                    KAFKA_OUT,
                    KAFKA_DEAD_LETTERS,
                    KAFKA_TRANSACTION_TIMEOUT,
                    GCS_ENDPOINT,
                    GCS_PROJECT,
                    FETCH_ATTEMPTS,
                    FETCH_TIMEOUT,
                    CHECKPOINT_INTERVAL,
                    OUTPUT,
                    MODEL,
                    CLASSIFIER,
                    CLASS_MAPPING,
                    STRATEGY,
                    GRID,
                    GRIDS,
                    TOP_N,
                    TOP_K,
                    TOP_L,
                    MIN_PROB,
                    THRESHOLD,
                    CHECK_MODEL,
                    TRUTH,
                    IMAGE_SIZE,
                    BATCH_SIZE,
                    DEVICE,
                    THREADS,
                    MAX_WAIT,
                    PLOT_TIMEOUT,
                    MAX_PIXELS,
                    MAX_FILE_SIZE,
                    CACHE_DIR,
                    DEAD_LETTERS,
                    OVERWRITE);

    private PredictOptions() {}
}
