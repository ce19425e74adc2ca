package org.plantclef.embed;

import java.util.ArrayList;
import java.util.List;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;

/**
 * Measures, in one process with the same model and threads, the throughput of (a) the bare
 * predictor on already preprocessed tensors and (b) the full embed path from JPEG bytes (decode,
 * resize, crop, normalise, model), and the preprocessing cost alone. The ratio (b)/(a) is what the
 * pipeline loses to everything that is not the model.
 */
public final class EmbedBench {

    /** One row of the result table. */
    public record Row(
            int batch,
            double bareImagesPerSecond,
            double fullImagesPerSecond,
            double preprocessMillis) {
        public double ratio() {
            return fullImagesPerSecond / bareImagesPerSecond;
        }
    }

    private final DjlEmbedder embedder;
    private final List<byte[]> jpegs;
    private final double minSeconds;
    private final ImageDecoder decoder = new ImageDecoder();

    /**
     * @param jpegs the source photos, cycled through
     * @param minSeconds the least time each measurement runs (after one warm-up batch)
     */
    public EmbedBench(DjlEmbedder embedder, List<byte[]> jpegs, double minSeconds) {
        if (jpegs.isEmpty()) {
            throw new IllegalArgumentException("need at least one photo");
        }
        this.embedder = embedder;
        this.jpegs = jpegs;
        this.minSeconds = minSeconds;
    }

    /** Measures batch size {@code batch}; the embedder must have been opened with it. */
    public Row measure(int batch) throws InvalidImageException {
        Preprocessor pre = embedder.preprocessor();
        int size = pre.size();
        // Tensors for (a), made once.
        float[][] tensors = new float[jpegs.size()][];
        long preNanos = 0;
        for (int i = 0; i < jpegs.size(); i++) {
            long t = System.nanoTime();
            tensors[i] = pre.tensor(decoder.decode(jpegs.get(i)));
            preNanos += System.nanoTime() - t;
        }
        double preprocessMillis = preNanos / 1e6 / jpegs.size();
        float[] buffer = new float[batch * pre.imageFloats()];

        bare(batch, buffer, tensors, size); // warm-up: PyTorch optimises on the first calls
        full(batch);
        double bare = 0;
        double full = 0;
        long bareNanos = 0;
        long fullNanos = 0;
        int bareImages = 0;
        int fullImages = 0;
        // Alternate the two, so that a noisy neighbour hurts both alike.
        while (bareNanos < minSeconds * 1e9 || fullNanos < minSeconds * 1e9) {
            long t = System.nanoTime();
            bareImages += bare(batch, buffer, tensors, size);
            bareNanos += System.nanoTime() - t;
            t = System.nanoTime();
            fullImages += full(batch);
            fullNanos += System.nanoTime() - t;
        }
        bare = bareImages / (bareNanos / 1e9);
        full = fullImages / (fullNanos / 1e9);
        return new Row(batch, bare, full, preprocessMillis);
    }

    /**
     * Images per second of two models on the same preprocessed batch, measured alternately (so a
     * noisy neighbour hurts both alike) after two warm-up batches each; both embedders must have
     * been opened with batch size {@code batch} and input side {@code size}.
     *
     * @return {@code {a img/s, b img/s, median over the rounds of a's speed / b's}}: the median of
     *     paired rounds shrugs off a burst of load from a neighbour that the totals do not
     */
    public static double[] versus(
            DjlEmbedder a, DjlEmbedder b, int batch, int size, double minSeconds) {
        float[] input = new float[batch * 3 * size * size];
        java.util.Random random = new java.util.Random(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < 2; i++) {
            a.run(input, batch, size);
            b.run(input, batch, size);
        }
        long aNanos = 0;
        long bNanos = 0;
        List<Double> ratios = new ArrayList<>();
        while (aNanos < minSeconds * 1e9 || bNanos < minSeconds * 1e9) {
            // Alternate which goes first, so that neither always runs on a warmer cache.
            boolean aFirst = ratios.size() % 2 == 0;
            long ta = 0;
            long tb = 0;
            for (int turn = 0; turn < 2; turn++) {
                boolean runA = (turn == 0) == aFirst;
                long t = System.nanoTime();
                (runA ? a : b).run(input, batch, size);
                long spent = System.nanoTime() - t;
                if (runA) {
                    ta = spent;
                } else {
                    tb = spent;
                }
            }
            aNanos += ta;
            bNanos += tb;
            ratios.add((double) tb / ta);
        }
        ratios.sort(null);
        double median =
                ratios.size() % 2 == 1
                        ? ratios.get(ratios.size() / 2)
                        : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
        int runs = ratios.size();
        return new double[] {runs * batch / (aNanos / 1e9), runs * batch / (bNanos / 1e9), median};
    }

    private int cursor;

    private int bare(int batch, float[] buffer, float[][] tensors, int size) {
        for (int i = 0; i < batch; i++) {
            float[] t = tensors[(cursor + i) % tensors.length];
            System.arraycopy(t, 0, buffer, i * t.length, t.length);
        }
        cursor += batch;
        embedder.run(buffer, batch, size);
        return batch;
    }

    private int full(int batch) throws InvalidImageException {
        List<RgbImage> images = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            images.add(decoder.decode(jpegs.get((cursor + i) % jpegs.size())));
        }
        cursor += batch;
        embedder.embed(images);
        return batch;
    }
}
