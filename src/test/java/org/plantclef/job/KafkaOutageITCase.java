package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.TinyModels;
import org.plantclef.image.ImageEncoder;
import org.plantclef.testutil.BadInputs;
import org.plantclef.testutil.KafkaBroker;
import org.plantclef.testutil.MiniClusters;

/**
 * The Kafka broker goes away for several seconds while a streaming predict reads upload events from
 * it and writes predictions to it, some of them in flight; once it is back, every plot's prediction
 * is committed exactly once for read_committed readers.
 */
class KafkaOutageITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    private static final int PLOTS = 8;
    private static final Duration OUTAGE = Duration.ofSeconds(6);

    @TempDir static Path tmp;
    static KafkaBroker kafka;
    static Path photos;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = KafkaBroker.start();
        photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < PLOTS; i++) {
            Files.write(
                    photos.resolve(plot(i) + ".jpg"),
                    ImageEncoder.jpeg(BadInputs.noise(120, 90, i), 0.9f));
        }
        model = TinyModels.headModel(tmp.resolve("head"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String plot(int i) {
        return "OUTAGE-" + i;
    }

    private static void upload(int i) throws Exception {
        kafka.send(
                "outage-uploads",
                plot(i),
                "{\"uri\": \"" + photos.resolve(plot(i) + ".jpg").toUri() + "\"}");
    }

    @Test
    void aBrokerOutageLosesAndDuplicatesNothing() throws Exception {
        kafka.createTopics("outage-uploads", "outage-predictions", "outage-dead-letters");
        Configuration conf = HeadPredict.kafka(model, kafka, "outage", photos);
        conf.set(PredictOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        conf.set(PredictOptions.KAFKA_TRANSACTION_TIMEOUT, Duration.ofMinutes(1));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobClient job = new PredictJob(PredictJob.Settings.from(conf)).start(env);
        List<ConsumerRecord<String, String>> predictions;
        double recovery;
        try {
            for (int i = 0; i < 3; i++) {
                upload(i);
            }
            assertThat(kafka.readCommitted("outage-predictions", 3, Duration.ofSeconds(90)))
                    .hasSize(3);
            // Two more uploads, and the broker goes while they are being scored and written.
            upload(3);
            upload(4);
            kafka.stopBroker();
            Thread.sleep(OUTAGE.toMillis());
            kafka.startBroker();
            long restarted = System.nanoTime();
            for (int i = 5; i < PLOTS; i++) {
                upload(i);
            }
            predictions = kafka.readCommitted("outage-predictions", PLOTS, Duration.ofSeconds(120));
            recovery = (System.nanoTime() - restarted) / 1e9;
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
        System.out.printf(
                "Kafka outage of %d s: all %d predictions committed %.1f s after the broker"
                        + " came back%n",
                OUTAGE.toSeconds(), PLOTS, recovery);
        Map<String, Integer> counts = new HashMap<>();
        predictions.forEach(r -> counts.merge(r.key(), 1, Integer::sum));
        assertThat(counts)
                .as("every plot exactly once")
                .containsOnlyKeys(
                        IntStream.range(0, PLOTS).mapToObj(KafkaOutageITCase::plot).toList())
                .allSatisfy((plot, n) -> assertThat(n).as(plot).isEqualTo(1));
        assertThat(kafka.readCommitted("outage-dead-letters", 0, Duration.ZERO)).isEmpty();
    }
}
