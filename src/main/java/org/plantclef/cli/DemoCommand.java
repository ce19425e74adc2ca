package org.plantclef.cli;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.plantclef.job.IngestJob;
import org.plantclef.job.IngestOptions;
import org.plantclef.job.Options;
import org.plantclef.synth.SynthOptions;
import org.plantclef.synth.SyntheticDataset;

/**
 * {@code plantclef demo}: the pipeline end to end on a synthetic dataset, on the embedded
 * MiniCluster. Today: generate the dataset, ingest the training photos (with metadata) and the plot
 * photos into image Parquet.
 */
final class DemoCommand implements JobCommand {

    static final ConfigOption<String> WORK_DIR =
            key("demo.output")
                    .stringType()
                    .defaultValue("plantclef-demo")
                    .withDescription(
                            "Working directory for the demo's dataset and outputs; a previous"
                                    + " demo there is replaced, any other non-empty directory refused.");

    /** Marks a directory as the demo's own, so a rerun may replace it. */
    static final String MARKER = ".plantclef-demo";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "Run the pipeline end to end on a synthetic dataset on an embedded Flink"
                + " MiniCluster: generate the dataset, ingest training and plot photos to Parquet.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        List<ConfigOption<?>> options = new ArrayList<>();
        options.add(WORK_DIR);
        options.addAll(SynthOptions.SIZING);
        return options;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        long start = System.nanoTime();
        Path work = Path.of(Options.get(conf, WORK_DIR)).toAbsolutePath();
        SyntheticDataset.Spec spec = SynthOptions.spec(conf);
        prepare(work);

        out.println("[1/3] Generating the synthetic dataset");
        long t = System.nanoTime();
        SyntheticDataset.Result data = SyntheticDataset.generate(work.resolve("data"), spec);
        SynthCommand.print(data, (System.nanoTime() - t) / 1e9, out);

        out.println("[2/3] Ingesting training photos (crop to 128x128, join metadata)");
        Configuration train = new Configuration(conf);
        train.set(IngestOptions.INPUT, data.layout().train().toString());
        train.set(IngestOptions.METADATA, data.layout().trainMetadata().toString());
        train.set(IngestOptions.OUTPUT, work.resolve("parquet/train").toString());
        IngestJob.Summary trainSummary = ingest(train);
        IngestCommand.print(trainSummary, out);

        out.println("[3/3] Ingesting plot photos (original bytes kept for tiling)");
        Configuration plots = new Configuration(conf);
        plots.set(IngestOptions.INPUT, data.layout().plots().toString());
        plots.set(IngestOptions.OUTPUT, work.resolve("parquet/plots").toString());
        plots.set(IngestOptions.SQUARE_SIZE, 0);
        IngestJob.Summary plotSummary = ingest(plots);
        IngestCommand.print(plotSummary, out);

        out.printf(
                Locale.ROOT,
                "Demo finished in %.1f s: %d training and %d plot images in Parquet under %s%n",
                (System.nanoTime() - start) / 1e9,
                trainSummary.imagesWritten(),
                plotSummary.imagesWritten(),
                work.resolve("parquet"));
        return 0;
    }

    private static IngestJob.Summary ingest(Configuration conf) throws Exception {
        IngestJob.Settings settings = IngestJob.Settings.from(conf);
        return new IngestJob(settings).run(PlantClef.environment(conf));
    }

    /** Empties {@code work} if it is a previous demo's; refuses someone else's files. */
    static void prepare(Path work) throws IOException {
        if (Files.isDirectory(work)) {
            boolean empty;
            try (Stream<Path> children = Files.list(work)) {
                empty = children.findAny().isEmpty();
            }
            if (!empty && !Files.exists(work.resolve(MARKER))) {
                throw new IllegalConfigurationException(
                        "Invalid value for "
                                + Options.name(WORK_DIR)
                                + ": "
                                + work
                                + "; it is not empty and not a previous demo's directory");
            }
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(work)) {
                        Files.delete(p);
                    }
                }
            }
        } else if (Files.exists(work)) {
            throw new IllegalConfigurationException(
                    "Invalid value for " + Options.name(WORK_DIR) + ": " + work + " is a file");
        }
        Files.createDirectories(work);
        Files.writeString(
                work.resolve(MARKER),
                "Written by plantclef demo; rerunning it replaces this directory.\n");
    }
}
