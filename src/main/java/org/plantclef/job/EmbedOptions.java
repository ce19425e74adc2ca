package org.plantclef.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.plantclef.embed.Device;
import org.plantclef.image.ImageDecoder;

/** The options of the embed job. The launcher's flags are these keys without {@code embed.}. */
public final class EmbedOptions {

    public static final ConfigOption<String> INPUT =
            key("embed.input")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Image Parquet file or directory (as ingest writes it). Required.");

    public static final ConfigOption<String> OUTPUT =
            key("embed.output")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory to write the embedding Parquet files to. Required.");

    public static final ConfigOption<String> MODEL =
            key("embed.model")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "TorchScript model file returning the token matrix [B,T,D] (CLS"
                                    + " first) or CLS [B,D], or a timm vit_*_reg4_dinov2"
                                    + " checkpoint (.safetensors) run natively. Required.");

    public static final ConfigOption<Integer> IMAGE_SIZE =
            key("embed.image-size")
                    .intType()
                    .defaultValue(518)
                    .withDescription(
                            "Model input side: shorter side resized (bicubic) then centre-cropped"
                                    + " to it. 518 for the PlantCLEF ViT-B/14.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            key("embed.batch-size")
                    .intType()
                    .defaultValue(8)
                    .withDescription("Images per model call; the last batch is padded.");

    public static final ConfigOption<Device> DEVICE =
            key("embed.device")
                    .enumType(Device.class)
                    .defaultValue(Device.AUTO)
                    .withDescription(
                            "AUTO (a GPU if the engine sees one, else CPU), CPU, or GPU (fail at"
                                    + " start if there is none).");

    public static final ConfigOption<Integer> THREADS =
            key("embed.threads")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "PyTorch intra-op threads of each slot's model (one value per"
                                    + " TaskManager JVM); 0 = twice the cores divided among the"
                                    + " TaskManager's task slots, at most all cores.");

    public static final ConfigOption<Boolean> DCT =
            key("embed.dct")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Also write dct_embedding: the top-left 8x8 coefficients of the 2-D"
                                    + " DCT-II of the token matrix.");

    public static final ConfigOption<Boolean> CHECK_MODEL =
            key("embed.check-model")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Load the model at start and run one blank image through it: a"
                                    + " corrupt or wrong model (or --dct with a model that returns"
                                    + " no tokens) fails at once naming the file.");

    public static final ConfigOption<Integer> GRID =
            key("embed.grid")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Tile each image into an N x N grid and embed every tile (plot"
                                    + " photos); 0 embeds the whole image.");

    public static final ConfigOption<Duration> MAX_WAIT =
            key("embed.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Longest a record waits for its batch to fill before a shorter batch"
                                    + " runs.");

    public static final ConfigOption<Long> MAX_PIXELS =
            key("embed.max-pixels")
                    .longType()
                    .defaultValue(ImageDecoder.DEFAULT_MAX_PIXELS)
                    .withDescription(
                            "Largest image decoded, in pixels; larger ones are dead letters.");

    public static final ConfigOption<String> CACHE_DIR =
            key("embed.cache-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where DJL extracts the PyTorch natives (~450 MB; DJL_CACHE_DIR)."
                                    + " Default: DJL's, ~/.djl.ai.");

    public static final ConfigOption<String> DEAD_LETTERS =
            key("embed.dead-letters")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Directory for dead letters. Default: <output>/_dead_letters.");

    public static final ConfigOption<Boolean> OVERWRITE =
            key("embed.overwrite")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Delete a non-empty output directory first.");

    public static final List<ConfigOption<?>> ALL =
            List.of(
                    INPUT,
                    OUTPUT,
                    MODEL,
                    IMAGE_SIZE,
                    BATCH_SIZE,
                    DEVICE,
                    THREADS,
                    DCT,
                    CHECK_MODEL,
                    GRID,
                    MAX_WAIT,
                    MAX_PIXELS,
                    CACHE_DIR,
                    DEAD_LETTERS,
                    OVERWRITE);

    private EmbedOptions() {}
}
