package org.plantclef.classify;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import java.util.Random;

/**
 * Training throughput of {@link LinearTrainer} against the plainest loop PyTorch users write, in
 * DJL on the same engine: every feature already in one tensor, each batch gathered by index inside
 * libtorch, {@code log_softmax(x @ W.T + b)}, NLL, backward, Adam. Same data, batch size, epochs
 * and threads, in one process. The trainer's extra costs (its rows copied from Java into a tensor
 * per batch, the accuracy it keeps) show as the ratio and as its data-loading share.
 */
public final class TrainBench {

    /** One measurement. */
    public record Row(
            int samples,
            int dim,
            int classes,
            int batch,
            double trainerSamplesPerSecond,
            double loopSamplesPerSecond,
            double loadShare) {
        public double ratio() {
            return trainerSamplesPerSecond / loopSamplesPerSecond;
        }
    }

    private static final float LEARNING_RATE = 0.002f;

    private TrainBench() {}

    public static Row measure(int samples, int dim, int classes, int batch, int epochs) {
        LinearTrainer.Data data = data(samples, dim, classes);
        LinearTrainer.Data none = new LinearTrainer.Data(new float[0], new int[0], dim);
        LinearTrainer.Params p =
                new LinearTrainer.Params(
                        LossKind.NLL, epochs, batch, LEARNING_RATE, epochs, false, 1);
        // Warm-up, then the measured runs; the trainer reports samples/s of its training passes.
        LinearTrainer.train(
                data,
                none,
                classes,
                new LinearTrainer.Params(LossKind.NLL, 1, batch, LEARNING_RATE, 1, false, 1),
                e -> {});
        loop(data, classes, batch, 1);
        double[] trainer = {0, 0};
        LinearTrainer.train(
                data,
                none,
                classes,
                p,
                e -> {
                    trainer[0] += e.samplesPerSecond() / epochs;
                    trainer[1] += e.loadShare() / epochs;
                });
        double loop = loop(data, classes, batch, epochs);
        return new Row(samples, dim, classes, batch, trainer[0], loop, trainer[1]);
    }

    static LinearTrainer.Data data(int samples, int dim, int classes) {
        Random random = new Random(3);
        float[] x = new float[samples * dim];
        int[] y = new int[samples];
        for (int i = 0; i < samples; i++) {
            y[i] = random.nextInt(classes);
            for (int d = 0; d < dim; d++) {
                x[i * dim + d] = (float) random.nextGaussian() + (d % classes == y[i] ? 2f : 0f);
            }
        }
        return new LinearTrainer.Data(x, y, dim);
    }

    /**
     * The PyTorch-style loop; returns its samples per second over {@code epochs} epochs, the
     * one-time upload of the features excluded (a PyTorch user holds them in a tensor too).
     */
    static double loop(LinearTrainer.Data data, int classes, int batch, int epochs) {
        int n = data.size();
        int dim = data.dim();
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = data.y()[i];
        }
        try (NDManager manager =
                NDManager.newBaseManager(Engine.getEngine("PyTorch").getEngineName())) {
            NDArray x = manager.create(data.x(), new Shape(n, dim));
            NDArray y = manager.create(labels);
            NDArray w = manager.randomNormal(0, 0.01f, new Shape(classes, dim), DataType.FLOAT32);
            NDArray b = manager.zeros(new Shape(classes));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            Optimizer adam =
                    Adam.builder().optLearningRateTracker(Tracker.fixed(LEARNING_RATE)).build();
            // The trainer's own seeded shuffle, so both loops see batches in the same order.
            LinearTrainer.Params shuffle =
                    new LinearTrainer.Params(LossKind.NLL, 1, batch, LEARNING_RATE, 1, false, 1);
            long start = System.nanoTime();
            for (int epoch = 0; epoch < epochs; epoch++) {
                long[] order =
                        Arrays.stream(
                                        LinearTrainer.order(
                                                data, new int[classes], shuffle, epoch + 1))
                                .asLongStream()
                                .toArray();
                try (NDManager epochManager = manager.newSubManager()) {
                    NDArray permutation = epochManager.create(order);
                    for (int from = 0; from < n; from += batch) {
                        int to = Math.min(n, from + batch);
                        try (NDManager step = manager.newSubManager()) {
                            NDArray index = permutation.get(from + ":" + to);
                            index.attach(step);
                            NDArray xb = x.get(new NDIndex("{}", index));
                            NDArray yb = y.get(new NDIndex("{}", index));
                            xb.attach(step);
                            yb.attach(step);
                            try (GradientCollector gc =
                                    Engine.getInstance().newGradientCollector()) {
                                NDArray logits = xb.matMul(w.transpose()).add(b);
                                NDArray loss =
                                        logits.logSoftmax(1)
                                                .get(new NDIndex().addAllDim().addPickDim(yb))
                                                .mean()
                                                .neg();
                                gc.backward(loss);
                            }
                            update(adam, "weight", w);
                            update(adam, "bias", b);
                        }
                    }
                }
            }
            return (double) n * epochs / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void update(Optimizer optimizer, String name, NDArray parameter) {
        NDArray gradient = parameter.getGradient();
        optimizer.update(name, parameter, gradient);
        gradient.subi(gradient); // PyTorch accumulates gradients: zero them, as zero_grad()
    }
}
