package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.testutil.GcsEmulator;
import org.plantclef.testutil.KafkaBroker;
import org.plantclef.testutil.MiniClusters;

/**
 * Continuous scoring from Google Cloud Storage, against a GCS JSON-API emulator on 127.0.0.1:
 * Flink's gs:// plugin watching a prefix, and the Cloud Storage client fetching the objects that
 * upload events name; predictions and dead letters to a real Kafka broker.
 */
class GcsPredictITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;
    static TrainedFixture fixture;
    static KafkaBroker kafka;
    static GcsEmulator gcs;

    @BeforeAll
    static void setUp() throws Exception {
        gcs = GcsEmulator.start();
        kafka = KafkaBroker.start();
        Configuration fs = gcs.flinkConfiguration();
        FileSystem.initialize(fs, PluginUtils.createPluginManagerFromRootFolder(fs));
        fixture = TrainedFixture.create(shared, 6);
        gcs.createBucket("plots");
    }

    @AfterAll
    static void tearDown() throws Exception {
        FileSystem.initialize(new Configuration(), null);
        if (kafka != null) {
            kafka.close();
        }
        if (gcs != null) {
            gcs.close();
        }
    }

    private static byte[] photo(int i) throws Exception {
        String plot = fixture.data().plots().get(i).plotId();
        return Files.readAllBytes(fixture.data().layout().plots().resolve(plot + ".jpg"));
    }

    private static String plot(int i) {
        return fixture.data().plots().get(i).plotId();
    }

    private static Configuration streaming(String out, String letters) {
        Configuration conf = fixture.predictConf("grid-argmax");
        conf.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        conf.set(PredictOptions.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        conf.set(PredictOptions.KAFKA_OUT, out);
        conf.set(PredictOptions.KAFKA_DEAD_LETTERS, letters);
        conf.set(PredictOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        conf.set(PredictOptions.WATCH_INTERVAL, Duration.ofMillis(300));
        conf.set(PredictOptions.MAX_WAIT, Duration.ofMillis(100));
        conf.set(PredictOptions.KAFKA_TRANSACTION_TIMEOUT, Duration.ofMinutes(1));
        return conf;
    }

    private static JobClient start(Configuration conf) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return new PredictJob(PredictJob.Settings.from(conf)).start(env);
    }

    private static Map<String, Integer> countByKey(List<ConsumerRecord<String, String>> records) {
        Map<String, Integer> counts = new HashMap<>();
        records.forEach(r -> counts.merge(r.key(), 1, Integer::sum));
        return counts;
    }

    @Test
    void watchesAGsPrefixAndScoresObjectsUploadedWhileItRuns() throws Exception {
        kafka.createTopics("gs-predictions", "gs-dead-letters");
        gcs.upload("plots", "incoming/" + plot(0) + ".jpg", photo(0));
        Configuration conf = streaming("gs-predictions", "gs-dead-letters");
        conf.set(PredictOptions.WATCH, "gs://plots/incoming/");
        JobClient job = start(conf);
        List<ConsumerRecord<String, String>> records;
        try {
            assertThat(kafka.readCommitted("gs-predictions", 1, WAIT)).hasSize(1);
            for (int i = 1; i < 4; i++) {
                gcs.upload("plots", "incoming/" + plot(i) + ".jpg", photo(i));
            }
            gcs.upload("plots", "elsewhere/" + plot(4) + ".jpg", photo(4));
            records = kafka.readCommitted("gs-predictions", 4, WAIT);
        } finally {
            job.cancel().get();
        }
        assertThat(countByKey(records))
                .containsOnlyKeys(plot(0), plot(1), plot(2), plot(3))
                .allSatisfy((plot, n) -> assertThat(n).as(plot).isEqualTo(1));
        for (ConsumerRecord<String, String> r : records) {
            assertThat(JSON.readTree(r.value()).path("species_ids").size()).isPositive();
        }
    }

    @Test
    void storageErrorsAreRetriedThenDeadLetteredAndAServiceThatStopsAnsweringTimesOut()
            throws Exception {
        kafka.createTopics("faulty-uploads", "faulty-predictions", "faulty-dead-letters");
        String[] objects = {"flaky", "down", "hang", "fine"};
        for (int i = 0; i < objects.length; i++) {
            gcs.upload("plots", "faulty/" + objects[i] + "/" + plot(i) + ".jpg", photo(i));
        }
        // Two 503s then service; 503 for good; no answer at all.
        gcs.fault("faulty/flaky/", "error", 503, 2);
        gcs.fault("faulty/down/", "error", 503, -1);
        gcs.fault("faulty/hang/", "hang", 0, -1);
        Configuration conf = streaming("faulty-predictions", "faulty-dead-letters");
        conf.set(PredictOptions.KAFKA_IN, "faulty-uploads");
        conf.set(PredictOptions.KAFKA_GROUP, "faulty-it");
        conf.set(PredictOptions.KAFKA_ALLOWED_URIS, "gs://plots/faulty/");
        conf.set(PredictOptions.GCS_ENDPOINT, gcs.endpoint());
        conf.set(PredictOptions.GCS_PROJECT, GcsEmulator.PROJECT);
        conf.set(PredictOptions.FETCH_ATTEMPTS, 3);
        conf.set(PredictOptions.FETCH_TIMEOUT, Duration.ofSeconds(1));
        for (int i = 0; i < objects.length; i++) {
            kafka.send(
                    "faulty-uploads",
                    plot(i),
                    "{\"uri\": \"gs://plots/faulty/" + objects[i] + "/" + plot(i) + ".jpg\"}");
        }
        long start = System.nanoTime();
        JobClient job = start(conf);
        List<ConsumerRecord<String, String>> predictions;
        List<ConsumerRecord<String, String>> letters;
        int[] hits = new int[3];
        try {
            predictions = kafka.readCommitted("faulty-predictions", 2, WAIT);
            letters = kafka.readCommitted("faulty-dead-letters", 2, WAIT);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            for (int i = 0; i < 3; i++) {
                hits[i] = gcs.faultHits("faulty/" + objects[i] + "/");
            }
            System.out.printf(
                    "GCS faults: 2 plots scored and 2 dead letters %.1f s after the job started%n",
                    (System.nanoTime() - start) / 1e9);
            assertThat(countByKey(predictions))
                    .containsOnlyKeys(plot(0), plot(3))
                    .allSatisfy((plot, n) -> assertThat(n).isEqualTo(1));
            Map<String, JsonNode> bySource = new HashMap<>();
            for (ConsumerRecord<String, String> letter : letters) {
                JsonNode value = JSON.readTree(letter.value());
                bySource.put(value.path("source").asText(), value);
            }
            String down = "gs://plots/faulty/down/" + plot(1) + ".jpg";
            String hang = "gs://plots/faulty/hang/" + plot(2) + ".jpg";
            assertThat(bySource).containsOnlyKeys(down, hang);
            System.out.println(
                    "GCS faults: dead letters "
                            + bySource.values().stream()
                                    .map(v -> v.path("reason").asText())
                                    .toList());
            assertThat(bySource.get(down).path("reason").asText())
                    .startsWith("cannot read " + down + " after 3 attempts")
                    .contains("HTTP 503");
            assertThat(bySource.get(hang).path("reason").asText())
                    .startsWith("cannot read " + hang + " after 3 attempts")
                    .contains("no answer");
            // Requests failed: the flaky object's 2, then 3 tries of each of the others.
            assertThat(hits).containsExactly(2, 3, 3);

            // Storage is healthy again: replaying the dead letters' events scores the rest.
            gcs.clearFaults();
            for (JsonNode letter : bySource.values()) {
                assertThat(letter.path("payload").asText())
                        .contains(letter.path("source").asText());
                kafka.send("faulty-uploads", "replay", letter.path("payload").asText());
            }
            predictions = kafka.readCommitted("faulty-predictions", 4, WAIT);
        } finally {
            job.cancel().get();
            gcs.clearFaults();
        }
        assertThat(countByKey(predictions))
                .as("all four plots, each once, after the replay")
                .containsOnlyKeys(plot(0), plot(1), plot(2), plot(3))
                .allSatisfy((plot, n) -> assertThat(n).isEqualTo(1));
    }

    @Test
    void kafkaEventsNamingGsObjectsAreFetchedWithTheStorageClient() throws Exception {
        kafka.createTopics("gs-uploads", "gs-event-predictions", "gs-event-dead-letters");
        for (int i = 0; i < 3; i++) {
            gcs.upload("plots", "events/" + plot(i) + ".jpg", photo(i));
        }
        Configuration conf = streaming("gs-event-predictions", "gs-event-dead-letters");
        conf.set(PredictOptions.KAFKA_IN, "gs-uploads");
        conf.set(PredictOptions.KAFKA_GROUP, "gs-it");
        conf.set(PredictOptions.KAFKA_ALLOWED_URIS, "gs://plots/events/");
        conf.set(PredictOptions.GCS_ENDPOINT, gcs.endpoint());
        conf.set(PredictOptions.GCS_PROJECT, GcsEmulator.PROJECT);
        List<String> plots = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            plots.add(plot(i));
            kafka.send(
                    "gs-uploads",
                    plot(i),
                    "{\"plot_id\": \""
                            + plot(i)
                            + "\", \"uri\": \"gs://plots/events/"
                            + plot(i)
                            + ".jpg\"}");
        }
        kafka.send("gs-uploads", "missing", "{\"uri\": \"gs://plots/events/NOT-THERE.jpg\"}");
        kafka.send("gs-uploads", "malformed", "[\"gs://plots/events/x.jpg\"]");
        JobClient job = start(conf);
        List<ConsumerRecord<String, String>> predictions;
        List<ConsumerRecord<String, String>> letters;
        try {
            predictions = kafka.readCommitted("gs-event-predictions", 3, WAIT);
            letters = kafka.readCommitted("gs-event-dead-letters", 2, WAIT);
        } finally {
            job.cancel().get();
        }
        assertThat(countByKey(predictions))
                .containsOnlyKeys(plots)
                .allSatisfy((plot, n) -> assertThat(n).isEqualTo(1));
        List<String> reasons = new ArrayList<>();
        for (ConsumerRecord<String, String> letter : letters) {
            reasons.add(JSON.readTree(letter.value()).path("reason").asText());
        }
        assertThat(reasons)
                .hasSize(2)
                .anySatisfy(
                        r ->
                                assertThat(r)
                                        .isEqualTo(
                                                "no such object: gs://plots/events/NOT-THERE.jpg"))
                .anySatisfy(r -> assertThat(r).contains("expected a JSON object"));
    }
}
