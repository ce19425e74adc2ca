package org.plantclef.classify;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains the paper's classifier, one {@code Linear(D, C)} layer, with DJL on the PyTorch engine:
 * Adam, mini-batches shuffled per epoch with a seed, early stopping on the validation loss, the
 * best epoch's weights kept. Initial weights come from the seed too (Xavier uniform, zero bias), so
 * a run is reproducible on CPU.
 */
public final class LinearTrainer {

    /** Hyper-parameters. */
    public record Params(
            LossKind loss,
            int epochs,
            int batchSize,
            float learningRate,
            int patience,
            boolean balanced,
            long seed)
            implements Serializable {

        /** The paper's: NLL, Adam lr 0.002, batch 32, up to 10 epochs, patience 3. */
        public static Params defaults() {
            return new Params(LossKind.NLL, 10, 32, 0.002f, 3, false, 42);
        }
    }

    /**
     * What one epoch did; {@code loadShare} is the part of its training time spent making the
     * batches' tensors from the feature rows.
     */
    public record Epoch(
            int epoch,
            double trainLoss,
            double trainAccuracy,
            double valLoss,
            double valAccuracy,
            double samplesPerSecond,
            double loadShare) {}

    /** The trained weights (of the best epoch) and the history. */
    public record Result(
            float[] weight,
            float[] bias,
            int bestEpoch,
            List<Epoch> epochs,
            double valMacroF1,
            Duration time) {}

    /** Samples: {@code n} rows of {@code dim} features and their class indices. */
    /**
     * Samples: row {@code i} has class {@code y[i]} and its {@code dim} features in {@code x} from
     * {@code offset(i)}. With {@code rows} the samples are a view into a shared array (train and
     * validation over one buffer, no copy); without, row i is at {@code i * dim}.
     */
    public record Data(float[] x, int[] y, int dim, int[] rows) {

        public Data(float[] x, int[] y, int dim) {
            this(x, y, dim, null);
        }

        public int size() {
            return y.length;
        }

        /** Where row {@code i}'s features start in {@code x}. */
        public long offset(int i) {
            return (long) (rows == null ? i : rows[i]) * dim;
        }

        float[] row(int i) {
            int from = (int) offset(i);
            return Arrays.copyOfRange(x, from, from + dim);
        }
    }

    private LinearTrainer() {}

