package org.plantclef.image;

/** One cell of a grid over an image: where it lies, and its pixels. */
public record Tile(Bounds bounds, RgbImage image) {

    /**
     * Position of a tile: the N of its N×N grid, its row-major index, grid row and column, and
     * pixel rectangle.
     */
    public record Bounds(
            int grid, int index, int row, int col, int x, int y, int width, int height) {}

    public int index() {
        return bounds.index();
    }
}
