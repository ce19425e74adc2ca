package org.plantclef.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.Interpolation;

/** The options of the ingest job. The launcher's flags are these keys without {@code ingest.}. */
public final class IngestOptions {

    /** How the input is laid out. */
    public enum Layout {
        /** Decide from what the input holds: Parquet files, species directories, or images. */
        AUTO,
        /** {@code <root>/<species_id>/<image>}: single-plant training photos. */
        SPECIES,
        /** A flat directory of plot photos; plot id = file name without extension. */
        FLAT,
        /** Parquet file(s) with at least {@code image_name} and {@code data} columns. */
        PARQUET
    }

    public static final ConfigOption<String> INPUT =
            key("ingest.input")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "File, directory or URI to read: a directory of images (species"
                                    + " layout or flat) or Parquet file(s). Required.");

    public static final ConfigOption<String> OUTPUT =
            key("ingest.output")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Directory to write the image Parquet files to. Required.");

    public static final ConfigOption<Layout> LAYOUT =
            key("ingest.layout")
                    .enumType(Layout.class)
                    .defaultValue(Layout.AUTO)
                    .withDescription(
                            "Input layout: AUTO, SPECIES (<root>/<species_id>/<image>), FLAT (plot"
                                    + " photos) or PARQUET. AUTO picks PARQUET if there are .parquet"
                                    + " files, SPECIES if there are subdirectories, else FLAT.");

    public static final ConfigOption<String> METADATA =
            key("ingest.metadata")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Optional ';'-separated metadata CSV with a header, joined on"
                                    + " image_name (PlantCLEF 2024 columns or any others); its"
                                    + " columns become Parquet columns.");

    public static final ConfigOption<Integer> SQUARE_SIZE =
            key("ingest.square-size")
                    .intType()
                    .defaultValue(128)
                    .withDescription(
                            "Side of the centre square crop stored for each image, in pixels;"
                                    + " 0 keeps the original bytes (still checked to decode).");

    public static final ConfigOption<Interpolation> INTERPOLATION =
            key("ingest.interpolation")
                    .enumType(Interpolation.class)
                    .defaultValue(Interpolation.AREA)
                    .withDescription("Resampling for the square crop: AREA or BICUBIC.");

    public static final ConfigOption<Integer> JPEG_QUALITY =
            key("ingest.jpeg-quality")
                    .intType()
                    .defaultValue(95)
                    .withDescription("JPEG quality (1-100) of the stored square crops.");

    public static final ConfigOption<Long> MAX_PIXELS =
            key("ingest.max-pixels")
                    .longType()
                    .defaultValue(ImageDecoder.DEFAULT_MAX_PIXELS)
                    .withDescription(
                            "Largest image accepted, in pixels (width x height); larger ones go"
                                    + " to the dead letters unread (decompression bomb guard).");

    public static final ConfigOption<MemorySize> MAX_FILE_SIZE =
            key("ingest.max-file-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("256mb"))
                    .withDescription("Largest file read; larger ones go to the dead letters.");

    public static final ConfigOption<String> DEAD_LETTERS =
            key("ingest.dead-letters")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory for the dead-letter JSON Lines (one object per refused"
                                    + " file or row, with the reason). Default: <output>/_dead_letters.");

    public static final ConfigOption<Boolean> OVERWRITE =
            key("ingest.overwrite")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Delete a non-empty output directory first; without it such an output"
                                    + " is refused, so a rerun never mixes old and new files.");

    /** Every option, in the order the help and README show them. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    INPUT,
                    OUTPUT,
                    LAYOUT,
                    METADATA,
                    SQUARE_SIZE,
                    INTERPOLATION,
                    JPEG_QUALITY,
                    MAX_PIXELS,
                    MAX_FILE_SIZE,
                    DEAD_LETTERS,
                    OVERWRITE);

    private IngestOptions() {}
}