    /**
     * Trains on {@code train}, validating on {@code val} (which may be empty: then every epoch runs
     * and the last is kept).
     */
    public static Result train(
            Data train, Data val, int classes, Params p, Consumer<Epoch> progress) {
        if (train.size() == 0) {
            throw new IllegalArgumentException("no training samples");
        }
        long start = System.nanoTime();
        int dim = train.dim();
        // Weights start from java.util.Random(seed) (initialise below), not from the engine's
        // JVM-wide generator, which other jobs in the same TaskManager share.
        Loss loss =
                switch (p.loss()) {
                    case NLL -> Loss.softmaxCrossEntropyLoss();
                    case BCE -> new SummedBce(classes);
                    case ASL -> AsymmetricLoss.defaults();
                };
        Linear block = Linear.builder().setUnits(classes).build();
        try (Model model = Model.newInstance("linear-classifier", Device.cpu(), "PyTorch")) {
            model.setBlock(block);
            DefaultTrainingConfig config =
                    new DefaultTrainingConfig(loss)
                            .optOptimizer(
                                    Adam.builder()
                                            .optLearningRateTracker(Tracker.fixed(p.learningRate()))
                                            .build())
                            .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(p.batchSize(), dim));
                initialise(block, classes, dim, p.seed());
                NDManager manager = trainer.getManager();

                List<Epoch> history = new ArrayList<>();
                float[] bestW = null;
                float[] bestB = null;
                int bestEpoch = 0;
                double bestVal = Double.POSITIVE_INFINITY;
                int sinceBest = 0;
                int[] counts = new int[classes];
                for (int label : train.y()) {
                    counts[label]++;
                }
                for (int epoch = 1; epoch <= p.epochs(); epoch++) {
                    long t = System.nanoTime();
                    int[] order = order(train, counts, p, epoch);
                    NDArray lossSum = manager.zeros(new Shape());
                    NDArray correct = manager.zeros(new Shape(), DataType.INT64);
                    long loadNanos = 0;
                    for (int from = 0; from < order.length; from += p.batchSize()) {
                        int n = Math.min(p.batchSize(), order.length - from);
                        try (NDManager batch = manager.newSubManager()) {
                            long load = System.nanoTime();
                            NDArray x =
                                    batch.create(rows(train, order, from, n), new Shape(n, dim));
                            NDArray y = labels(batch, train, order, from, n, classes, p.loss());
                            loadNanos += System.nanoTime() - load;
                            NDArray logits;
                            NDArray l;
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                logits = trainer.forward(new NDList(x)).singletonOrThrow();
                                l = loss.evaluate(new NDList(y), new NDList(logits));
                                gc.backward(l);
                            }
                            trainer.step();
                            // Summed inside libtorch, read once per epoch: a read per batch
                            // would stall the loop on a copy to Java every step.
                            lossSum.addi(l.mul(n));
                            NDArray labels = p.loss().softmax() ? y : y.argMax(1);
                            correct.addi(logits.argMax(1).eq(labels).sum());
                        }
                    }
                    double seconds = (System.nanoTime() - t) / 1e9;
                    float[] w = array(block, "weight");
                    float[] b = array(block, "bias");
                    double[] valStats = evaluate(trainer, loss, val, classes, p);
                    Epoch e =
                            new Epoch(
                                    epoch,
                                    lossSum.getFloat() / order.length,
                                    correct.getLong() / (double) order.length,
                                    valStats[0],
                                    valStats[1],
                                    order.length / seconds,
                                    loadNanos / 1e9 / seconds);
                    history.add(e);
                    lossSum.close();
                    correct.close();
                    progress.accept(e);
                    if (Double.isNaN(e.trainLoss())
                            || Double.isInfinite(e.trainLoss())
                            || (val.size() > 0 && !Double.isFinite(e.valLoss()))) {
                        throw new IllegalStateException(
                                "training diverged at epoch "
                                        + epoch
                                        + " (train loss "
                                        + e.trainLoss()
                                        + ", validation loss "
                                        + e.valLoss()
                                        + "); lower the learning rate");
                    }
                    double score = val.size() == 0 ? -epoch : valStats[0];
                    if (score < bestVal) {
                        bestVal = score;
                        bestW = w;
                        bestB = b;
                        bestEpoch = epoch;
                        sinceBest = 0;
                    } else if (++sinceBest >= p.patience()) {
                        break;
                    }
                }
                double f1 = macroF1(bestW, bestB, val, classes);
                return new Result(
                        bestW,
                        bestB,
                        bestEpoch,
                        history,
                        f1,
                        Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    /** Xavier-uniform weights from the seed, zero bias. */
    private static void initialise(Linear block, int classes, int dim, long seed) {
        Random random = new Random(seed);
        double a = Math.sqrt(6.0 / (dim + classes));
        float[] w = new float[classes * dim];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((random.nextDouble() * 2 - 1) * a);
        }
        parameter(block, "weight").getArray().set(w);
        parameter(block, "bias").getArray().set(new float[classes]);
    }

    private static Parameter parameter(Linear block, String name) {
        return block.getParameters().get(name);
    }

    private static float[] array(Linear block, String name) {
        return parameter(block, name).getArray().toFloatArray();
    }

