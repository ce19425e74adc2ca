package org.plantclef.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.plantclef.classify.LossKind;

/** The options of the train job. The launcher's flags are these keys without {@code train.}. */
public final class TrainOptions {

    /** Which embedding column to train on. */
    public enum Feature {
        CLS,
        DCT
    }

    public static final ConfigOption<String> INPUT =
            key("train.input")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Embedding Parquet file or directory (as embed writes it). Required.");

    public static final ConfigOption<String> OUTPUT =
            key("train.output")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Classifier directory to write. Required.");

    public static final ConfigOption<Feature> FEATURE =
            key("train.feature")
                    .enumType(Feature.class)
                    .defaultValue(Feature.CLS)
                    .withDescription("CLS (cls_embedding) or DCT (dct_embedding).");

    public static final ConfigOption<Integer> MIN_IMAGES =
            key("train.min-images")
                    .intType()
                    .defaultValue(100)
                    .withDescription("Keep only species with at least this many images.");

    public static final ConfigOption<Double> VAL_FRACTION =
            key("train.val-fraction")
                    .doubleType()
                    .defaultValue(0.2)
                    .withDescription(
                            "Share of images for validation, chosen by a seeded hash of image_name.");

    public static final ConfigOption<Long> SEED =
            key("train.seed")
                    .longType()
                    .defaultValue(42L)
                    .withDescription("Seed of the split, the initial weights and the shuffling.");

    public static final ConfigOption<Integer> EPOCHS =
            key("train.epochs").intType().defaultValue(10).withDescription("Most epochs.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            key("train.batch-size").intType().defaultValue(32).withDescription("Mini-batch size.");

    public static final ConfigOption<Double> LEARNING_RATE =
            key("train.learning-rate")
                    .doubleType()
                    .defaultValue(0.002)
                    .withDescription("Adam learning rate.");

    public static final ConfigOption<Integer> PATIENCE =
            key("train.patience")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Stop after this many epochs without a better validation loss.");

    public static final ConfigOption<LossKind> LOSS =
            key("train.loss")
                    .enumType(LossKind.class)
                    .defaultValue(LossKind.NLL)
                    .withDescription(
                            "NLL (log-softmax, the paper), BCE (one-vs-rest sigmoid) or ASL"
                                    + " (asymmetric loss: gamma_neg 4, gamma_pos 0, clip 0.05).");

    public static final ConfigOption<Boolean> BALANCED =
            key("train.balanced")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Draw every class equally often per epoch (with replacement).");

    public static final ConfigOption<Boolean> OVERWRITE =
            key("train.overwrite")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Replace a non-empty classifier directory.");

    public static final List<ConfigOption<?>> ALL =
            List.of(
                    INPUT,
                    OUTPUT,
                    FEATURE,
                    MIN_IMAGES,
                    VAL_FRACTION,
                    SEED,
                    EPOCHS,
                    BATCH_SIZE,
                    LEARNING_RATE,
                    PATIENCE,
                    LOSS,
                    BALANCED,
                    OVERWRITE);

    private TrainOptions() {}
}
