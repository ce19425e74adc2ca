package org.plantclef.record;

import javax.annotation.Nullable;

/**
 * The embedding of one tile of a plot photo, on its way to the classifier (chained: it never
 * crosses the network).
 *
 * @param plotId the plot id
 * @param imageName the plot photo's file name
 * @param gridSize N of the tile's N×N grid
 * @param tileIndex row-major index in that grid
 * @param tilesInPlot how many tiles the photo was cut into in all
 * @param cls the CLS embedding (for a model with its own head: the logits)
 * @param dct the 64 DCT coefficients of the token matrix, or null when not computed
 */
public record TileEmbedding(
        String plotId,
        String imageName,
        int gridSize,
        int tileIndex,
        int tilesInPlot,
        float[] cls,
        @Nullable float[] dct) {

    @Override
    public String toString() {
        return "TileEmbedding["
                + plotId
                + " "
                + gridSize
                + "x"
                + gridSize
                + "#"
                + tileIndex
                + ", dim="
                + cls.length
                + "]";
    }
}
