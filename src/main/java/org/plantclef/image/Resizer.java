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
     * A {@code inH}×{@code inW} grid of {@code channels}-float vectors (row-major, channels last)
     * resized to {@code outH}×{@code outW} in float, width first then height: PyTorch's {@code
     * F.interpolate(mode="bicubic", antialias=True)} with {@link Interpolation#BICUBIC}, which timm
     * uses to resample a ViT's position embedding.
     */
    public static float[] resampleChannelsLast(
            float[] in, int inH, int inW, int channels, int outH, int outW, Interpolation mode) {
        if ((long) inH * inW * channels != in.length) {
            throw new IllegalArgumentException(
                    in.length + " floats are not " + inH + "x" + inW + "x" + channels);
        }
        Weights horizontal = Weights.of(inW, outW, mode, 0, outW);
        Weights vertical = Weights.of(inH, outH, mode, 0, outH);
        float[] mid = new float[inH * outW * channels];
        for (int y = 0; y < inH; y++) {
            for (int x = 0; x < outW; x++) {
                int out = (y * outW + x) * channels;
                for (int k = 0; k < horizontal.length[x]; k++) {
                    float weight = horizontal.weights[x * horizontal.stride + k];
                    int src = (y * inW + horizontal.start[x] + k) * channels;
                    for (int c = 0; c < channels; c++) {
                        mid[out + c] += weight * in[src + c];
                    }
                }
            }
        }
        float[] result = new float[outH * outW * channels];
        for (int y = 0; y < outH; y++) {
            for (int k = 0; k < vertical.length[y]; k++) {
                float weight = vertical.weights[y * vertical.stride + k];
                int srcRow = (vertical.start[y] + k) * outW * channels;
                int outRow = y * outW * channels;
                for (int i = 0; i < outW * channels; i++) {
                    result[outRow + i] += weight * mid[srcRow + i];
                }
            }
        }
        return result;
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
        Weights horizontal = Weights.of(inW, width, mode, cropX, cropW);
        Weights vertical = Weights.of(inH, height, mode, cropY, cropH);
        byte[] src = image.rgb();
        boolean roundBetweenPasses = mode == Interpolation.BICUBIC;

        // Only the input rows the window's output rows read.
        int firstRow = vertical.start[0];
        int lastRow = 0; // exclusive
        for (int y = 0; y < cropH; y++) {
            lastRow = Math.max(lastRow, vertical.start[y] + vertical.length[y]);
        }

        // Horizontal pass: those rows, the window's columns.
        int midStride = cropW * 3;
        float[] mid = new float[(lastRow - firstRow) * midStride];
        for (int y = firstRow; y < lastRow; y++) {
            int rowIn = y * inW * 3;
            int rowOut = (y - firstRow) * midStride;
            for (int x = 0; x < cropW; x++) {
                float r = 0;
                float g = 0;
                float b = 0;
                int start = horizontal.start[x];
                int base = x * horizontal.stride;
                for (int k = 0; k < horizontal.length[x]; k++) {
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
            Arrays.fill(acc, 0f);
            int start = vertical.start[y] - firstRow;
            int base = y * vertical.stride;
            for (int k = 0; k < vertical.length[y]; k++) {
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

        /**
         * The weights of output coordinates {@code from .. from + count - 1} (indexed from 0) of a
         * resize from {@code in} to {@code out}: only the window that is kept is computed, so a
         * huge but cropped output costs nothing.
         */
        static Weights of(int in, int out, Interpolation mode, int from, int count) {
            return mode == Interpolation.AREA
                    ? area(in, out, from, count)
                    : bicubic(in, out, from, count);
        }

        private static Weights area(int in, int out, int window, int count) {
            double scale = (double) in / out;
            int stride = (int) Math.ceil(scale) + 2;
            int[] start = new int[count];
            int[] length = new int[count];
            float[] weights = new float[count * stride];
            for (int i = 0; i < count; i++) {
                double from = (window + i) * scale;
                double to = Math.min((window + i + 1) * scale, in);
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

        private static Weights bicubic(int in, int out, int window, int count) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = 2.0 * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[count];
            int[] length = new int[count];
            float[] weights = new float[count * stride];
            for (int i = 0; i < count; i++) {
                double center = (window + i + 0.5) * scale;
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
