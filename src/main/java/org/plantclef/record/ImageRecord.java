package org.plantclef.record;

import java.util.Map;
import javax.annotation.Nullable;

/**
 * One image flowing through the pipeline: a training photo (with its species) or a plot photo (with
 * its plot id), as compressed bytes plus whatever metadata came with it.
 *
 * @param imageName file name, the key of the metadata CSV and of every output row
 * @param path where the image came from (file URI, or the {@code path} column of an input Parquet)
 * @param speciesId the PlantCLEF species id, or null for plot photos and unlabelled images
 * @param plotId the plot id (file name without extension) of a plot photo, or null
 * @param data the compressed image bytes (JPEG or PNG)
 * @param metadata the other metadata columns, by column name; never null
 */
public record ImageRecord(
        String imageName,
        String path,
        @Nullable Long speciesId,
        @Nullable String plotId,
        byte[] data,
        Map<String, String> metadata) {

    /** The same image with other bytes. */
    public ImageRecord withData(byte[] newData) {
        return new ImageRecord(imageName, path, speciesId, plotId, newData, metadata);
    }

    /** The same image with other metadata and species. */
    public ImageRecord withMetadata(@Nullable Long newSpeciesId, Map<String, String> newMetadata) {
        return new ImageRecord(imageName, path, newSpeciesId, plotId, data, newMetadata);
    }

    @Override
    public String toString() {
        return "ImageRecord["
                + imageName
                + ", "
                + path
                + ", species="
                + speciesId
                + ", plot="
                + plotId
                + ", "
                + (data == null ? "no data" : data.length + " bytes")
                + ", "
                + metadata.size()
                + " metadata columns]";
    }
}
