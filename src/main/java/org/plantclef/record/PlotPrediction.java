package org.plantclef.record;

import java.util.Arrays;
import java.util.List;

/**
 * The species predicted for one plot photo.
 *
 * @param plotId the plot id
 * @param imageName the plot photo's file name
 * @param strategy the aggregation strategy that chose the species
 * @param speciesIds the predicted species, in the strategy's order (tile order for grid-argmax,
 *     score descending for the others)
 * @param scores each species' score, same order: its best tile probability, or its aggregated score
 *     for multiscale
 * @param tilesExpected how many tiles the photo was cut into
 * @param tilesSeen how many of them reached the aggregator (fewer when the plot timed out)
 * @param tiles the tiles' own top species, ordered by grid then tile index
 */
public record PlotPrediction(
        String plotId,
        String imageName,
        String strategy,
        long[] speciesIds,
        float[] scores,
        int tilesExpected,
        int tilesSeen,
        List<ScoredTile> tiles) {

    /** Whether every tile of the photo was scored. */
    public boolean complete() {
        return tilesSeen == tilesExpected;
    }

    @Override
    public String toString() {
        return "PlotPrediction["
                + plotId
                + ", "
                + strategy
                + ", "
                + Arrays.toString(speciesIds)
                + ", "
                + tilesSeen
                + "/"
                + tilesExpected
                + " tiles]";
    }
}
