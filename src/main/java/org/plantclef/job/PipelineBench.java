package org.plantclef.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.plantclef.aggregate.Strategies;
import org.plantclef.classify.ClassifierWriter;
import org.plantclef.embed.DjlEmbedder;
import org.plantclef.embed.EmbedderSpec;
import org.plantclef.embed.SharedEmbedders;
import org.plantclef.record.TrainedClassifier;

/**
 * The whole predict job on a local MiniCluster against the bare model, in tiles per second, in one
 * process: what the dataflow (decode, tile, batching, classify, aggregate, sinks, Flink itself)
 * costs on top of the model. The bare rate runs {@code parallelism} embedders at once on
 * preprocessed tensors, as the job's subtasks would, with the same model, batch and threads.
 */
public final class PipelineBench {

    /**
     * One parallelism's figures: the bare model's tiles/s; the job's end to end over {@code 2 *
     * plots} photos (MiniCluster start, model load and warm-up included); and its steady rate, the
     * {@code plots} photos more that the long run scored divided by the time they added (the
     * start-up costs, the same in both runs, cancel out).
     */
    public record Row(
            int parallelism,
            int shortPhotos,
            int longPhotos,
            double bareBefore,
            double bareAfter,
            double shortJobSeconds,
            double longJobSeconds,
            double endToEndTilesPerSecond,
            double steadyTilesPerSecond) {
        /** The bare model's tiles/s: the mean of its runs before and after the jobs. */
        public double bareTilesPerSecond() {
            return (bareBefore + bareAfter) / 2;
        }

        public double steadyRatio() {
            return steadyTilesPerSecond / bareTilesPerSecond();
        }

        public double endToEndRatio() {
            return endToEndTilesPerSecond / bareTilesPerSecond();
        }
    }

    private final EmbedderSpec spec;
    private final Path photos;
    private final int plots;
    private final int[] grids;
    private final double bareSeconds;
    private final Path work;

    /**
     * @param photos a directory of {@code plots} plot photos
     * @param work an empty directory for the classifier, the long run's photos and the outputs
     */
    public PipelineBench(
            EmbedderSpec spec, Path photos, int plots, int[] grids, double bareSeconds, Path work) {
        this.spec = spec;
        this.photos = photos;
        this.plots = plots;
        this.grids = grids.clone();
        this.bareSeconds = bareSeconds;
        this.work = work;
    }

