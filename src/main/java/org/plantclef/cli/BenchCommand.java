package org.plantclef.cli;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.classify.TrainBench;
import org.plantclef.embed.DecodeBench;
import org.plantclef.embed.Device;
import org.plantclef.embed.DjlEmbedder;
import org.plantclef.embed.DjlEnvironment;
import org.plantclef.embed.EmbedBench;
import org.plantclef.embed.EmbedderSpec;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.RgbImage;
import org.plantclef.job.Options;
import org.plantclef.job.PipelineBench;
import org.plantclef.synth.SyntheticDataset;

/**
 * {@code plantclef bench}: the embed path's throughput against the bare model's, in one process.
 */
final class BenchCommand implements JobCommand {

    static final ConfigOption<String> MODEL =
            key("bench.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model file to measure, TorchScript or .safetensors. Required for"
                                    + " MODEL and PIPELINE.");

    static final ConfigOption<String> VERSUS =
            key("bench.versus")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A second model to race --model against on the same tensors, e.g. a"
                                    + " .safetensors checkpoint and its TorchScript export: prints"
                                    + " both img/s and their ratio.");

    /** What {@code bench} measures. */
    enum Mode {
        /** The bare model against the embed path from JPEG bytes (or --versus a second model). */
        MODEL,
        /** The tile stage per plot photo: decode, then every grid's tiles resized. */
        DECODE,
        /** Predict on the MiniCluster against the bare model, tiles/s, at each parallelism. */
        PIPELINE,
        /** Classifier training, DJL against plain Java. */
        TRAIN
    }

    static final ConfigOption<Mode> MODE =
            key("bench.mode")
                    .enumType(Mode.class)
                    .defaultValue(Mode.MODEL)
                    .withDescription(
                            "MODEL (bare model vs the embed path), DECODE (decode + tile + resize"
                                    + " per plot photo), PIPELINE (predict on the MiniCluster vs"
                                    + " the bare model) or TRAIN (classifier training).");

    static final ConfigOption<List<Integer>> GRIDS =
            key("bench.grids")
                    .intType()
                    .asList()
                    .defaultValues(3)
                    .withDescription(
                            "With DECODE and PIPELINE: the N of each NxN grid a photo is cut"
                                    + " into, ';'-separated (several = the multiscale cut).");

    static final ConfigOption<Integer> TRAIN_DIM =
            key("bench.train-dim")
                    .intType()
                    .defaultValue(768)
                    .withDescription("With TRAIN: feature dimension.");

    static final ConfigOption<Integer> TRAIN_CLASSES =
            key("bench.train-classes")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("With TRAIN: number of classes.");

    static final ConfigOption<Integer> TRAIN_SAMPLES =
            key("bench.train-samples")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription("With TRAIN: training samples per epoch.");

    static final ConfigOption<Integer> IMAGE_SIZE =
            key("bench.image-size")
                    .intType()
                    .defaultValue(224)
                    .withDescription("Model input side.");

    static final ConfigOption<List<Integer>> BATCH_SIZES =
            key("bench.batch-sizes")
                    .intType()
                    .asList()
                    .defaultValues(1, 8, 32)
                    .withDescription("Batch sizes to measure, ';'-separated.");

    static final ConfigOption<Integer> THREADS =
            key("bench.threads")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "PyTorch intra-op threads (one value per JVM); 0 = all cores.");

    static final ConfigOption<Device> DEVICE =
            key("bench.device")
                    .enumType(Device.class)
                    .defaultValue(Device.AUTO)
                    .withDescription("AUTO, CPU or GPU, as for embed.");

    static final ConfigOption<Integer> PHOTOS =
            key("bench.photos")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Number of distinct synthetic plot photos (JPEG) to cycle through.");

    static final ConfigOption<Integer> PHOTO_WIDTH =
            key("bench.photo-width")
                    .intType()
                    .defaultValue(1024)
                    .withDescription("Width of the source photos.");

    static final ConfigOption<Integer> PHOTO_HEIGHT =
            key("bench.photo-height")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Height of the source photos; 3/4 of the width if not set.");

    static final ConfigOption<List<Integer>> PARALLELISM =
            key("bench.parallelism")
                    .intType()
                    .asList()
                    .defaultValues(1, 2)
                    .withDescription(
                            "With PIPELINE: the parallelisms to run the job at, ';'-separated"
                                    + " (PyTorch's threads are per JVM: set --threads for the"
                                    + " largest).");

    static final ConfigOption<Double> SECONDS =
            key("bench.seconds")
                    .doubleType()
                    .defaultValue(5.0)
                    .withDescription("Least time each measurement runs, after one warm-up batch.");

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "Measure images/s of the bare model on preprocessed tensors and of the full embed"
                + " path from JPEG bytes, in one process, and their ratio.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                MODE,
                MODEL,
                VERSUS,
                IMAGE_SIZE,
                BATCH_SIZES,
                DEVICE,
                THREADS,
                PHOTOS,
                PHOTO_WIDTH,
                PHOTO_HEIGHT,
                GRIDS,
                PARALLELISM,
                SECONDS,
                TRAIN_DIM,
                TRAIN_CLASSES,
                TRAIN_SAMPLES);
    }

    @Override
    public boolean runsFlink() {
        return false;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        Mode mode = Options.get(conf, MODE);
        if (mode == Mode.TRAIN) {
            return train(conf, out);
        }
        if (mode == Mode.DECODE) {
            return decode(conf, out);
        }
        if (mode == Mode.PIPELINE) {
            return pipeline(conf, out);
        }
        String model = Options.require(conf, MODEL);
        if (!Files.isRegularFile(Path.of(model))) {
            throw Options.invalid(MODEL, model, "no such file");
        }
        int size = Options.get(conf, IMAGE_SIZE);
        List<Integer> batches = Options.get(conf, BATCH_SIZES);
        int threads = Options.get(conf, THREADS);
        int photos = Options.get(conf, PHOTOS);
        int width = Options.get(conf, PHOTO_WIDTH);
        double seconds = Options.get(conf, SECONDS);
        if (size < 14
                || batches.isEmpty()
                || batches.stream().anyMatch(b -> b < 1)
                || photos < 1
                || width < 96
                || seconds <= 0) {
            throw Options.invalid(
                    BATCH_SIZES,
                    batches,
                    "image size >= 14, batches >= 1, photos >= 1, width >= 96");
        }

        String versus = Options.get(conf, VERSUS);
        if (versus != null && !versus.isBlank()) {
            if (!Files.isRegularFile(Path.of(versus))) {
                throw Options.invalid(VERSUS, versus, "no such file");
            }
            return versus(conf, model, versus, size, batches, threads, seconds, out);
        }
        List<byte[]> jpegs = photos(photos, width, height(conf, width));
        long bytes = jpegs.stream().mapToLong(b -> b.length).sum();
        out.printf(
                Locale.ROOT,
                "bench: %s, input %dpx, %s threads, %d photos %dx%d JPEG (avg %d KB), >= %.0f s"
                        + " per measurement%n",
                Path.of(model).getFileName(),
                size,
                threads == 0 ? "default" : Integer.toString(threads),
                photos,
                width,
                width * 3 / 4,
                bytes / photos / 1024,
                seconds);
        out.println();
        out.println(
                "device | batch | bare model img/s | full path img/s | full/bare | preprocess ms/img");
        out.println(
                "------ | ----- | ---------------- | --------------- | --------- | -----------------");
        for (int batch : batches) {
            EmbedderSpec spec =
                    new EmbedderSpec(
                            model, size, batch, Options.get(conf, DEVICE), threads, false, null);
            try (DjlEmbedder embedder = DjlEmbedder.open(spec, 0)) {

                EmbedBench.Row row = new EmbedBench(embedder, jpegs, seconds).measure(batch);
                out.printf(
                        Locale.ROOT,
                        "%6s | %5d | %16.2f | %15.2f | %9.3f | %17.1f%n",
                        embedder.device(),
                        row.batch(),
                        row.bareImagesPerSecond(),
                        row.fullImagesPerSecond(),
                        row.ratio(),
                        row.preprocessMillis());
            }
        }
        return 0;
    }

    /** Two models' bare img/s on the same tensors, alternately, per batch size. */
    private static int versus(
            Configuration conf,
            String model,
            String other,
            int size,
            List<Integer> batches,
            int threads,
            double seconds,
            PrintStream out) {
        String a = Path.of(model).getFileName().toString();
        String b = Path.of(other).getFileName().toString();
        out.printf(
                Locale.ROOT,
                "bench: %s against %s, input %dpx, %s threads, >= %.0f s per model and batch size%n%n",
                a,
                b,
                size,
                threads == 0 ? "default" : Integer.toString(threads),
                seconds);
        out.println(
                "device | batch | "
                        + a
                        + " img/s | "
                        + b
                        + " img/s | ratio of totals | median ratio of paired rounds");
        out.println("------ | ----- | ----- | ----- | ----- | -----");
        Device device = Options.get(conf, DEVICE);
        for (int batch : batches) {
            try (DjlEmbedder first =
                            DjlEmbedder.open(
                                    new EmbedderSpec(
                                            model, size, batch, device, threads, false, null),
                                    0);
                    DjlEmbedder second =
                            DjlEmbedder.open(
                                    new EmbedderSpec(
                                            other, size, batch, device, threads, false, null),
                                    0)) {
                double[] rates = EmbedBench.versus(first, second, batch, size, seconds);
                out.printf(
                        Locale.ROOT,
                        "%6s | %5d | %.2f | %.2f | %.3f | %.3f%n",
                        first.device(),
                        batch,
                        rates[0],
                        rates[1],
                        rates[0] / rates[1],
                        rates[2]);
            }
        }
        return 0;
    }

    /** Classifier training: our trainer against the plain PyTorch-style loop, in DJL. */
    private static int train(Configuration conf, PrintStream out) {
        int dim = Options.get(conf, TRAIN_DIM);
        int classes = Options.get(conf, TRAIN_CLASSES);
        int samples = Options.get(conf, TRAIN_SAMPLES);
        List<Integer> batches = Options.get(conf, BATCH_SIZES);
        if (dim < 1 || classes < 2 || samples < 1 || batches.stream().anyMatch(b -> b < 1)) {
            throw Options.invalid(
                    TRAIN_CLASSES, classes, "need dim >= 1, classes >= 2, samples >= 1");
        }
        int threads = Options.get(conf, THREADS);
        DjlEnvironment.prepare(threads, null);
        out.printf(
                Locale.ROOT,
                "bench --mode train: Linear(%d, %d), NLL + Adam, %d samples, 2 epochs per"
                        + " measurement, %s threads%n%n",
                dim,
                classes,
                samples,
                threads == 0 ? "default" : Integer.toString(threads));
        out.println(
                "batch | trainer samples/s | PyTorch-style DJL loop samples/s | trainer/loop |"
                        + " trainer's data loading share");
        out.println(
                "----- | ----------------- | -------------------------------- | ------------ |"
                        + " ----------------------------");
        for (int batch : batches) {
            TrainBench.Row row = TrainBench.measure(samples, dim, classes, batch, 2);
            out.printf(
                    Locale.ROOT,
                    "%5d | %17.0f | %32.0f | %12.2f | %27.1f%%%n",
                    batch,
                    row.trainerSamplesPerSecond(),
                    row.loopSamplesPerSecond(),
                    row.ratio(),
                    100 * row.loadShare());
        }
        return 0;
    }

    private static int height(Configuration conf, int width) {
        Integer height = Options.get(conf, PHOTO_HEIGHT);
        if (height == null) {
            return width * 3 / 4;
        }
        if (height < 96) {
            throw Options.invalid(PHOTO_HEIGHT, height, "must be at least 96");
        }
        return height;
    }

    private static int[] grids(Configuration conf) {
        List<Integer> grids = Options.get(conf, GRIDS);
        if (grids.isEmpty() || grids.stream().anyMatch(g -> g < 1)) {
            throw Options.invalid(GRIDS, grids, "need one or more grid sizes, each at least 1");
        }
        return grids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tile stage alone: decode, then every grid's tiles reduced to the model's square. */
    private static int decode(Configuration conf, PrintStream out) throws Exception {
        int size = Options.get(conf, IMAGE_SIZE);
        int width = Options.get(conf, PHOTO_WIDTH);
        int height = height(conf, width);
        int count = Options.get(conf, PHOTOS);
        int[] grids = grids(conf);
        double seconds = Options.get(conf, SECONDS);
        if (size < 14 || width < 96 || count < 1 || seconds <= 0) {
            throw Options.invalid(
                    IMAGE_SIZE, size, "image size >= 14, width >= 96, photos >= 1, seconds > 0");
        }
        List<byte[]> jpegs = photos(count, width, height);
        long bytes = jpegs.stream().mapToLong(b -> b.length).sum();
        DecodeBench.Row row = DecodeBench.measure(jpegs, grids, size, seconds);
        out.printf(
                Locale.ROOT,
                "bench --mode decode: %d photos %dx%d JPEG (avg %d KB), grids %s, %d tiles of"
                        + " %dpx per photo, %d photos measured%n%n",
                count,
                width,
                height,
                bytes / count / 1024,
                Options.get(conf, GRIDS),
                row.tilesPerPhoto(),
                size,
                row.photos());
        out.println("decode ms/photo | tiles + resize ms/photo | total ms/photo | photos/s");
        out.println("--------------- | ----------------------- | -------------- | --------");
        out.printf(
                Locale.ROOT,
                "%15.1f | %23.1f | %14.1f | %8.2f%n",
                row.decodeMillis(),
                row.tileMillis(),
                row.totalMillis(),
                1000 / row.totalMillis());
        return 0;
    }

    /** Predict on the MiniCluster against the bare model, at each parallelism. */
    private static int pipeline(Configuration conf, PrintStream out) throws Exception {
        String model = Options.require(conf, MODEL);
        if (!Files.isRegularFile(Path.of(model))) {
            throw Options.invalid(MODEL, model, "no such file");
        }
        int size = Options.get(conf, IMAGE_SIZE);
        int batch = Options.get(conf, BATCH_SIZES).get(0);
        int threads = Options.get(conf, THREADS);
        int width = Options.get(conf, PHOTO_WIDTH);
        int height = height(conf, width);
        int count = Options.get(conf, PHOTOS);
        int[] grids = grids(conf);
        List<Integer> parallelisms = Options.get(conf, PARALLELISM);
        if (parallelisms.isEmpty() || parallelisms.stream().anyMatch(p -> p < 1)) {
            throw Options.invalid(PARALLELISM, parallelisms, "need parallelisms of 1 or more");
        }
        double seconds = Options.get(conf, SECONDS);
        Path work = Files.createTempDirectory("plantclef-bench-pipeline");
        try {
            Path photos = Files.createDirectories(work.resolve("plots"));
            List<byte[]> jpegs = photos(count, width, height);
            for (int i = 0; i < jpegs.size(); i++) {
                Files.write(
                        photos.resolve(String.format(Locale.ROOT, "plot-%04d.jpg", i)),
                        jpegs.get(i));
            }
            EmbedderSpec spec =
                    new EmbedderSpec(
                            model, size, batch, Options.get(conf, DEVICE), threads, false, null);
            PipelineBench bench = new PipelineBench(spec, photos, count, grids, seconds, work);
            out.printf(
                    Locale.ROOT,
                    "bench --mode pipeline: %s, input %dpx, batch %d, %s threads, N = %d plot"
                            + " photos %dx%d JPEG, grids %s; bare model >= %.0f s before and"
                            + " after the jobs%n%n",
                    Path.of(model).getFileName(),
                    size,
                    batch,
                    threads == 0 ? "default" : Integer.toString(threads),
                    count,
                    width,
                    height,
                    Options.get(conf, GRIDS),
                    seconds);
            out.println(
                    "parallelism | bare model tiles/s (before, after) | jobs s (photos) |"
                            + " end to end tiles/s | end to end/bare | steady tiles/s |"
                            + " steady/bare");
            out.println(
                    "----------- | ---------------------------------- | --------------- |"
                            + " ------------------ | --------------- | -------------- |"
                            + " -----------");
            for (int parallelism : parallelisms) {
                PipelineBench.Row row = bench.measure(parallelism);
                out.printf(
                        Locale.ROOT,
                        "%11d | %34s | %15s | %18.2f | %15.3f | %14.2f | %11.3f%n",
                        row.parallelism(),
                        String.format(
                                Locale.ROOT,
                                "%.2f (%.2f, %.2f)",
                                row.bareTilesPerSecond(),
                                row.bareBefore(),
                                row.bareAfter()),
                        String.format(
                                Locale.ROOT,
                                "%.1f (%d); %.1f (%d)",
                                row.shortJobSeconds(),
                                row.shortPhotos(),
                                row.longJobSeconds(),
                                row.longPhotos()),
                        row.endToEndTilesPerSecond(),
                        row.endToEndRatio(),
                        row.steadyTilesPerSecond(),
                        row.steadyRatio());
            }
            return 0;
        } finally {
            delete(work);
        }
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * Synthetic plot photos as JPEG bytes (quality 90), with pixel noise over the painted plants: a
     * camera's texture and sensor noise, without which a JPEG is a few times smaller and faster to
     * decode than a real plot photo of the same size.
     */
    static List<byte[]> photos(int count, int width, int height) throws Exception {
        Path dir = Files.createTempDirectory("plantclef-bench");
        try {
            SyntheticDataset.Result data =
                    SyntheticDataset.generate(
                            dir, new SyntheticDataset.Spec(4, 1, count, 64, width, height, 4, 17));
            ImageDecoder decoder = new ImageDecoder();
            Random random = new Random(17);
            List<byte[]> out = new ArrayList<>();
            for (SyntheticDataset.Plot plot : data.plots()) {
                RgbImage image =
                        decoder.decode(
                                Files.readAllBytes(
                                        data.layout().plots().resolve(plot.plotId() + ".jpg")));
                byte[] rgb = image.rgb();
                for (int i = 0; i < rgb.length; i++) {
                    int v = (rgb[i] & 0xFF) + random.nextInt(33) - 16;
                    rgb[i] = (byte) Math.max(0, Math.min(255, v));
                }
                out.add(ImageEncoder.jpeg(image, 0.9f));
            }
            return out;
        } finally {
            delete(dir);
        }
    }
}
