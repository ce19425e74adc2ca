package org.plantclef.record;

import java.util.Map;
import javax.annotation.Nullable;

/**
 * One row of a metadata CSV, keyed by {@code image_name}.
 *
 * @param imageName the {@code image_name} column
 * @param speciesId the {@code species_id} column, or null when absent or empty
 * @param columns every other column, by name (empty values left out)
 */
public record MetadataRow(
        String imageName, @Nullable Long speciesId, Map<String, String> columns) {}
