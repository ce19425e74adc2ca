package org.plantclef.image;

import java.awt.image.BufferedImage;
import org.plantclef.testutil.BadInputs;

/** Builders for small test images. */
final class TestImages {

    private TestImages() {}

    /** A w×h image whose pixel (x, y) is {@code (x, y, (x + y) % 256)}: every pixel is known. */
    static RgbImage gradient(int w, int h) {
        RgbImage image = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRgb(x, y, ((x & 0xFF) << 16) | ((y & 0xFF) << 8) | ((x + y) & 0xFF));
            }
        }
        return image;
    }

    static RgbImage filled(int w, int h, int rgb) {
        RgbImage image = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRgb(x, y, rgb);
            }
        }
        return image;
    }

    static byte[] write(BufferedImage image, String format) {
        return BadInputs.write(image, format);
    }
}
