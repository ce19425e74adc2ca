package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.TinyModels;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.Interpolation;
import org.plantclef.image.Resizer;
import org.plantclef.testutil.BadInputs;
import org.plantclef.testutil.KafkaBroker;
import org.plantclef.testutil.MiniClusters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sustained streaming run fed far faster than it can score: {@value #DEFAULT_PLOTS} upload events
 * (1200×900 photos, 9 tiles each) land on the topic at once, and the job works through them for
 * tens of seconds while the backlog waits in Kafka. Checks that nothing is lost or duplicated, that
 * checkpoints keep completing, and that the heap stays bounded; logs the figures (peak heap, heap
 * after GC, checkpoint durations, plots per second). {@code -Dplantclef.load.plots=N} runs longer.
 */
class LoadITCase {

    private static final Logger LOG = LoggerFactory.getLogger(LoadITCase.class);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    private static final int DEFAULT_PLOTS = 3000;
    private static final int PHOTOS = 24;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path tmp;
    static KafkaBroker kafka;
    static Path photos;
    static Path model;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = KafkaBroker.start();
        photos = Files.createDirectories(tmp.resolve("photos"));
        for (int i = 0; i < PHOTOS; i++) {
            // Smooth, photo-like content: coarse noise enlarged, ~1 MP.
            Files.write(
                    photos.resolve("photo-" + i + ".jpg"),
                    ImageEncoder.jpeg(
                            Resizer.resize(
                                    BadInputs.noise(160, 120, i), 1200, 900, Interpolation.BICUBIC),
                            0.9f));
        }
        model = TinyModels.headModel(tmp.resolve("head"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * Watches the heap: the largest used (garbage included), sampled every 100 ms, and the largest
     * left after any collection (the live set and what survived), from the collectors' own
     * notifications.
     */
    static final class HeapSampler implements AutoCloseable {
        final AtomicLong peakUsed = new AtomicLong();
        final AtomicLong peakAfterGc = new AtomicLong();
        final AtomicLong collections = new AtomicLong();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final List<Runnable> unregister = new ArrayList<>();

        HeapSampler() {
            Set<String> heapPools =
                    ManagementFactory.getMemoryPoolMXBeans().stream()
                            .filter(p -> p.getType() == MemoryType.HEAP)
                            .map(MemoryPoolMXBean::getName)
                            .collect(java.util.stream.Collectors.toSet());
            timer.scheduleAtFixedRate(
                    () ->
                            peakUsed.accumulateAndGet(
                                    ManagementFactory.getMemoryMXBean()
                                            .getHeapMemoryUsage()
                                            .getUsed(),
                                    Math::max),
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
            NotificationListener listener =
                    (notification, handback) -> {
                        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                                .equals(notification.getType())) {
                            return;
                        }
                        GarbageCollectionNotificationInfo info =
                                GarbageCollectionNotificationInfo.from(
                                        (CompositeData) notification.getUserData());
                        long after = 0;
                        for (Map.Entry<String, MemoryUsage> pool :
                                info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (heapPools.contains(pool.getKey())) {
                                after += pool.getValue().getUsed();
                            }
                        }
                        collections.incrementAndGet();
                        peakAfterGc.accumulateAndGet(after, Math::max);
                    };
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                NotificationEmitter emitter = (NotificationEmitter) gc;
                emitter.addNotificationListener(listener, null, null);
                unregister.add(
                        () -> {
                            try {
                                emitter.removeNotificationListener(listener);
                            } catch (ListenerNotFoundException ignored) {
                            }
                        });
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
            unregister.forEach(Runnable::run);
        }
    }

    private static JsonNode rest(String path) throws Exception {
        Configuration client = MINI_CLUSTER.getClientConfiguration();
        String url =
                "http://"
                        + client.get(RestOptions.ADDRESS)
                        + ":"
                        + client.get(RestOptions.PORT)
                        + path;
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url)).build(),
                                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    @Test
    void aBacklogFarLargerThanTheScoringRateIsWorkedOffWithBoundedHeapAndNothingLost()
            throws Exception {
        int plots = Integer.getInteger("plantclef.load.plots", DEFAULT_PLOTS);
        kafka.createTopics("load-uploads", "load-predictions", "load-dead-letters");
        Configuration conf = HeadPredict.kafka(model, kafka, "load", photos);
        conf.set(PredictOptions.BATCH_SIZE, 16);
        conf.set(PredictOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        conf.set(PredictOptions.KAFKA_TRANSACTION_TIMEOUT, Duration.ofMinutes(5));

        List<String[]> events = new ArrayList<>();
        for (int i = 0; i < plots; i++) {
            String plot = String.format(Locale.ROOT, "LOAD-%05d", i);
            String uri = photos.resolve("photo-" + (i % PHOTOS) + ".jpg").toUri().toString();
            events.add(
                    new String[] {
                        plot, "{\"plot_id\": \"" + plot + "\", \"uri\": \"" + uri + "\"}"
                    });
        }
        kafka.sendAll("load-uploads", events);

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "load-reader");

        Map<String, Integer> counts = new HashMap<>();
        List<String> progress = new ArrayList<>();
        JsonNode checkpoints;
        double seconds;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        try (HeapSampler heap = new HeapSampler();
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            long start = System.nanoTime();
            JobClient job = new PredictJob(PredictJob.Settings.from(conf)).start(env);
            try {
                consumer.subscribe(Set.of("load-predictions"));
                long deadline = start + Duration.ofMinutes(6).toNanos();
                long nextReport = start;
                int committed = 0;
                while (committed < plots && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        counts.merge(r.key(), 1, Integer::sum);
                        committed++;
                    }
                    if (System.nanoTime() >= nextReport) {
                        progress.add(
                                String.format(
                                        Locale.ROOT,
                                        "t=%5.1f s  committed %5d  waiting in Kafka %5d  heap"
                                                + " %4d MB",
                                        (System.nanoTime() - start) / 1e9,
                                        committed,
                                        plots - committed,
                                        heap.peakUsed.get() >> 20));
                        nextReport += Duration.ofSeconds(5).toNanos();
                    }
                }
                seconds = (System.nanoTime() - start) / 1e9;
                consumer.poll(Duration.ofMillis(1000))
                        .forEach(r -> counts.merge(r.key(), 1, Integer::sum));
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                checkpoints = rest("/jobs/" + job.getJobID() + "/checkpoints");
            } finally {
                job.cancel().get();
            }
            List<String> failures = new ArrayList<>();
            for (JsonNode checkpoint : checkpoints.path("history")) {
                if ("FAILED".equals(checkpoint.path("status").asText())) {
                    failures.add(
                            checkpoint.path("id").asText()
                                    + ": "
                                    + checkpoint.path("failure_message").asText());
                }
            }
            JsonNode duration = checkpoints.path("summary").path("end_to_end_duration");
            LOG.info(
                    "Load: {} plots ({} tiles) in {} s = {} plots/s at parallelism 2;\n{}\n"
                            + "peak heap used {} MB, peak heap after GC {} MB over {} collections"
                            + " (max heap {} MB; MiniCluster and Kafka broker share this JVM);\n"
                            + "checkpoints completed {}, failed {} (in the history: {}),"
                            + " end-to-end duration min/avg/p99/max {}/{}/{}/{} ms",
                    plots,
                    plots * 9,
                    String.format(Locale.ROOT, "%.1f", seconds),
                    String.format(Locale.ROOT, "%.1f", plots / seconds),
                    String.join("\n", progress),
                    heap.peakUsed.get() >> 20,
                    heap.peakAfterGc.get() >> 20,
                    heap.collections.get(),
                    Runtime.getRuntime().maxMemory() >> 20,
                    checkpoints.path("counts").path("completed").asLong(),
                    checkpoints.path("counts").path("failed").asLong(),
                    failures,
                    duration.path("min").asLong(),
                    duration.path("avg").asLong(),
                    duration.path("p99").asLong(),
                    duration.path("max").asLong());

            assertThat(counts)
                    .as("every plot exactly once")
                    .hasSize(plots)
                    .allSatisfy((plot, n) -> assertThat(n).as(plot).isEqualTo(1));
            // A trigger refused while the tasks were still starting is counted as failed but is
            // no checkpoint; a checkpoint that started and failed is in the history.
            assertThat(failures).as("failed checkpoints").isEmpty();
            // At least one checkpoint every 3 s of the run (the interval is 1 s).
            assertThat(checkpoints.path("counts").path("completed").asLong())
                    .isGreaterThanOrEqualTo((long) (seconds / 3));
            // The backlog stays in Kafka: the live heap is a small part of the maximum.
            assertThat(heap.peakAfterGc.get()).isLessThan(Runtime.getRuntime().maxMemory() / 2);
        }
        assertThat(kafka.readCommitted("load-dead-letters", 0, Duration.ZERO)).isEmpty();
    }
}