    /**
     * Runs the bare model, the job over the N photos, the job over N + M (the photos again under
     * other plot ids), and the bare model again: the bare rate is the mean of its two runs, so a
     * drift in the machine's load hurts both sides alike. Each job starts cold: no model is left
     * loaded from the run before. M is N rounded up so that the M extra photos fill whole batches
     * in every subtask: the last, padded batch of each run then costs both runs the same, and
     * cancels out of the difference (with N = 4 photos of 9 tiles and batches of 8, it would
     * otherwise make the job look 10 % faster than it is).
     */
    public Row measure(int parallelism) throws Exception {
        Path classifier = work.resolve("classifier");
        if (!Files.exists(classifier)) {
            writeClassifier(classifier, outputDim());
        }
        int perPhoto = Arrays.stream(grids).map(g -> g * g).sum();
        int unit = parallelism * spec.batchSize() / gcd(perPhoto, spec.batchSize());
        int extra = (plots + unit - 1) / unit * unit;
        Path longer = work.resolve("plots-long-p" + parallelism);
        Files.createDirectories(longer);
        List<Path> originals;
        try (var files = Files.list(photos)) {
            originals = files.sorted().toList();
        }
        for (Path photo : originals) {
            Files.copy(photo, longer.resolve(photo.getFileName()));
        }
        for (int i = 0; i < extra; i++) {
            Path photo = originals.get(i % originals.size());
            Files.copy(photo, longer.resolve("extra-" + i + "-" + photo.getFileName()));
        }
        double before = bare(parallelism);
        double shortRun = job(photos, plots, parallelism, classifier);
        double longRun = job(longer, plots + extra, parallelism, classifier);
        double after = bare(parallelism);
        long extraTiles = (long) extra * perPhoto;
        long longTiles = (long) (plots + extra) * perPhoto;
        return new Row(
                parallelism,
                plots,
                plots + extra,
                before,
                after,
                shortRun,
                longRun,
                longTiles / longRun,
                // Too few photos for the difference to rise above the noise: no figure.
                longRun > shortRun ? extraTiles / (longRun - shortRun) : Double.NaN);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Seconds the predict job takes over {@code input}, from a cold start. */
    private double job(Path input, int expected, int parallelism, Path classifier)
            throws Exception {
        SharedEmbedders.closeIdle();
        Path output = work.resolve("predictions");
        Configuration conf = new Configuration();
        conf.set(PredictOptions.INPUT, input.toString());
        conf.set(PredictOptions.OUTPUT, output.toString());
        conf.set(PredictOptions.OVERWRITE, true);
        conf.set(PredictOptions.MODEL, spec.modelFile());
        conf.set(PredictOptions.CLASSIFIER, classifier.toString());
        if (grids.length == 1) {
            conf.set(PredictOptions.STRATEGY, Strategies.GRID_ARGMAX);
            conf.set(PredictOptions.GRID, grids[0]);
        } else {
            conf.set(PredictOptions.STRATEGY, Strategies.MULTISCALE);
            conf.set(
                    PredictOptions.GRIDS,
                    Arrays.stream(grids)
                            .mapToObj(Integer::toString)
                            .collect(Collectors.joining(",")));
        }
        conf.set(PredictOptions.IMAGE_SIZE, spec.imageSize());
        conf.set(PredictOptions.BATCH_SIZE, spec.batchSize());
        conf.set(PredictOptions.THREADS, spec.threads());
        conf.set(PredictOptions.DEVICE, spec.device());
        PredictJob.Settings settings = PredictJob.Settings.from(conf);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
        PredictJob.Summary summary = new PredictJob(settings).run(env);
        SharedEmbedders.closeIdle();
        if (summary.plotsPredicted() != expected || summary.deadLetters() != 0) {
            throw new IllegalStateException(
                    "the job predicted "
                            + summary.plotsPredicted()
                            + " of "
                            + expected
                            + " plots with "
                            + summary.deadLetters()
                            + " dead letters; see "
                            + output);
        }
        return summary.elapsed().toNanos() / 1e9;
    }

    /** Tiles per second of {@code parallelism} embedders running at once on ready tensors. */
    private double bare(int parallelism) throws Exception {
        int size = spec.imageSize();
        int batch = spec.batchSize();
        float[] input = new float[batch * 3 * size * size];
        Random random = new Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        CyclicBarrier start = new CyclicBarrier(parallelism);
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<long[]>> runs = new ArrayList<>();
            for (int p = 0; p < parallelism; p++) {
                int index = p;
                runs.add(
                        pool.submit(
                                () -> {
                                    try (DjlEmbedder embedder = DjlEmbedder.open(spec, index)) {
                                        // Warm-up, as the job's first batches are.
                                        embedder.run(input, batch, size);
                                        embedder.run(input, batch, size);
                                        start.await();
                                        long begin = System.nanoTime();
                                        long images = 0;
                                        while (System.nanoTime() - begin < bareSeconds * 1e9) {
                                            embedder.run(input, batch, size);
                                            images += batch;
                                        }
                                        return new long[] {images, System.nanoTime() - begin};
                                    }
                                }));
            }
            double rate = 0;
            for (Future<long[]> run : runs) {
                long[] r = run.get();
                rate += r[0] / (r[1] / 1e9);
            }
            return rate;
        } finally {
            pool.shutdownNow();
        }
    }

    private int outputDim() {
        EmbedderSpec one =
                new EmbedderSpec(
                        spec.modelFile(),
                        spec.imageSize(),
                        1,
                        spec.device(),
                        spec.threads(),
                        false,
                        spec.cacheDir());
        try (DjlEmbedder embedder = DjlEmbedder.open(one, 0)) {
            int size = spec.imageSize();
            return embedder.run(new float[3 * size * size], 1, size).dim();
        }
    }

    /** A random linear classifier over 100 species, for the job to have something to apply. */
    private static void writeClassifier(Path dir, int dim) throws IOException {
        int classes = 100;
        Random random = new Random(7);
        float[] weight = new float[classes * dim];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) (random.nextGaussian() * 0.05);
        }
        long[] species = new long[classes];
        for (int i = 0; i < classes; i++) {
            species[i] = 1_000_000 + i;
        }
        ClassifierWriter.write(
                new TrainedClassifier(
                        weight,
                        new float[classes],
                        species,
                        dim,
                        "{\"feature\":\"cls\",\"loss\":\"NLL\",\"note\":\"random, for bench\"}"),
                dir.toString());
    }
}
