package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.synth.SyntheticDataset;
import org.plantclef.testutil.KafkaBroker;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/**
 * Continuous scoring on the MiniCluster against a real (in-process, KRaft) Kafka broker: a watched
 * directory, a stop with savepoint and a restore, Kafka in and out, exactly once.
 */
class ContinuousPredictITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;
    static TrainedFixture fixture;
    static KafkaBroker kafka;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = KafkaBroker.start();
        fixture = TrainedFixture.create(shared, 8);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static List<Path> photos() {
        return fixture.data().plots().stream()
                .map(p -> fixture.data().layout().plots().resolve(p.plotId() + ".jpg"))
                .toList();
    }

    /** Drops a photo into {@code dir} as an uploader should: hidden name first, then renamed. */
    private static void drop(Path photo, Path dir) throws Exception {
        Path tmp = dir.resolve("." + photo.getFileName() + ".tmp");
        Files.copy(photo, tmp);
        Files.move(tmp, dir.resolve(photo.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    private static Configuration streaming(String strategy) {
        Configuration conf = fixture.predictConf(strategy);
        conf.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        conf.set(PredictOptions.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        conf.set(PredictOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        conf.set(PredictOptions.WATCH_INTERVAL, Duration.ofMillis(200));
        conf.set(PredictOptions.MAX_WAIT, Duration.ofMillis(100));
        conf.set(PredictOptions.KAFKA_TRANSACTION_TIMEOUT, Duration.ofMinutes(1));
        return conf;
    }

    private static JobClient start(Configuration conf, Configuration envConf) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        env.setParallelism(2);
        return new PredictJob(PredictJob.Settings.from(conf)).start(env);
    }

    private static Map<String, Integer> countByKey(List<ConsumerRecord<String, String>> records) {
        Map<String, Integer> counts = new HashMap<>();
        records.forEach(r -> counts.merge(r.key(), 1, Integer::sum));
        return counts;
    }

    @Test
    void watchedDirectoryToKafkaExactlyOnceAcrossAStopWithSavepointAndARestore() throws Exception {
        kafka.createTopics("predictions-watch", "dead-letters-watch");
        Path watched = Files.createDirectories(shared.resolve("watched"));
        Configuration conf = streaming("grid-argmax");
        conf.set(PredictOptions.WATCH, watched.toString());
        conf.set(PredictOptions.KAFKA_OUT, "predictions-watch");
        conf.set(PredictOptions.KAFKA_DEAD_LETTERS, "dead-letters-watch");
        Path out = shared.resolve("watch-out");
        conf.set(PredictOptions.OUTPUT, out.toString());
        List<Path> photos = photos();

        JobClient first = start(conf, new Configuration());
        for (Path photo : photos.subList(0, 3)) {
            drop(photo, watched);
        }
        Files.write(watched.resolve("NOT-AN-IMAGE.jpg"), new byte[] {1, 2, 3});
        assertThat(kafka.readCommitted("predictions-watch", 3, WAIT)).hasSize(3);
        // The file outputs of an unbounded run are committed at checkpoints too.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (OutputFiles.jsonLines(out.resolve("predictions")).size() < 3
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(OutputFiles.jsonLines(out.resolve("predictions"))).hasSize(3);
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                shared.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();

        // Uploads go on while the job is down; the restored job picks them up, and only them.
        for (Path photo : photos.subList(3, 8)) {
            drop(photo, watched);
        }
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = start(conf, restore);
        List<ConsumerRecord<String, String>> records;
        try {
            records = kafka.readCommitted("predictions-watch", 8, WAIT);
        } finally {
            second.cancel().get();
        }

        Map<String, Integer> counts = countByKey(records);
        assertThat(counts)
                .as("every plot exactly once across both runs")
                .hasSize(8)
                .allSatisfy((plot, n) -> assertThat(n).as(plot).isEqualTo(1));
        assertThat(counts.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        fixture.data().plots().stream()
                                .map(SyntheticDataset.Plot::plotId)
                                .toList());
        for (ConsumerRecord<String, String> record : records) {
            JsonNode value = JSON.readTree(record.value());
            assertThat(value.path("plot_id").asText()).isEqualTo(record.key());
            assertThat(value.path("complete").asBoolean()).isTrue();
            assertThat(value.path("species_ids").size()).isPositive();
        }
        assertThat(OutputFiles.jsonLines(out.resolve("predictions")))
                .extracting(n -> n.path("plot_id").asText())
                .containsExactlyInAnyOrderElementsOf(counts.keySet());
        List<String> rows = new ArrayList<>();
        for (Path part : OutputFiles.files(out.resolve("submission"), ".csv")) {
            List<String> lines = Files.readAllLines(part);
            assertThat(lines.get(0)).isEqualTo("plot_id;species_ids");
            rows.addAll(lines.subList(1, lines.size()));
        }
        assertThat(rows).hasSize(8).doesNotHaveDuplicates();
        List<ConsumerRecord<String, String>> letters =
                kafka.readCommitted("dead-letters-watch", 1, Duration.ofSeconds(5));
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).value()).contains("NOT-AN-IMAGE.jpg");
    }

    @Test
    void kafkaUploadEventsAreFetchedScoredOrDeadLettered() throws Exception {
        kafka.createTopics("uploads", "predictions-kafka", "dead-letters-kafka");
        Configuration conf = streaming("grid-topk");
        conf.set(PredictOptions.KAFKA_IN, "uploads");
        conf.set(PredictOptions.KAFKA_GROUP, "predict-it");
        conf.set(
                PredictOptions.KAFKA_ALLOWED_URIS,
                fixture.data().layout().plots().toUri().toString());
        conf.set(PredictOptions.KAFKA_OUT, "predictions-kafka");
        conf.set(PredictOptions.KAFKA_DEAD_LETTERS, "dead-letters-kafka");
        List<Path> photos = photos();
        List<String> plots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String plot = "UPLOAD-" + i;
            plots.add(plot);
            kafka.send(
                    "uploads",
                    plot,
                    "{\"plot_id\": \"" + plot + "\", \"uri\": \"" + photos.get(i).toUri() + "\"}");
        }
        kafka.send(
                "uploads",
                "gone",
                "{\"plot_id\": \"GONE\", \"uri\": \""
                        + fixture.data().layout().plots().resolve("gone.jpg").toUri()
                        + "\"}");
        kafka.send(
                "uploads", "escape", "{\"plot_id\": \"ESCAPE\", \"uri\": \"file:///etc/passwd\"}");
        kafka.send("uploads", "garbage", "{\"plot_id\": \"BROKEN\", \"uri\": ");

        JobClient job = start(conf, new Configuration());
        List<ConsumerRecord<String, String>> predictions;
        List<ConsumerRecord<String, String>> letters;
        try {
            predictions = kafka.readCommitted("predictions-kafka", 3, WAIT);
            letters = kafka.readCommitted("dead-letters-kafka", 3, WAIT);
        } finally {
            job.cancel().get();
        }
        assertThat(countByKey(predictions))
                .containsOnlyKeys(plots)
                .allSatisfy((plot, n) -> assertThat(n).isEqualTo(1));
        assertThat(letters).hasSize(3);
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<String, String> letter : letters) {
            reasons.add(JSON.readTree(letter.value()).path("reason").asText());
        }
        assertThat(reasons)
                .anySatisfy(r -> assertThat(r).startsWith("no such object").contains("gone.jpg"))
                .anySatisfy(r -> assertThat(r).startsWith("not JSON"))
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .isEqualTo(
                                                "file:///etc/passwd is outside the allowed"
                                                        + " locations ("
                                                        + fixture.data().layout().plots().toUri()
                                                        + "); not read"));
    }

    @Test
    void unboundedSourcesNeedStreamingAndKafkaNeedsServers() {
        Configuration watch = fixture.predictConf("grid-argmax");
        watch.set(PredictOptions.WATCH, shared.toString());
        watch.set(PredictOptions.OUTPUT, shared.resolve("never").toString());
        assertThatThrownBy(() -> PredictJob.Settings.from(watch))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--mode (predict.mode)")
                .hasMessageContaining("needs --mode STREAMING");
        Configuration noServers = fixture.predictConf("grid-argmax");
        noServers.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        noServers.set(PredictOptions.KAFKA_IN, "uploads");
        noServers.set(PredictOptions.KAFKA_OUT, "out");
        assertThatThrownBy(() -> PredictJob.Settings.from(noServers))
                .hasMessageContaining("--kafka-bootstrap (predict.kafka-bootstrap)");
        Configuration noAllowList = streaming("grid-argmax");
        noAllowList.set(PredictOptions.KAFKA_IN, "uploads");
        noAllowList.set(PredictOptions.KAFKA_OUT, "out");
        noAllowList.set(PredictOptions.KAFKA_DEAD_LETTERS, "letters");
        assertThatThrownBy(() -> PredictJob.Settings.from(noAllowList))
                .hasMessageContaining("--kafka-allowed-uris (predict.kafka-allowed-uris)");
        Configuration noSink = streaming("grid-argmax");
        noSink.set(PredictOptions.KAFKA_IN, "uploads");
        noSink.set(PredictOptions.KAFKA_ALLOWED_URIS, "file:///tmp/");
        assertThatThrownBy(() -> PredictJob.Settings.from(noSink))
                .hasMessageContaining("--output (predict.output)");
        Configuration noLetters = streaming("grid-argmax");
        noLetters.set(PredictOptions.KAFKA_IN, "uploads");
        noLetters.set(PredictOptions.KAFKA_ALLOWED_URIS, "file:///tmp/");
        noLetters.set(PredictOptions.KAFKA_OUT, "out");
        assertThatThrownBy(() -> PredictJob.Settings.from(noLetters))
                .hasMessageContaining("--kafka-dead-letters");
        Configuration two = streaming("grid-argmax");
        two.set(PredictOptions.KAFKA_IN, "uploads");
        two.set(PredictOptions.WATCH, shared.toString());
        two.set(PredictOptions.KAFKA_OUT, "out");
        assertThatThrownBy(() -> PredictJob.Settings.from(two))
                .hasMessageContaining("only one of --input, --watch and --kafka-in");
    }
}