    /** This epoch's sample order: a seeded shuffle, or a class-balanced draw with replacement. */
    static int[] order(Data train, int[] counts, Params p, int epoch) {
        Random random = new Random(p.seed() * 1_000_003L + epoch);
        int n = train.size();
        int[] order = new int[n];
        if (!p.balanced()) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            return order;
        }
        // Each sample weighted 1 / (its class's count): every class equally likely per draw.
        double[] cumulative = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += 1.0 / counts[train.y()[i]];
            cumulative[i] = total;
        }
        for (int i = 0; i < n; i++) {
            double r = random.nextDouble() * total;
            int k = Arrays.binarySearch(cumulative, r);
            order[i] = Math.min(k < 0 ? -k - 1 : k, n - 1);
        }
        return order;
    }

    private static float[] rows(Data data, int[] order, int from, int n) {
        float[] out = new float[n * data.dim()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(
                    data.x(), (int) data.offset(order[from + i]), out, i * data.dim(), data.dim());
        }
        return out;
    }

    private static NDArray labels(
            NDManager manager,
            Data data,
            int[] order,
            int from,
            int n,
            int classes,
            LossKind loss) {
        if (loss.softmax()) {
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = data.y()[order[from + i]];
            }
            return manager.create(y);
        }
        float[] oneHot = new float[n * classes];
        for (int i = 0; i < n; i++) {
            oneHot[i * classes + data.y()[order[from + i]]] = 1f;
        }
        return manager.create(oneHot, new Shape(n, classes));
    }

    private static int correct(NDArray logits, Data data, int[] order, int from, int n) {
        long[] predicted = logits.argMax(1).toLongArray();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += predicted[i] == data.y()[order[from + i]] ? 1 : 0;
        }
        return correct;
    }

    /** Validation loss (as trained) and accuracy, without recording gradients. */
    private static double[] evaluate(Trainer trainer, Loss loss, Data val, int classes, Params p) {
        if (val.size() == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int[] order = new int[val.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        double lossSum = 0;
        int correct = 0;
        for (int from = 0; from < order.length; from += 256) {
            int n = Math.min(256, order.length - from);
            try (NDManager batch = trainer.getManager().newSubManager()) {
                NDArray x = batch.create(rows(val, order, from, n), new Shape(n, val.dim()));
                NDArray y = labels(batch, val, order, from, n, classes, p.loss());
                NDArray logits = trainer.evaluate(new NDList(x)).singletonOrThrow();
                lossSum += loss.evaluate(new NDList(y), new NDList(logits)).getFloat() * n;
                correct += correct(logits, val, order, from, n);
            }
        }
        return new double[] {lossSum / val.size(), correct / (double) val.size()};
    }

    /**
     * Macro-F1 of the argmax prediction on {@code val}, over the classes that occur in its labels
     * or predictions.
     */
    static double macroF1(float[] weight, float[] bias, Data val, int classes) {
        if (val.size() == 0) {
            return Double.NaN;
        }
        int dim = val.dim();
        int[] tp = new int[classes];
        int[] fp = new int[classes];
        int[] fn = new int[classes];
        for (int i = 0; i < val.size(); i++) {
            int row = (int) val.offset(i);
            int best = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                float s = bias[c];
                for (int d = 0; d < dim; d++) {
                    s += weight[c * dim + d] * val.x()[row + d];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            int truth = val.y()[i];
            if (best == truth) {
                tp[truth]++;
            } else {
                fp[best]++;
                fn[truth]++;
            }
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (tp[c] + fp[c] + fn[c] == 0) {
                continue;
            }
            present++;
            sum += 2.0 * tp[c] / (2.0 * tp[c] + fp[c] + fn[c]);
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    /**
     * Binary cross-entropy summed over classes and averaged over the batch, like {@link
     * AsymmetricLoss}: DJL's averages over classes too, which would shrink the gradients C-fold.
     */
    static final class SummedBce extends Loss {
        private final Loss mean = Loss.sigmoidBinaryCrossEntropyLoss();
        private final int classes;

        SummedBce(int classes) {
            super("bce");
            this.classes = classes;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return mean.evaluate(labels, predictions).mul(classes);
        }
    }
}
