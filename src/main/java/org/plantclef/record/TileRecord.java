package org.plantclef.record;

/**
 * One tile of a plot photo on its way to the embedder: the plot it belongs to, where it lies in the
 * grid, and its pixels as interleaved 8-bit RGB ({@code width * height * 3} bytes).
 *
 * @param imageName the plot photo's file name
 * @param plotId the plot id
 * @param tileIndex row-major index, {@code row * gridSize + col}
 * @param gridSize N of the N×N grid (1 for the full image), so the aggregator knows how many tiles
 *     make a plot
 */
public record TileRecord(
        String imageName,
        String plotId,
        int tileIndex,
        int gridSize,
        int width,
        int height,
        byte[] rgb) {

    /** How many tiles the plot this tile belongs to has in all. */
    public int tileCount() {
        return gridSize * gridSize;
    }

    @Override
    public String toString() {
        return "TileRecord["
                + plotId
                + "#"
                + tileIndex
                + "/"
                + tileCount()
                + ", "
                + width
                + "x"
                + height
                + "]";
    }
}
