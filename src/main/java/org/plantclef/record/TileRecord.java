package org.plantclef.record;

/**
 * One tile of a plot photo on its way to the embedder: the plot it belongs to, where it lies in the
 * grid, and its pixels as interleaved 8-bit RGB ({@code width * height * 3} bytes).
 *
 * @param imageName the plot photo's file name
 * @param plotId the plot id
 * @param tileIndex row-major index, {@code row * gridSize + col}
 * @param gridSize N of the N×N grid this tile belongs to (1 for the full image)
 * @param tilesInPlot how many tiles the plot photo was cut into in all (N² for one grid, the sum
 *     over the grids when several are used), so the aggregator knows when a plot is complete
 */
public record TileRecord(
        String imageName,
        String plotId,
        int tileIndex,
        int gridSize,
        int tilesInPlot,
        int width,
        int height,
        byte[] rgb) {

    @Override
    public String toString() {
        return "TileRecord["
                + plotId
                + "#"
                + tileIndex
                + " of "
                + gridSize
                + "x"
                + gridSize
                + " ("
                + tilesInPlot
                + " in plot)"
                + ", "
                + width
                + "x"
                + height
                + "]";
    }
}
