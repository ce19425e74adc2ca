package org.plantclef.embed;

import org.plantclef.image.ImageOps;
import org.plantclef.image.Interpolation;
import org.plantclef.image.Normalizer;
import org.plantclef.image.Resizer;
import org.plantclef.image.RgbImage;

/**
 * timm's eval transform for the PlantCLEF DINOv2 model, on our images: resize the shorter side to
 * the model size with PIL-style bicubic (antialiased when downscaling), centre crop to a square,
 * scale to [0, 1], normalise with the ImageNet mean and std, channels first.
 */
public final class Preprocessor {

    private final int size;

    /**
     * @param size the model's input side (518 for the PlantCLEF ViT-B/14)
     */
    public Preprocessor(int size) {
        if (size < 14) {
            throw new IllegalArgumentException("image size must be at least 14, was " + size);
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Floats per preprocessed image: {@code 3 * size * size}. */
    public int imageFloats() {
        return 3 * size * size;
    }

    /** The square model input of {@code image}, still as pixels. */
    public RgbImage square(RgbImage image) {
        return ImageOps.resizeShorterSideCenterCrop(image, size, Interpolation.BICUBIC);
    }

    /** The square model input of the rectangle {@code region} of {@code image} (a tile). */
    public RgbImage square(RgbImage image, Resizer.Region region) {
        return ImageOps.resizeShorterSideCenterCrop(image, region, size, Interpolation.BICUBIC);
    }

    /** Writes the normalised CHW tensor of {@code image} into slot {@code index} of a batch. */
    public void into(RgbImage image, float[] batch, int index) {
        Normalizer.toChw(
                square(image),
                Normalizer.IMAGENET_MEAN,
                Normalizer.IMAGENET_STD,
                batch,
                index * imageFloats());
    }

    /** The normalised CHW tensor of {@code image}. */
    public float[] tensor(RgbImage image) {
        float[] out = new float[imageFloats()];
        into(image, out, 0);
        return out;
    }
}
