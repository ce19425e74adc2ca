package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.classify.Classifier;
import org.plantclef.classify.LossKind;
import org.plantclef.embed.TinyModels;
import org.plantclef.io.EmbeddingParquet;
import org.plantclef.synth.SyntheticDataset;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/** synth -> ingest -> embed (tiny model) -> train, on the MiniCluster. */
class TrainJobITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir static Path shared;
    static Path embeddings;

    @BeforeAll
    static void embed() throws Exception {
        SyntheticDataset.Result data =
                SyntheticDataset.generate(
                        shared.resolve("data"),
                        new SyntheticDataset.Spec(5, 40, 0, 96, 96, 96, 2, 21));
        Path images = shared.resolve("images");
        Configuration ingest = new Configuration();
        ingest.set(IngestOptions.INPUT, data.layout().train().toString());
        ingest.set(IngestOptions.OUTPUT, images.toString());
        ingest.set(IngestOptions.SQUARE_SIZE, 64);
        new IngestJob(IngestJob.Settings.from(ingest))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        embeddings = shared.resolve("embeddings");
        Configuration embed = new Configuration();
        embed.set(EmbedOptions.INPUT, images.toString());
        embed.set(EmbedOptions.OUTPUT, embeddings.toString());
        embed.set(EmbedOptions.MODEL, TinyModels.tokens().toString());
        embed.set(EmbedOptions.IMAGE_SIZE, 56);
        embed.set(EmbedOptions.BATCH_SIZE, 8);
        embed.set(EmbedOptions.THREADS, 1);
        embed.set(EmbedOptions.DCT, true);
        new EmbedJob(EmbedJob.Settings.from(embed))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    private Configuration conf(Path output) {
        Configuration conf = new Configuration();
        conf.set(TrainOptions.INPUT, embeddings.toString());
        conf.set(TrainOptions.OUTPUT, output.toString());
        conf.set(TrainOptions.MIN_IMAGES, 5);
        conf.set(TrainOptions.EPOCHS, 60);
        conf.set(TrainOptions.PATIENCE, 60);
        conf.set(TrainOptions.LEARNING_RATE, 0.02);
        conf.set(TrainOptions.BATCH_SIZE, 16);
        conf.set(TrainOptions.SEED, 7L);
        return conf;
    }

    private static TrainJob.Summary train(Configuration conf) throws Exception {
        return new TrainJob(TrainJob.Settings.from(conf))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    @Test
    void writesAClassifierDirectoryReproduciblyAndLearnsTheSyntheticSpecies() throws Exception {
        Path first = shared.resolve("classifier-a");
        Path second = shared.resolve("classifier-b");
        TrainJob.Summary summary = train(conf(first));
        // The second run reads with parallelism 1 instead of the cluster's 2: samples arrive in
        // another order, the result must not change.
        StreamExecutionEnvironment serial = StreamExecutionEnvironment.getExecutionEnvironment();
        serial.setParallelism(1);
        new TrainJob(TrainJob.Settings.from(conf(second))).run(serial);

        assertThat(Files.readAllBytes(second.resolve("species.txt")))
                .isEqualTo(Files.readAllBytes(first.resolve("species.txt")));
        assertThat(Files.readAllBytes(second.resolve("weights.safetensors")))
                .isEqualTo(Files.readAllBytes(first.resolve("weights.safetensors")));

        Classifier classifier = Classifier.load(first);
        assertThat(classifier.classes()).isEqualTo(5);
        assertThat(classifier.dim()).isEqualTo(48);
        assertThat(classifier.loss()).isEqualTo(LossKind.NLL);
        assertThat(classifier.feature()).isEqualTo("cls");

        JsonNode info = new ObjectMapper().readTree(summary.infoJson());
        assertThat(info.path("data").path("images").asInt()).isEqualTo(200);
        assertThat(
                        info.path("data").path("train_images").asInt()
                                + info.path("data").path("val_images").asInt())
                .isEqualTo(200);
        double valAccuracy =
                info.path("epochs")
                        .get(info.path("best_epoch").asInt() - 1)
                        .path("val_accuracy")
                        .asDouble();
        // Chance is 0.2: the tiny random-weight model's embeddings still separate the species.
        assertThat(valAccuracy).isGreaterThan(0.5); // measured 0.65

        // The classifier scores the training embeddings mostly right, in plain Java.
        int correct = 0;
        List<GenericRecord> rows = OutputFiles.parquetRows(embeddings);
        for (GenericRecord row : rows) {
            float[] p = classifier.probabilities(EmbeddingParquet.floats(row.get("cls_embedding")));
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                best = p[c] > p[best] ? c : best;
            }
            correct += classifier.labels().speciesOf(best) == (Long) row.get("species_id") ? 1 : 0;
        }
        assertThat(correct / (double) rows.size()).isGreaterThan(0.7);
    }

    @Test
    void speciesBelowTheMinimumAreLeftOutAndTheIndexIsByCountThenId() throws Exception {
        Path out = shared.resolve("classifier-min");
        Configuration conf = conf(out);
        conf.set(TrainOptions.MIN_IMAGES, 41); // every species has 40 images
        assertThatThrownBy(() -> train(conf))
                .hasStackTraceContaining("0 species have at least 41 images");

        Path dct = shared.resolve("classifier-dct");
        Configuration dctConf = conf(dct);
        dctConf.set(TrainOptions.FEATURE, TrainOptions.Feature.DCT);
        dctConf.set(TrainOptions.LOSS, LossKind.ASL);
        dctConf.set(TrainOptions.EPOCHS, 3);
        train(dctConf);
        Classifier classifier = Classifier.load(dct);
        assertThat(classifier.dim()).isEqualTo(64);
        assertThat(classifier.loss()).isEqualTo(LossKind.ASL);
        // All species have 40 images: a tie everywhere, so ids ascending.
        List<Long> species = classifier.labels().species();
        assertThat(species).isSorted();
        Map<Long, Integer> counts = new HashMap<>();
        for (GenericRecord row : OutputFiles.parquetRows(embeddings)) {
            counts.merge((Long) row.get("species_id"), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(species);
    }

    @Test
    void aMissingFeatureColumnIsAConfigurationError() {
        Configuration conf = conf(shared.resolve("nope"));
        conf.set(TrainOptions.INPUT, shared.resolve("images").toString());
        assertThatThrownBy(() -> TrainJob.Settings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--input (train.input)")
                .hasMessageContaining("has no 'cls_embedding' column");
    }

    /**
     * 600 species, 1024 features: a 2.4 MB classifier (the collect sink's default batch is 2 MB),
     * and species with 1, 2 or 3 images, so the index order by count is visible.
     */
    @Test
    void aLargeClassifierAndTheIndexByCountThenIdAtJobLevel() throws Exception {
        Path input = shared.resolve("wide-embeddings");
        Files.createDirectories(input);
        org.apache.avro.Schema schema = EmbeddingParquet.schema(false, false);
        java.util.Random random = new java.util.Random(5);
        List<GenericRecord> rows = new java.util.ArrayList<>();
        for (int s = 0; s < 600; s++) {
            long species = 2_000_000L + (599 - s); // ids descending while counts cycle
            for (int k = 0; k <= s % 3; k++) {
                float[] x = new float[1024];
                for (int d = 0; d < 1024; d++) {
                    x[d] = (float) random.nextGaussian();
                }
                rows.add(
                        EmbeddingParquet.toAvro(
                                new org.plantclef.record.EmbeddingRecord(
                                        "w-" + s + "-" + k + ".jpg", species, null, null, x, null),
                                schema));
            }
        }
        try (org.apache.parquet.hadoop.ParquetWriter<GenericRecord> writer =
                org.apache.parquet.avro.AvroParquetWriter.<GenericRecord>builder(
                                org.apache.parquet.hadoop.util.HadoopOutputFile.fromPath(
                                        new org.apache.hadoop.fs.Path(
                                                input.resolve("part-0.parquet").toUri()),
                                        new org.apache.hadoop.conf.Configuration()))
                        .withSchema(schema)
                        .build()) {
            for (GenericRecord row : rows) {
                writer.write(row);
            }
        }
        Path out = shared.resolve("classifier-wide");
        Configuration conf = conf(out);
        conf.set(TrainOptions.INPUT, input.toString());
        conf.set(TrainOptions.MIN_IMAGES, 1);
        conf.set(TrainOptions.EPOCHS, 1);
        conf.set(TrainOptions.VAL_FRACTION, 0.0);
        train(conf);

        Classifier classifier = Classifier.load(out);
        assertThat(classifier.classes()).isEqualTo(600);
        assertThat(classifier.dim()).isEqualTo(1024);
        assertThat(Files.size(out.resolve("weights.safetensors"))).isGreaterThan(2_400_000L);
        List<Long> species = classifier.labels().species();
        // Species s has 1 + s % 3 images and id 2_000_000 + 599 - s: by count, then id ascending.
        assertThat(species.get(0))
                .isEqualTo(2_000_000L + 599 - 599); // s = 599: 3 images, id smallest
        for (int i = 1; i < species.size(); i++) {
            long a = species.get(i - 1);
            long b = species.get(i);
            int countA = 1 + (int) (599 - (a - 2_000_000L)) % 3;
            int countB = 1 + (int) (599 - (b - 2_000_000L)) % 3;
            assertThat(countA > countB || (countA == countB && a < b))
                    .as(a + " before " + b)
                    .isTrue();
        }
    }
}
