package org.plantclef.cli;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.classify.TrainBench;
import org.plantclef.embed.Device;
import org.plantclef.embed.DjlEmbedder;
import org.plantclef.embed.EmbedBench;
import org.plantclef.embed.EmbedderSpec;
import org.plantclef.job.Options;
import org.plantclef.synth.SyntheticDataset;

/**
 * {@code plantclef bench}: the embed path's throughput against the bare model's, in one process.
 */
final class BenchCommand implements JobCommand {

    static final ConfigOption<String> MODEL =
            key("bench.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("TorchScript model file to measure. Required unless --train.");

    static final ConfigOption<String> VERSUS =
            key("bench.versus")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A second model to race --model against on the same tensors, e.g. a"
                                    + " .safetensors checkpoint and its TorchScript export: prints"
                                    + " both img/s and their ratio.");

    static final ConfigOption<Boolean> TRAIN =
            key("bench.train")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Measure classifier training instead: DJL's samples/s against a"
                                    + " plain-Java loop of the same algorithm.");

    static final ConfigOption<Integer> TRAIN_DIM =
            key("bench.train-dim")
                    .intType()
                    .defaultValue(768)
                    .withDescription("With --train: feature dimension.");

    static final ConfigOption<Integer> TRAIN_CLASSES =
            key("bench.train-classes")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("With --train: number of classes.");

    static final ConfigOption<Integer> TRAIN_SAMPLES =
            key("bench.train-samples")
                    .intType()
                    .defaultValue(4096)
                    .withDescription("With --train: training samples per epoch.");

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
                    .withDescription("PyTorch threads; 0 keeps PyTorch's default (all cores).");

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
                    .withDescription("Width of the source photos (height is 3/4 of it).");

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
                MODEL,
                VERSUS,
                IMAGE_SIZE,
                BATCH_SIZES,
                DEVICE,
                THREADS,
                PHOTOS,
                PHOTO_WIDTH,
                SECONDS,
                TRAIN,
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
        if (Options.get(conf, TRAIN)) {
            return train(conf, out);
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
        List<byte[]> jpegs = photos(photos, width);
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

    /** Classifier training: DJL against plain Java, same data, batches and algorithm. */
    private static int train(Configuration conf, PrintStream out) {
        int dim = Options.get(conf, TRAIN_DIM);
        int classes = Options.get(conf, TRAIN_CLASSES);
        int samples = Options.get(conf, TRAIN_SAMPLES);
        List<Integer> batches = Options.get(conf, BATCH_SIZES);
        if (dim < 1 || classes < 2 || samples < 1 || batches.stream().anyMatch(b -> b < 1)) {
            throw Options.invalid(
                    TRAIN_CLASSES, classes, "need dim >= 1, classes >= 2, samples >= 1");
        }
        out.printf(
                Locale.ROOT,
                "bench --train: Linear(%d, %d), NLL + Adam, %d samples, 2 epochs per measurement%n%n",
                dim,
                classes,
                samples);
        out.println("batch | DJL samples/s | plain Java samples/s | DJL/Java");
        out.println("----- | ------------- | -------------------- | --------");
        for (int batch : batches) {
            TrainBench.Row row = TrainBench.measure(samples, dim, classes, batch, 2);
            out.printf(
                    Locale.ROOT,
                    "%5d | %13.0f | %20.0f | %8.2f%n",
                    batch,
                    row.djlSamplesPerSecond(),
                    row.javaSamplesPerSecond(),
                    row.ratio());
        }
        return 0;
    }

    /** Synthetic plot photos of the given width, as JPEG bytes. */
    private static List<byte[]> photos(int count, int width) throws Exception {
        Path dir = Files.createTempDirectory("plantclef-bench");
        try {
            SyntheticDataset.Result data =
                    SyntheticDataset.generate(
                            dir,
                            new SyntheticDataset.Spec(
                                    4, 1, count, 64, width, width * 3 / 4, 4, 17));
            List<byte[]> out = new ArrayList<>();
            for (SyntheticDataset.Plot plot : data.plots()) {
                out.add(Files.readAllBytes(data.layout().plots().resolve(plot.plotId() + ".jpg")));
            }
            return out;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
