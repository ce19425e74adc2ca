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
        return resizeCrop(
                image,
                new Region(0, 0, image.width(), image.height()),
                width,
                height,
                mode,
                cropX,
                cropY,
                cropW,
                cropH);
    }

    /** A rectangle of an image's pixels. */
    public record Region(int x, int y, int width, int height) {}

    /**
     * As {@link #resizeCrop(RgbImage, int, int, Interpolation, int, int, int, int)}, of the
     * rectangle {@code source} of {@code image} as if it had been cropped out first: the pixels are
     * read in place, so a grid's tiles are resized without copying each out of the photo.
     */
    public static RgbImage resizeCrop(
            RgbImage image,
            Region source,
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
        if (source.x() < 0
                || source.y() < 0
                || source.width() <= 0
                || source.height() <= 0
                || source.x() + source.width() > image.width()
                || source.y() + source.height() > image.height()) {
            throw new IllegalArgumentException("region " + source + " outside " + image);
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
        Weights horizontal = Weights.of(source.width(), width, mode, cropX, cropW);
        Weights vertical = Weights.of(source.height(), height, mode, cropY, cropH);
        return mode == Interpolation.BICUBIC
                ? fixedPoint(image, source, horizontal, vertical, cropW, cropH)
                : floating(image, source, horizontal, vertical, cropW, cropH);
    }

    /** Fractional bits of the fixed-point weights: Pillow's {@code PRECISION_BITS}. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private static final int HALF = 1 << (PRECISION_BITS - 1);

    /**
     * Pillow's 8-bit resampling exactly: integer weights with {@value #PRECISION_BITS} fractional
     * bits, a horizontal pass to 8-bit rows, then a vertical pass, each rounded and clipped to
     * 0..255. Integer arithmetic is also faster here than float.
     */
    private static RgbImage fixedPoint(
            RgbImage image,
            Region source,
            Weights horizontal,
            Weights vertical,
            int cropW,
            int cropH) {
        byte[] src = image.rgb();
        int imageStride = image.width() * 3;
        int firstRow = vertical.start[0];
        int lastRow = vertical.end(); // exclusive

        // Horizontal pass: the rows the vertical pass reads, the window's columns, as bytes.
        int midStride = cropW * 3;
        byte[] mid = new byte[(lastRow - firstRow) * midStride];
        int[] weights = horizontal.fixed;
        for (int y = firstRow; y < lastRow; y++) {
            int rowIn = (source.y() + y) * imageStride + source.x() * 3;
            int o = (y - firstRow) * midStride;
            for (int x = 0; x < cropW; x++) {
                int r = HALF;
                int g = HALF;
                int b = HALF;
                int i = rowIn + horizontal.start[x] * 3;
                int base = x * horizontal.stride;
                int end = base + horizontal.length[x];
                for (int k = base; k < end; k++, i += 3) {
                    int w = weights[k];
                    r += (src[i] & 0xFF) * w;
                    g += (src[i + 1] & 0xFF) * w;
                    b += (src[i + 2] & 0xFF) * w;
                }
                mid[o++] = clip8(r);
                mid[o++] = clip8(g);
                mid[o++] = clip8(b);
            }
        }

        // Vertical pass, a whole row at a time (contiguous reads the JIT vectorises).
        byte[] out = new byte[cropW * cropH * 3];
        int[] acc = new int[midStride];
        weights = vertical.fixed;
        for (int outRow = 0; outRow < cropH; outRow++) {
            Arrays.fill(acc, HALF);
            int start = vertical.start[outRow] - firstRow;
            int base = outRow * vertical.stride;
            for (int k = 0; k < vertical.length[outRow]; k++) {
                int w = weights[base + k];
                int row = (start + k) * midStride;
                for (int x = 0; x < midStride; x++) {
                    acc[x] += (mid[row + x] & 0xFF) * w;
                }
            }
            int rowOut = outRow * midStride;
            for (int x = 0; x < midStride; x++) {
                out[rowOut + x] = clip8(acc[x]);
            }
        }
        return new RgbImage(cropW, cropH, out);
    }

    private static byte clip8(int fixed) {
        int v = fixed >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Float weights and float sums, rounded once at the end (area averaging). */
    private static RgbImage floating(
            RgbImage image,
            Region source,
            Weights horizontal,
            Weights vertical,
            int cropW,
            int cropH) {
        byte[] src = image.rgb();
        int imageStride = image.width() * 3;
        int firstRow = vertical.start[0];
        int lastRow = vertical.end(); // exclusive

        int midStride = cropW * 3;
        float[] mid = new float[(lastRow - firstRow) * midStride];
        for (int y = firstRow; y < lastRow; y++) {
            int rowIn = (source.y() + y) * imageStride + source.x() * 3;
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
                mid[o] = r;
                mid[o + 1] = g;
                mid[o + 2] = b;
            }
        }

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

        /** The weights in Pillow's fixed point (bicubic only), else null. */
        final int[] fixed;

        final int stride;

        private Weights(int[] start, int[] length, float[] weights, int[] fixed, int stride) {
            this.start = start;
            this.length = length;
            this.weights = weights;
            this.fixed = fixed;
            this.stride = stride;
        }

        /** One past the last input index any output coordinate reads. */
        int end() {
            int end = 0;
            for (int i = 0; i < start.length; i++) {
                end = Math.max(end, start[i] + length[i]);
            }
            return end;
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
            return new Weights(start, length, weights, null, stride);
        }

        private static Weights bicubic(int in, int out, int window, int count) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = 2.0 * filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[count];
            int[] length = new int[count];
            float[] weights = new float[count * stride];
            int[] fixed = new int[count * stride];
            double reciprocal = 1.0 / filterScale;
            for (int i = 0; i < count; i++) {
                double center = (window + i + 0.5) * scale;
                int first = Math.max(0, (int) (center - support + 0.5));
                int last = Math.min(in, (int) (center + support + 0.5));
                int n = Math.min(last - first, stride);
                double sum = 0;
                double[] w = new double[n];
                for (int k = 0; k < n; k++) {
                    w[k] = cubic((k + first - center + 0.5) * reciprocal);
                    sum += w[k];
                }
                start[i] = first;
                length[i] = n;
                for (int k = 0; k < n; k++) {
                    // As Pillow's precompute_coeffs and normalize_coeffs_8bpc.
                    double normalised = sum == 0 ? w[k] : w[k] / sum;
                    weights[i * stride + k] = (float) normalised;
                    double scaled = normalised * (1 << PRECISION_BITS);
                    fixed[i * stride + k] = (int) (normalised < 0 ? scaled - 0.5 : scaled + 0.5);
                }
            }
            return new Weights(start, length, weights, fixed, stride);
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
