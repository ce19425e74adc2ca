package org.plantclef.record;

import java.util.Arrays;

/**
 * The classifier's verdict on one tile of a plot photo: its top species, best first. This small
 * record is all that crosses the network on its way to the per-plot aggregator.
 *
 * @param plotId the plot id
 * @param imageName the plot photo's file name
 * @param gridSize N of the N×N grid the tile belongs to (1 for the whole image)
 * @param tileIndex row-major index in its grid, {@code row * gridSize + col}
 * @param tilesInPlot how many tiles the plot photo was cut into in all
 * @param species the top species ids, by probability descending
 * @param probabilities their probabilities, same order
 */
public record ScoredTile(
        String plotId,
        String imageName,
        int gridSize,
        int tileIndex,
        int tilesInPlot,
        long[] species,
        float[] probabilities) {

    /** The tile's best species, or -1 when it has none. */
    public long top() {
        return species.length == 0 ? -1 : species[0];
    }

    @Override
    public String toString() {
        return "ScoredTile["
                + plotId
                + " "
                + gridSize
                + "x"
                + gridSize
                + "#"
                + tileIndex
                + ", "
                + Arrays.toString(species)
                + ", "
                + Arrays.toString(probabilities)
                + "]";
    }
}
