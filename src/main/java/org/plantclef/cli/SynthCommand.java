package org.plantclef.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.job.Options;
import org.plantclef.synth.SynthOptions;
import org.plantclef.synth.SyntheticDataset;

/** {@code plantclef synth}: writes the synthetic PlantCLEF-like dataset. */
final class SynthCommand implements JobCommand {

    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "Generate a small synthetic PlantCLEF-like dataset: single-plant training photos"
                + " with a metadata CSV, plot photos with several species, and their ground truth.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        List<ConfigOption<?>> options = new ArrayList<>();
        options.add(SynthOptions.OUTPUT);
        options.addAll(SynthOptions.SIZING);
        return options;
    }

    @Override
    public boolean runsFlink() {
        return false;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        Path root = Path.of(Options.require(conf, SynthOptions.OUTPUT));
        SyntheticDataset.Spec spec = SynthOptions.spec(conf);
        long start = System.nanoTime();
        SyntheticDataset.Result result = SyntheticDataset.generate(root, spec);
        print(result, (System.nanoTime() - start) / 1e9, out);
        return 0;
    }

    static void print(SyntheticDataset.Result result, double seconds, PrintStream out) {
        SyntheticDataset.Layout layout = result.layout();
        out.printf(
                Locale.ROOT,
                "Generated %d species, %d training photos, %d plot photos in %.1f s%n",
                result.species().size(),
                result.trainImages(),
                result.plots().size(),
                seconds);
        out.printf(Locale.ROOT, "  Training photos: %s%n", layout.train());
        out.printf(Locale.ROOT, "  Metadata CSV:    %s%n", layout.trainMetadata());
        out.printf(Locale.ROOT, "  Plot photos:     %s%n", layout.plots());
        out.printf(Locale.ROOT, "  Ground truth:    %s%n", layout.groundTruth());
    }
}
