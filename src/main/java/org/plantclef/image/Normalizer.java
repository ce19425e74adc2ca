package org.plantclef.image;

/**
 * Turns an {@link RgbImage} into the float tensor a ViT takes: channels first ({@code [3, H, W]}),
 * values {@code (v / 255 - mean[c]) / std[c]}.
 */
public final class Normalizer {

    /** ImageNet channel means, as timm's DINOv2 configs use. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    /** ImageNet channel standard deviations. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private Normalizer() {}

    /** The ImageNet-normalised CHW array of {@code image}. */
    public static float[] toChw(RgbImage image) {
        return toChw(image, IMAGENET_MEAN, IMAGENET_STD);
    }

    public static float[] toChw(RgbImage image, float[] mean, float[] std) {
        float[] out = new float[3 * image.width() * image.height()];
        toChw(image, mean, std, out, 0);
        return out;
    }

    /** Writes the CHW array of {@code image} into {@code dst} at {@code offset} (for batches). */
    public static void toChw(RgbImage image, float[] mean, float[] std, float[] dst, int offset) {
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need three channels");
        }
        int plane = image.width() * image.height();
        if (offset < 0 || offset + 3 * plane > dst.length) {
            throw new IllegalArgumentException("destination too small for " + image);
        }
        byte[] rgb = image.rgb();
        for (int c = 0; c < 3; c++) {
            // Precompute per byte value: one table lookup per sample on the hot path.
            float[] table = new float[256];
            for (int v = 0; v < 256; v++) {
                table[v] = (v / 255f - mean[c]) / std[c];
            }
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                dst[base + i] = table[rgb[3 * i + c] & 0xFF];
            }
        }
    }
}
