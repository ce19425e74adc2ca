package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.DjlEmbedder;
import org.plantclef.embed.Embedder;
import org.plantclef.embed.EmbedderFactory;
import org.plantclef.embed.Embedding;
import org.plantclef.image.RgbImage;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failure injected in the embed operator at a random batch: the job restarts from its last
 * checkpoint, and its committed outputs equal a fault-free run's, exactly once.
 */
class FaultInjectionITCase {

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjectionITCase.class);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir static Path shared;
    static TrainedFixture fixture;

    @BeforeAll
    static void train() throws Exception {
        fixture = TrainedFixture.create(shared, 8);
    }

    /**
     * The DJL embedder, slowed down a little so checkpoints complete between batches, that fails
     * once, at the {@code failAt}-th batch of any subtask: the marker file makes it once per test,
     * across the restart (the factory is deserialised afresh then).
     */
    record FailingOnce(org.plantclef.embed.EmbedderSpec spec, String marker, int failAt)
            implements EmbedderFactory {
        @Override
        public Embedder open(int gpuIndex) {
            DjlEmbedder real = DjlEmbedder.open(spec, gpuIndex);
            return new Embedder() {
                private int batches;

                @Override
                public int imageSize() {
                    return real.imageSize();
                }

                @Override
                public List<Embedding> embed(List<RgbImage> images) {
                    batches++;
                    try {
                        Thread.sleep(150);
                        Path failed = Path.of(marker);
                        if (batches == failAt && Files.notExists(failed)) {
                            Files.writeString(failed, String.valueOf(System.currentTimeMillis()));
                            throw new IllegalStateException("injected failure at batch " + failAt);
                        }
                        // The first batch after the restart: recovery is complete.
                        Path recovered = Path.of(marker + ".recovered");
                        if (Files.exists(failed) && Files.notExists(recovered)) {
                            Files.writeString(
                                    recovered, String.valueOf(System.currentTimeMillis()));
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                    return real.embed(images);
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }
    }

    private static List<String> rows(Path out) throws IOException {
        List<String> rows = new ArrayList<>();
        for (Path part : OutputFiles.files(out.resolve("submission"), ".csv")) {
            List<String> lines = Files.readAllLines(part);
            rows.addAll(lines.subList(1, lines.size()));
        }
        return rows;
    }

    @Test
    void anInjectedFailureRestartsFromACheckpointWithOutputsEqualToAFaultFreeRun()
            throws Exception {
        long faultFreeStart = System.nanoTime();
        Configuration batch = fixture.predictConf("grid-argmax");
        batch.set(PredictOptions.INPUT, fixture.plots().toString());
        batch.set(PredictOptions.OUTPUT, shared.resolve("fault-free").toString());
        new PredictJob(PredictJob.Settings.from(batch))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        long faultFreeMillis = (System.nanoTime() - faultFreeStart) / 1_000_000;
        List<String> expected = Files.readAllLines(shared.resolve("fault-free/submission.csv"));

        Path out = shared.resolve("faulty");
        Configuration conf = fixture.predictConf("grid-argmax");
        conf.set(PredictOptions.INPUT, fixture.plots().toString());
        conf.set(PredictOptions.OUTPUT, out.toString());
        conf.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        conf.set(PredictOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(100));
        PredictJob.Settings settings = PredictJob.Settings.from(conf);
        int failAt = 3 + new Random().nextInt(4); // batch 3..6 of 4 tiles: plots 1 to 3
        String marker = shared.resolve("failed-once").toString();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        long start = System.nanoTime();
        PredictJob.Summary summary =
                new PredictJob(settings, new FailingOnce(settings.spec(), marker, failAt)).run(env);
        long recoveryMillis =
                Long.parseLong(Files.readString(Path.of(marker + ".recovered")))
                        - Long.parseLong(Files.readString(Path.of(marker)));
        LOG.info(
                "Failure injected at batch {}: embedding again {} ms after the failure (restart"
                        + " and restore from the last checkpoint); the run took {} ms, a"
                        + " fault-free BATCH run {} ms",
                failAt,
                recoveryMillis,
                (System.nanoTime() - start) / 1_000_000,
                faultFreeMillis);
        // The failure is the operator's, not an image's: no dead letter, no plot short of tiles.
        assertThat(OutputFiles.jsonLines(out.resolve("_dead_letters"))).isEmpty();
        assertThat(summary.plotsIncomplete()).isZero();

        assertThat(Path.of(marker)).as("the failure happened").exists();
        List<String> rows = rows(out);
        assertThat(rows)
                .as("exactly once: the fault-free run's rows, none lost, none twice")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected.subList(1, expected.size()));
        assertThat(OutputFiles.jsonLines(out.resolve("predictions"))).hasSize(8);
    }
}
