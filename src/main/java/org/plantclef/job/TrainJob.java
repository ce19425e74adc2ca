package org.plantclef.job;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.avro.AvroParquetReaders;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.plantclef.classify.LinearTrainer;
import org.plantclef.classify.Split;
import org.plantclef.classify.TrainOperator;
import org.plantclef.io.DeadLetters;
import org.plantclef.io.EmbeddingParquet;
import org.plantclef.io.ImageParquet;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.Sample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded train job: embedding Parquet to a classifier directory. Reading, feature selection
 * and the train/validation split run in parallel; the training loop runs in one operator.
 *
 * <pre>
 * embedding parquet ─► sample (feature, species, split) ─► [parallelism 1] train, writes the
 *                              └─► dead letters (no species, no feature)   classifier dir ─► summary
 * </pre>
 */
public final class TrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    /** Accumulator: rows refused. */
    public static final String DEAD_LETTERS = "dead-letters";

    private final Settings settings;

    public TrainJob(Settings settings) {
        this.settings = settings;
    }

    /** The train options, checked. */
    public record Settings(
            String input,
            String output,
            String column,
            long minImages,
            double valFraction,
            LinearTrainer.Params params,
            boolean overwrite,
            List<Path> files,
            Schema schema) {

        public static Settings from(Configuration conf) {
            String input = Options.require(conf, TrainOptions.INPUT);
            String output = Options.require(conf, TrainOptions.OUTPUT);
            TrainOptions.Feature feature = Options.get(conf, TrainOptions.FEATURE);
            int minImages = Options.get(conf, TrainOptions.MIN_IMAGES);
            if (minImages < 1) {
                throw Options.invalid(TrainOptions.MIN_IMAGES, minImages, "must be at least 1");
            }
            double fraction = Options.get(conf, TrainOptions.VAL_FRACTION);
            if (!(fraction >= 0 && fraction < 1)) {
                throw Options.invalid(TrainOptions.VAL_FRACTION, fraction, "must be in [0, 1)");
            }
            int epochs = Options.get(conf, TrainOptions.EPOCHS);
            int batch = Options.get(conf, TrainOptions.BATCH_SIZE);
            double lr = Options.get(conf, TrainOptions.LEARNING_RATE);
            int patience = Options.get(conf, TrainOptions.PATIENCE);
            if (epochs < 1) {
                throw Options.invalid(TrainOptions.EPOCHS, epochs, "must be at least 1");
            }
            if (batch < 1) {
                throw Options.invalid(TrainOptions.BATCH_SIZE, batch, "must be at least 1");
            }
            if (!(lr > 0)) {
                throw Options.invalid(TrainOptions.LEARNING_RATE, lr, "must be positive");
            }
            if (patience < 1) {
                throw Options.invalid(TrainOptions.PATIENCE, patience, "must be at least 1");
            }
            boolean overwrite = Options.get(conf, TrainOptions.OVERWRITE);
            Path inputPath = new Path(input);
            JobPaths.status(inputPath, TrainOptions.INPUT);
            String column =
                    feature == TrainOptions.Feature.CLS
                            ? EmbeddingParquet.CLS
                            : EmbeddingParquet.DCT;
            List<Path> files;
            Schema schema;
            try {
                files = ImageParquet.files(inputPath);
                if (files.isEmpty()) {
                    throw Options.invalid(TrainOptions.INPUT, input, "it holds no .parquet files");
                }
                schema = ImageParquet.readSchema(files.get(0));
                for (Path file : files.subList(1, files.size())) {
                    if (!ImageParquet.readSchema(file).equals(schema)) {
                        throw Options.invalid(
                                TrainOptions.INPUT,
                                input,
                                file + " has another schema than " + files.get(0));
                    }
                }
            } catch (IOException e) {
                throw Options.invalid(TrainOptions.INPUT, input, e.getMessage());
            }
            for (String needed :
                    List.of(ImageParquet.IMAGE_NAME, ImageParquet.SPECIES_ID, column)) {
                if (schema.getField(needed) == null) {
                    throw Options.invalid(
                            TrainOptions.INPUT,
                            input,
                            files.get(0)
                                    + " has no '"
                                    + needed
                                    + "' column"
                                    + (needed.equals(EmbeddingParquet.DCT)
                                            ? " (embed with --dct, or train with --feature CLS)"
                                            : ""));
                }
            }
            JobPaths.checkOutputs(
                    inputPath,
                    output,
                    TrainOptions.OUTPUT,
                    new Path(output, "_dead_letters").toString(),
                    TrainOptions.OUTPUT,
                    overwrite);
            LinearTrainer.Params params =
                    new LinearTrainer.Params(
                            Options.get(conf, TrainOptions.LOSS),
                            epochs,
                            batch,
                            (float) lr,
                            patience,
                            Options.get(conf, TrainOptions.BALANCED),
                            Options.get(conf, TrainOptions.SEED));
            return new Settings(
                    input, output, column, minImages, fraction, params, overwrite, files, schema);
        }
    }

    /** What a run did. */
    public record Summary(String output, String infoJson, long deadLetters, Duration elapsed) {

        /** The validation accuracy of the best epoch (the one kept), NaN if none was run. */
        public double validationAccuracy() {
            try {
                com.fasterxml.jackson.databind.JsonNode info =
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(infoJson);
                com.fasterxml.jackson.databind.JsonNode best =
                        info.path("epochs").get(info.path("best_epoch").asInt() - 1);
                return best == null ? Double.NaN : best.path("val_accuracy").asDouble();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("unreadable training summary", e);
            }
        }
    }

    public Summary run(StreamExecutionEnvironment env) throws Exception {
        long start = System.nanoTime();
        JobPaths.deleteIfOverwrite(settings.overwrite(), settings.output());
        env.configure(BatchJobs.configuration());
        FileSource<GenericRecord> source =
                FileSource.forRecordStreamFormat(
                                AvroParquetReaders.forGenericRecord(settings.schema()),
                                settings.files().toArray(new Path[0]))
                        .build();
        SingleOutputStreamOperator<Sample> samples =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "embedding parquet")
                        .uid("embedding-parquet")
                        .process(
                                new ToSample(
                                        settings.input(),
                                        settings.column(),
                                        settings.params().seed(),
                                        settings.valFraction()))
                        .name("sample (" + settings.column() + ", split)")
                        .uid("to-sample");
        DataStream<String> trained =
                samples.transform(
                                "train " + settings.params().loss(),
                                Types.STRING,
                                new TrainOperator(
                                        settings.params(),
                                        settings.minImages(),
                                        settings.column().equals(EmbeddingParquet.CLS)
                                                ? "cls"
                                                : "dct",
                                        settings.output()))
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .uid("train");
        DeadLetters.sink(
                samples.getSideOutput(DeadLetters.TAG)
                        .map(new Counted<DeadLetter>(DEAD_LETTERS))
                        .name("count dead letters")
                        .uid("count-dead-letters"),
                new Path(settings.output(), "_dead_letters").toString());
        List<String> results = new ArrayList<>();
        JobExecutionResult result;
        try (CloseableIterator<String> it = trained.collectAsync()) {
            result = env.execute("plantclef train " + settings.input());
            it.forEachRemaining(results::add);
        }
        if (results.size() != 1) {
            throw new IllegalStateException("expected one training summary, got " + results.size());
        }
        Summary summary =
                new Summary(
                        settings.output(),
                        results.get(0),
                        BatchJobs.count(result, DEAD_LETTERS),
                        Duration.ofNanos(System.nanoTime() - start));
        LOG.info(
                String.format(
                        Locale.ROOT,
                        "Train finished in %.1f s: %s",
                        summary.elapsed().toMillis() / 1000.0,
                        settings.output()));
        return summary;
    }

    /** A row to a sample of the chosen feature, or a dead letter when it cannot be one. */
    static final class ToSample extends ProcessFunction<GenericRecord, Sample> {
        private static final long serialVersionUID = 1L;
        private final String input;
        private final String column;
        private final long seed;
        private final double fraction;

        ToSample(String input, String column, long seed, double fraction) {
            this.input = input;
            this.column = column;
            this.seed = seed;
            this.fraction = fraction;
        }

        @Override
        public void processElement(GenericRecord row, Context ctx, Collector<Sample> out) {
            Object nameValue = row.get(ImageParquet.IMAGE_NAME);
            String name = nameValue == null ? "?" : nameValue.toString();
            Object species = row.get(ImageParquet.SPECIES_ID);
            Object features = row.get(column);
            String problem =
                    species == null
                            ? "has no species_id"
                            : features == null ? "has no " + column : null;
            if (problem == null) {
                float[] x = EmbeddingParquet.floats(features);
                if (x.length == 0) {
                    problem = "has an empty " + column;
                } else {
                    out.collect(
                            new Sample(
                                    name,
                                    ((Number) species).longValue(),
                                    x,
                                    Split.isValidation(name, seed, fraction)));
                    return;
                }
            }
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(input + "#" + name, "train", "row '" + name + "' " + problem));
        }
    }
}
