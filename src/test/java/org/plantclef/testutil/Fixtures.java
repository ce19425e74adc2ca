package org.plantclef.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.RgbImage;

/** Writes small image files for job tests. */
public final class Fixtures {

    private Fixtures() {}

    /** A w×h JPEG of one colour. */
    public static byte[] jpeg(int w, int h, int rgb) {
        RgbImage image = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRgb(x, y, rgb);
            }
        }
        return ImageEncoder.jpeg(image, 0.95f);
    }

    public static Path write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, data);
    }

    public static Path writeText(Path file, String text) throws IOException {
        return write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The first half of a valid JPEG: a truncated download. */
    public static byte[] truncatedJpeg() {
        RgbImage noise = RgbImage.blank(64, 64);
        for (int i = 0; i < noise.rgb().length; i++) {
            noise.rgb()[i] = (byte) (i * 7919 % 251);
        }
        byte[] jpeg = ImageEncoder.jpeg(noise, 0.9f);
        return Arrays.copyOf(jpeg, jpeg.length / 2);
    }
}
