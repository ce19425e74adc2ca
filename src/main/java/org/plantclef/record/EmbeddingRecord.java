package org.plantclef.record;

import javax.annotation.Nullable;

/**
 * The embedding of one image or one tile of a plot photo.
 *
 * @param imageName the image's file name
 * @param speciesId the species of a training image, or null
 * @param plotId the plot of a plot photo, or null
 * @param tileIndex the row-major tile index when the image was tiled, or null for the whole image
 * @param cls the CLS embedding
 * @param dct the 64 DCT coefficients of the token matrix, or null when not computed
 */
public record EmbeddingRecord(
        String imageName,
        @Nullable Long speciesId,
        @Nullable String plotId,
        @Nullable Integer tileIndex,
        float[] cls,
        @Nullable float[] dct) {

    @Override
    public String toString() {
        return "EmbeddingRecord["
                + imageName
                + (tileIndex == null ? "" : "#" + tileIndex)
                + ", species="
                + speciesId
                + ", plot="
                + plotId
                + ", dim="
                + cls.length
                + (dct == null ? "" : ", dct")
                + "]";
    }
}
