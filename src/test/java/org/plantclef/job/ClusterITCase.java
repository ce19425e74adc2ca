package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.TinyModels;
import org.plantclef.synth.SyntheticDataset;
import org.plantclef.testutil.OutputFiles;
import org.plantclef.testutil.StandaloneCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job jar on a real Flink standalone session cluster (JobManager and TaskManagers in their own
 * JVMs, REST submission): a bounded predict run, and a streaming one stopped with a savepoint,
 * resubmitted from it, and then losing its TaskManager mid-run.
 */
class ClusterITCase {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterITCase.class);
    private static final String MAIN = "org.plantclef.cli.PlantClef";
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir static Path shared;
    static TrainedFixture fixture;
    static StandaloneCluster cluster;
    static String jar;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = TrainedFixture.create(shared.resolve("fixture"), 8);
        cluster = StandaloneCluster.start(shared.resolve("cluster"), 2);
        Path jobJar = Path.of("target/plantclef-flink-0.1.0-SNAPSHOT-job.jar");
        assertThat(jobJar).exists();
        long start = System.nanoTime();
        jar = cluster.uploadJar(jobJar);
        LOG.info(
                "Uploaded the job jar ({} MB) in {} ms",
                Files.size(jobJar) >> 20,
                (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> predictArgs(String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "predict",
                                "--model",
                                TinyModels.tokens().toString(),
                                "--classifier",
                                fixture.classifier().toString(),
                                "--image-size",
                                Integer.toString(TrainedFixture.IMAGE_SIZE),
                                "--batch-size",
                                "4",
                                "--threads",
                                "1"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void boundedPredictSubmittedThroughRestMatchesTheLocalRun() throws Exception {
        Path out = shared.resolve("bounded");
        long start = System.nanoTime();
        String job =
                cluster.run(
                        jar,
                        MAIN,
                        predictArgs(
                                "--input", fixture.plots().toString(), "--output", out.toString()),
                        2,
                        null);
        cluster.awaitState(job, WAIT, "FINISHED");
        LOG.info(
                "Bounded predict: submission to result {} ms",
                (System.nanoTime() - start) / 1_000_000);

        Path local = shared.resolve("bounded-local");
        org.apache.flink.configuration.Configuration conf = fixture.predictConf("grid-argmax");
        conf.set(PredictOptions.INPUT, fixture.plots().toString());
        conf.set(PredictOptions.OUTPUT, local.toString());
        new PredictJob(PredictJob.Settings.from(conf))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        assertThat(Files.readAllBytes(out.resolve("submission.csv")))
                .isEqualTo(Files.readAllBytes(local.resolve("submission.csv")));
        assertThat(Files.readAllLines(out.resolve("submission.csv"))).hasSize(9);
    }

    private static void drop(int plot, Path dir) throws Exception {
        String id = fixture.data().plots().get(plot).plotId();
        Path photo = fixture.data().layout().plots().resolve(id + ".jpg");
        Path tmp = dir.resolve("." + id + ".jpg.tmp");
        Files.copy(photo, tmp);
        Files.move(tmp, dir.resolve(id + ".jpg"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Every row of the committed submission parts (headers left out). */
    private static List<String> committedRows(Path out) throws Exception {
        List<String> rows = new ArrayList<>();
        for (Path part : OutputFiles.files(out.resolve("submission"), ".csv")) {
            List<String> lines = Files.readAllLines(part);
            rows.addAll(lines.subList(1, lines.size()));
        }
        return rows;
    }

    private static List<String> awaitRows(Path out, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> rows = committedRows(out);
        while (rows.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(200);
            rows = committedRows(out);
        }
        assertThat(rows)
                .as("committed rows; logs in " + cluster.logs())
                .hasSizeGreaterThanOrEqualTo(count);
        return rows;
    }

    @Test
    void streamingSurvivesAStopWithSavepointAndALostTaskManager() throws Exception {
        Path watched = Files.createDirectories(shared.resolve("uploads"));
        Path out = shared.resolve("streaming");
        List<String> args =
                predictArgs(
                        "--mode",
                        "STREAMING",
                        "--watch",
                        watched.toString(),
                        "--watch-interval",
                        "300ms",
                        "--checkpoint-interval",
                        "3s",
                        "--max-wait",
                        "200ms",
                        "--output",
                        out.toString());
        String first = cluster.run(jar, MAIN, args, 2, null);
        cluster.awaitState(first, WAIT, "RUNNING");
        for (int i = 0; i < 3; i++) {
            drop(i, watched);
        }
        awaitRows(out, 3);

        long stop = System.nanoTime();
        String savepoint = cluster.stopWithSavepoint(first, WAIT);
        LOG.info(
                "Stopped with savepoint {} in {} ms",
                savepoint,
                (System.nanoTime() - stop) / 1_000_000);
        cluster.awaitState(first, WAIT, "FINISHED");
        drop(3, watched);
        drop(4, watched);
        String second = cluster.run(jar, MAIN, args, 2, savepoint);
        cluster.awaitState(second, WAIT, "RUNNING");
        awaitRows(out, 5);

        // The operator metrics, as the REST API and the web UI show them (this run: 2 plots).
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (cluster.metric(second, "aggregate", "plots-predicted") < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(500); // metrics are fetched from the TaskManagers every few seconds
        }
        LOG.info("Metrics of the embed chain: {}", cluster.metricNames(second, "embed"));
        assertThat(cluster.metric(second, "aggregate", "plots-predicted")).isEqualTo(2);
        assertThat(cluster.metric(second, "aggregate", "plots-per-second")).isNotNegative();
        assertThat(cluster.metric(second, "embed", "images-tiled")).isEqualTo(2);
        assertThat(cluster.metric(second, "embed", "tiles")).isEqualTo(18);
        assertThat(cluster.metric(second, "embed", "embedded")).isEqualTo(18);
        assertThat(cluster.metric(second, "embed", "embed-batches")).isPositive();

        // Two photos arrive and the TaskManager crashes while they are being scored (their
        // tiles in flight, their rows not yet committed); its replacement joins and the job
        // resumes from its last checkpoint.
        int committed = committedRows(out).size();
        drop(5, watched);
        drop(6, watched);
        Thread.sleep(1500); // scored by now (tiny model), committed only at the next checkpoint
        long kill = System.nanoTime();
        cluster.killTaskManager();
        assertThat(committedRows(out)).as("nothing committed since the drop").hasSize(committed);
        cluster.startTaskManager();
        List<String> rows = awaitRows(out, 7);
        assertThat(cluster.failures(second)).as("the job saw the TaskManager go").isPositive();
        LOG.info(
                "Recovered from the lost TaskManager: all 7 plots committed {} ms after the kill",
                (System.nanoTime() - kill) / 1_000_000);
        Thread.sleep(2000); // a later checkpoint would show any duplicate
        rows = committedRows(out);
        cluster.cancel(second);

        List<String> plots = rows.stream().map(r -> r.substring(0, r.indexOf(';'))).toList();
        assertThat(plots)
                .as("every plot exactly once: none lost, none duplicated")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(
                        fixture.data().plots().subList(0, 7).stream()
                                .map(SyntheticDataset.Plot::plotId)
                                .toList());
    }
}
