package org.plantclef.image;

import java.util.ArrayList;
import java.util.List;

/** The reference geometry: centre square crop and grid tiling (see DESIGN.md). */
public final class ImageOps {

    private ImageOps() {}

    /**
     * The centred square of side {@code min(w, h)}; the odd pixel, if any, is dropped right/bottom.
     */
    public static RgbImage centerSquare(RgbImage image) {
        int side = Math.min(image.width(), image.height());
        if (side == image.width() && side == image.height()) {
            return image;
        }
        return image.crop((image.width() - side) / 2, (image.height() - side) / 2, side, side);
    }

    /** The centre square resized to {@code size}×{@code size}: the training crop. */
    public static RgbImage squareCrop(RgbImage image, int size, Interpolation mode) {
        return Resizer.resize(centerSquare(image), size, size, mode);
    }

    /**
     * {@code image} resized so that its shorter side is {@code size}, keeping the aspect ratio:
     * torchvision's {@code Resize(size)} (the longer side becomes {@code int(size * long /
     * short)}).
     */
    public static RgbImage resizeShorterSide(RgbImage image, int size, Interpolation mode) {
        int w = image.width();
        int h = image.height();
        int shortSide = Math.min(w, h);
        int longSide = (int) ((double) size * Math.max(w, h) / shortSide);
        return w <= h
                ? Resizer.resize(image, size, longSide, mode)
                : Resizer.resize(image, longSide, size, mode);
    }

    /**
     * {@link #resizeShorterSide} then {@link #centerCrop}, computing only the pixels kept:
     * torchvision's {@code Resize(size)} + {@code CenterCrop(size)}, the ViT eval transform.
     */
    public static RgbImage resizeShorterSideCenterCrop(
            RgbImage image, int size, Interpolation mode) {
        return resizeShorterSideCenterCrop(
                image, new Resizer.Region(0, 0, image.width(), image.height()), size, mode);
    }

    /**
     * As {@link #resizeShorterSideCenterCrop(RgbImage, int, Interpolation)}, of the rectangle
     * {@code region} of {@code image} (a tile), read in place: the same pixels as cropping the
     * region out first.
     */
    public static RgbImage resizeShorterSideCenterCrop(
            RgbImage image, Resizer.Region region, int size, Interpolation mode) {
        int w = region.width();
        int h = region.height();
        boolean whole = w == image.width() && h == image.height();
        if (w == size && h == size) {
            // Already the model's square (tiles, and images the embed operator squared on
            // arrival): nothing to compute, and no copy on the per-record path.
            return whole ? image : image.crop(region.x(), region.y(), w, h);
        }
        double exact = (double) size * Math.max(w, h) / Math.min(w, h);
        if (exact >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "image " + w + "x" + h + " is too elongated to resize to " + size);
        }
        int longSide = (int) exact;
        int outW = w <= h ? size : longSide;
        int outH = w <= h ? longSide : size;
        int left = (int) Math.rint((outW - size) / 2.0);
        int top = (int) Math.rint((outH - size) / 2.0);
        if (outW == w && outH == h) {
            return image.crop(region.x() + left, region.y() + top, size, size);
        }
        return Resizer.resizeCrop(image, region, outW, outH, mode, left, top, size, size);
    }

    /**
     * The centred {@code size}×{@code size} square: torchvision's {@code CenterCrop(size)}, whose
     * offsets are {@code round((w - size) / 2)} with Python's round-half-to-even.
     *
     * @throws IllegalArgumentException when the image is smaller than {@code size}
     */
    public static RgbImage centerCrop(RgbImage image, int size) {
        if (image.width() < size || image.height() < size) {
            throw new IllegalArgumentException(
                    "cannot crop " + size + "x" + size + " from " + image);
        }
        int left = (int) Math.rint((image.width() - size) / 2.0);
        int top = (int) Math.rint((image.height() - size) / 2.0);
        return image.crop(left, top, size, size);
    }

    /**
     * The rectangles of an N×N grid over a {@code width}×{@code height} image: tile width {@code
     * width / n}, height {@code height / n} (integer division), no overlap, the remainder on the
     * right and bottom dropped, numbered row-major ({@code row * n + col}).
     *
     * @throws InvalidImageException when the image has fewer than {@code n} pixels on a side
     */
    public static List<Tile.Bounds> gridBounds(int width, int height, int n)
            throws InvalidImageException {
        if (n < 1) {
            throw new IllegalArgumentException("grid size must be at least 1, was " + n);
        }
        int tileW = width / n;
        int tileH = height / n;
        if (tileW == 0 || tileH == 0) {
            throw new InvalidImageException(
                    "image "
                            + width
                            + "x"
                            + height
                            + " is smaller than the "
                            + n
                            + "x"
                            + n
                            + " grid (a tile needs at least one pixel on each side)");
        }
        List<Tile.Bounds> tiles = new ArrayList<>(n * n);
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < n; col++) {
                tiles.add(
                        new Tile.Bounds(
                                n,
                                row * n + col,
                                row,
                                col,
                                col * tileW,
                                row * tileH,
                                tileW,
                                tileH));
            }
        }
        return tiles;
    }

    /** The tiles of an N×N grid over {@code image}, in row-major order. */
    public static List<Tile> grid(RgbImage image, int n) throws InvalidImageException {
        List<Tile.Bounds> bounds = gridBounds(image.width(), image.height(), n);
        List<Tile> tiles = new ArrayList<>(bounds.size());
        for (Tile.Bounds b : bounds) {
            tiles.add(new Tile(b, image.crop(b.x(), b.y(), b.width(), b.height())));
        }
        return tiles;
    }
}
