package org.plantclef.synth;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.plantclef.job.Options;

/** The options of the synthetic dataset generator (also used by the demo). */
public final class SynthOptions {

    private static final SyntheticDataset.Spec DEFAULTS = SyntheticDataset.Spec.defaults();

    public static final ConfigOption<String> OUTPUT =
            key("synth.output")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Directory to write the dataset to. Required.");

    public static final ConfigOption<Integer> SPECIES =
            key("synth.species")
                    .intType()
                    .defaultValue(DEFAULTS.species())
                    .withDescription("Number of species (2-60).");

    public static final ConfigOption<Integer> IMAGES_PER_SPECIES =
            key("synth.images-per-species")
                    .intType()
                    .defaultValue(DEFAULTS.imagesPerSpecies())
                    .withDescription("Single-plant training photos per species.");

    public static final ConfigOption<Integer> PLOTS =
            key("synth.plots")
                    .intType()
                    .defaultValue(DEFAULTS.plots())
                    .withDescription("Number of vegetation-plot photos.");

    public static final ConfigOption<Integer> TRAIN_SIZE =
            key("synth.train-size")
                    .intType()
                    .defaultValue(DEFAULTS.trainSize())
                    .withDescription(
                            "Nominal side of a training photo in pixels (each side varies ±15%).");

    public static final ConfigOption<Integer> PLOT_WIDTH =
            key("synth.plot-width")
                    .intType()
                    .defaultValue(DEFAULTS.plotWidth())
                    .withDescription("Plot photo width in pixels.");

    public static final ConfigOption<Integer> PLOT_HEIGHT =
            key("synth.plot-height")
                    .intType()
                    .defaultValue(DEFAULTS.plotHeight())
                    .withDescription("Plot photo height in pixels.");

    public static final ConfigOption<Integer> MAX_SPECIES_PER_PLOT =
            key("synth.max-species-per-plot")
                    .intType()
                    .defaultValue(DEFAULTS.maxSpeciesPerPlot())
                    .withDescription("Most species in one plot (2 to min(species, 9)).");

    public static final ConfigOption<Long> SEED =
            key("synth.seed")
                    .longType()
                    .defaultValue(DEFAULTS.seed())
                    .withDescription("Random seed: the same seed and sizes give the same files.");

    /** The sizing options, shared with the demo. */
    public static final List<ConfigOption<?>> SIZING =
            List.of(
                    SPECIES,
                    IMAGES_PER_SPECIES,
                    PLOTS,
                    TRAIN_SIZE,
                    PLOT_WIDTH,
                    PLOT_HEIGHT,
                    MAX_SPECIES_PER_PLOT,
                    SEED);

    private SynthOptions() {}

    /** The spec the sizing options describe. */
    public static SyntheticDataset.Spec spec(Configuration conf) {
        try {
            return new SyntheticDataset.Spec(
                    Options.get(conf, SPECIES),
                    Options.get(conf, IMAGES_PER_SPECIES),
                    Options.get(conf, PLOTS),
                    Options.get(conf, TRAIN_SIZE),
                    Options.get(conf, PLOT_WIDTH),
                    Options.get(conf, PLOT_HEIGHT),
                    Options.get(conf, MAX_SPECIES_PER_PLOT),
                    Options.get(conf, SEED));
        } catch (SyntheticDataset.InvalidSpecException e) {
            ConfigOption<?> option =
                    SIZING.stream()
                            .filter(o -> o.key().equals("synth." + e.field()))
                            .findFirst()
                            .orElseThrow(() -> e);
            throw new IllegalConfigurationException(
                    "Invalid value for " + Options.name(option) + ": " + e.getMessage());
        }
    }
}
