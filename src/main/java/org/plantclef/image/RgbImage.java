package org.plantclef.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image held as interleaved bytes ({@code r,g,b} per pixel, row-major).
 *
 * <p>The image stage works on this plain representation rather than {@link
 * java.awt.image.BufferedImage}: every operation is then exact and independent of the JDK's colour
 * management (which, for instance, treats grayscale rasters as linear light).
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final byte[] rgb;

    /** Wraps {@code rgb} (not copied), which must hold exactly {@code width * height * 3} bytes. */
    public RgbImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, was " + width + "x" + height);
        }
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException(
                    "expected "
                            + (width * height * 3)
                            + " bytes for "
                            + width
                            + "x"
                            + height
                            + " RGB, got "
                            + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /** A new black image. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The interleaved pixel bytes, not copied. */
    public byte[] rgb() {
        return rgb;
    }

    /** Channel {@code c} (0 = red, 1 = green, 2 = blue) of pixel (x, y), as 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The pixel (x, y) packed as {@code 0xRRGGBB}. */
    public int getRgb(int x, int y) {
        int i = (y * width + x) * 3;
        return ((rgb[i] & 0xFF) << 16) | ((rgb[i + 1] & 0xFF) << 8) | (rgb[i + 2] & 0xFF);
    }

    public void setRgb(int x, int y, int packed) {
        int i = (y * width + x) * 3;
        rgb[i] = (byte) (packed >>> 16);
        rgb[i + 1] = (byte) (packed >>> 8);
        rgb[i + 2] = (byte) packed;
    }

    /** A copy of the rectangle at (x, y) of size w×h, which must lie inside this image. */
    public RgbImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException(
                    "crop "
                            + w
                            + "x"
                            + h
                            + "+"
                            + x
                            + "+"
                            + y
                            + " outside a "
                            + width
                            + "x"
                            + height
                            + " image");
        }
        byte[] out = new byte[w * h * 3];
        for (int row = 0; row < h; row++) {
            System.arraycopy(rgb, ((y + row) * width + x) * 3, out, row * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other
                && other.width == width
                && other.height == height
                && Arrays.equals(other.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
