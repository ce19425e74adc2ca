package org.plantclef.image;

import java.util.Arrays;

/**
 * Separable resampling of {@link RgbImage}s: one horizontal pass, one vertical pass, each a
 * weighted sum of input pixels with weights precomputed per output coordinate.
 */
public final class Resizer {

    private Resizer() {}

    /** {@code image} resized to {@code width}×{@code height}. */
    public static RgbImage resize(RgbImage image, int width, int height, Interpolation mode) {
        if (width == image.width() && height == image.height()) {
            return image;
        }
        return resizeCrop(image, width, height, mode, 0, 0, width, height);
    }

    /**
     * The {@code cropW}×{@code cropH} window at ({@code cropX}, {@code cropY}) of {@code image}
     * resized to {@code width}×{@code height}: the same pixels as resizing and then cropping, but
     * only the window is computed (resize-then-centre-crop wastes a quarter of the work on a 4:3
     * photo otherwise).
     */
    public static RgbImage resizeCrop(
            RgbImage image,
            int width,
            int height,
            Interpolation mode,
            int cropX,
            int cropY,
            int cropW,
            int cropH) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "target size must be positive, was " + width + "x" + height);
        }
        if (cropX < 0
                || cropY < 0
                || cropW <= 0
                || cropH <= 0
                || cropX + cropW > width
                || cropY + cropH > height) {
            throw new IllegalArgumentException(
                    "crop "
                            + cropW
                            + "x"
                            + cropH
                            + "+"
                            + cropX
                            + "+"
                            + cropY
                            + " outside "
                            + width
                            + "x"
                            + height);
        }
        int inW = image.width();
        int inH = image.height();
        Weights horizontal = Weights.of(inW, width, mode);
        Weights vertical = Weights.of(inH, height, mode);
        byte[] src = image.rgb();
        boolean roundBetweenPasses = mode == Interpolation.BICUBIC;

        // Only the input rows the window's output rows read.
        int firstRow = vertical.start[cropY];
        int lastRow = 0; // exclusive
        for (int y = cropY; y < cropY + cropH; y++) {
            lastRow = Math.max(lastRow, vertical.start[y] + vertical.length[y]);
        }

        // Horizontal pass: those rows, the window's columns.
        int midStride = cropW * 3;
        float[] mid = new float[(lastRow - firstRow) * midStride];
        for (int y = firstRow; y < lastRow; y++) {
            int rowIn = y * inW * 3;
            int rowOut = (y - firstRow) * midStride;
            for (int x = 0; x < cropW; x++) {
                int ox = cropX + x;
                float r = 0;
                float g = 0;
                float b = 0;
                int start = horizontal.start[ox];
                int base = ox * horizontal.stride;
                for (int k = 0; k < horizontal.length[ox]; k++) {
                    float w = horizontal.weights[base + k];
                    int i = rowIn + (start + k) * 3;
                    r += w * (src[i] & 0xFF);
                    g += w * (src[i + 1] & 0xFF);
                    b += w * (src[i + 2] & 0xFF);
                }
                int o = rowOut + x * 3;
                if (roundBetweenPasses) {
                    // PIL keeps 8-bit pixels between its two passes.
                    r = clamp(Math.round(r));
                    g = clamp(Math.round(g));
                    b = clamp(Math.round(b));
                }
                mid[o] = r;
                mid[o + 1] = g;
                mid[o + 2] = b;
            }
        }

        // Vertical pass, a whole row at a time (contiguous reads).
        byte[] out = new byte[cropW * cropH * 3];
        float[] acc = new float[midStride];
        for (int y = 0; y < cropH; y++) {
            int oy = cropY + y;
            Arrays.fill(acc, 0f);
            int start = vertical.start[oy] - firstRow;
            int base = oy * vertical.stride;
            for (int k = 0; k < vertical.length[oy]; k++) {
                float w = vertical.weights[base + k];
                int row = (start + k) * midStride;
                for (int x = 0; x < midStride; x++) {
                    acc[x] += w * mid[row + x];
                }
            }
            int rowOut = y * midStride;
            for (int x = 0; x < midStride; x++) {
                out[rowOut + x] = (byte) clamp(Math.round(acc[x]));
            }
        }
        return new RgbImage(cropW, cropH, out);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Per output coordinate: the first input index and the normalised weights from there. */
    static final class Weights {
        final int[] start;
        final int[] length;
        final float[] weights;
        final int stride;

        private Weights(int[] start, int[] length, float[] weights, int stride) {
            this.start = start;
            this.length = length;
            this.weights = weights;
            this.stride = stride;
        }

        static Weights of(int in, int out, Interpolation mode) {
            return mode == Interpolation.AREA ? area(in, out) : bicubic(in, out);
        }

        private static Weights area(int in, int out) {
            double scale = (double) in / out;
            int stride = (int) Math.ceil(scale) + 2;
            int[] start = new int[out];
            int[] length = new int[out];
            float[] weights = new float[out * stride];
            for (int i = 0; i < out; i++) {
                double from = i * scale;
                double to = Math.min((i + 1) * scale, in);
                int first = (int) Math.floor(from);
                int last = Math.min((int) Math.ceil(to), in); // exclusive
                start[i] = first;
                length[i] = last - first;
                double total = to - from;
                for (int j = first; j < last; j++) {
                    double overlap = Math.min(j + 1, to) - Math.max(j, from);
                    weights[i * stride + (j - first)] = (float) (overlap / total);
                }
            }
            return new Weights(start, length, weights, stride);
        }

        private static Weights bicubic(int in, int out) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = 2.0 * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[out];
            int[] length = new int[out];
            float[] weights = new float[out * stride];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int first = Math.max(0, (int) (center - support + 0.5));
                int last = Math.min(in, (int) (center + support + 0.5));
                int n = Math.min(last - first, stride);
                double sum = 0;
                double[] w = new double[n];
                for (int k = 0; k < n; k++) {
                    w[k] = cubic((k + first - center + 0.5) / filterScale);
                    sum += w[k];
                }
                start[i] = first;
                length[i] = n;
                for (int k = 0; k < n; k++) {
                    weights[i * stride + k] = (float) (sum == 0 ? 0 : w[k] / sum);
                }
            }
            return new Weights(start, length, weights, stride);
        }

        private static double cubic(double x) {
            final double a = -0.5;
            x = Math.abs(x);
            if (x < 1) {
                return ((a + 2) * x - (a + 3)) * x * x + 1;
            }
            if (x < 2) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0;
        }
    }
}
