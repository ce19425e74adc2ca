package org.plantclef.classify;

import java.util.Random;

/**
 * Training throughput of {@link LinearTrainer} (DJL on PyTorch) against a plain-Java baseline of
 * the same algorithm — linear layer, log-softmax + NLL, Adam, the same batches — on random
 * separable data, in one process.
 */
public final class TrainBench {

    /** One measurement. */
    public record Row(
            int dim,
            int classes,
            int batch,
            double djlSamplesPerSecond,
            double javaSamplesPerSecond) {
        public double ratio() {
            return djlSamplesPerSecond / javaSamplesPerSecond;
        }
    }

    private TrainBench() {}

    public static Row measure(int samples, int dim, int classes, int batch, int epochs) {
        LinearTrainer.Data data = data(samples, dim, classes);
        LinearTrainer.Data none = new LinearTrainer.Data(new float[0], new int[0], dim);
        LinearTrainer.Params p =
                new LinearTrainer.Params(LossKind.NLL, epochs, batch, 0.002f, epochs, false, 1);
        // Warm-up, then the measured run; the trainer reports samples/s of its training passes.
        LinearTrainer.train(
                data,
                none,
                classes,
                new LinearTrainer.Params(LossKind.NLL, 1, batch, 0.002f, 1, false, 1),
                e -> {});
        double[] djl = {0};
        LinearTrainer.train(data, none, classes, p, e -> djl[0] += e.samplesPerSecond() / epochs);

        plainJava(data, classes, batch, 1); // warm-up for the JIT
        long t = System.nanoTime();
        plainJava(data, classes, batch, epochs);
        double java = (double) samples * epochs / ((System.nanoTime() - t) / 1e9);
        return new Row(dim, classes, batch, djl[0], java);
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

    /** The same training loop in plain Java: forward, softmax, gradient, Adam. */
    static float[] plainJava(LinearTrainer.Data data, int classes, int batch, int epochs) {
        int dim = data.dim();
        float[] w = new float[classes * dim];
        float[] b = new float[classes];
        float[] mw = new float[w.length];
        float[] vw = new float[w.length];
        float[] mb = new float[classes];
        float[] vb = new float[classes];
        float[] gw = new float[w.length];
        float[] gb = new float[classes];
        float[] logits = new float[batch * classes];
        int[] order =
                LinearTrainer.order(
                        data,
                        new int[classes],
                        new LinearTrainer.Params(LossKind.NLL, 1, batch, 0.002f, 1, false, 1),
                        1);
        float lr = 0.002f;
        float beta1 = 0.9f;
        float beta2 = 0.999f;
        float eps = 1e-8f;
        int step = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int from = 0; from < order.length; from += batch) {
                int n = Math.min(batch, order.length - from);
                java.util.Arrays.fill(gw, 0f);
                java.util.Arrays.fill(gb, 0f);
                for (int i = 0; i < n; i++) {
                    int row = order[from + i] * dim;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int c = 0; c < classes; c++) {
                        float s = b[c];
                        int wr = c * dim;
                        for (int d = 0; d < dim; d++) {
                            s += w[wr + d] * data.x()[row + d];
                        }
                        logits[i * classes + c] = s;
                        max = Math.max(max, s);
                    }
                    float sum = 0;
                    for (int c = 0; c < classes; c++) {
                        float e = (float) Math.exp(logits[i * classes + c] - max);
                        logits[i * classes + c] = e;
                        sum += e;
                    }
                    int label = data.y()[order[from + i]];
                    for (int c = 0; c < classes; c++) {
                        float g = (logits[i * classes + c] / sum - (c == label ? 1f : 0f)) / n;
                        gb[c] += g;
                        int wr = c * dim;
                        for (int d = 0; d < dim; d++) {
                            gw[wr + d] += g * data.x()[row + d];
                        }
                    }
                }
                step++;
                float c1 = 1 - (float) Math.pow(beta1, step);
                float c2 = 1 - (float) Math.pow(beta2, step);
                adam(w, gw, mw, vw, lr, beta1, beta2, eps, c1, c2);
                adam(b, gb, mb, vb, lr, beta1, beta2, eps, c1, c2);
            }
        }
        return w;
    }

    private static void adam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            float lr,
            float b1,
            float b2,
            float eps,
            float c1,
            float c2) {
        for (int i = 0; i < p.length; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] / c1) / ((float) Math.sqrt(v[i] / c2) + eps);
        }
    }
}
