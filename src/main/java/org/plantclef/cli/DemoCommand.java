package org.plantclef.cli;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.plantclef.aggregate.Strategies;
import org.plantclef.eval.Evaluation;
import org.plantclef.eval.HtmlReport;
import org.plantclef.io.Submission;
import org.plantclef.job.EmbedJob;
import org.plantclef.job.EmbedOptions;
import org.plantclef.job.IngestJob;
import org.plantclef.job.IngestOptions;
import org.plantclef.job.Options;
import org.plantclef.job.PredictJob;
import org.plantclef.job.PredictOptions;
import org.plantclef.job.TrainJob;
import org.plantclef.job.TrainOptions;
import org.plantclef.synth.SynthOptions;
import org.plantclef.synth.SyntheticDataset;

/**
 * {@code plantclef demo}: the pipeline end to end on a synthetic dataset, on the embedded
 * MiniCluster: generate the dataset, ingest the training and plot photos, embed the training crops
 * with the demo model, train the classifier, predict the plots with every strategy, score them
 * against the ground truth, and write the score table, the submissions and an HTML report.
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
        return "Run the whole pipeline on a synthetic dataset on an embedded Flink MiniCluster:"
                + " ingest, embed, train, predict with every strategy, evaluate, report.";
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

        out.println("[1/7] Generating the synthetic dataset");
        long t = System.nanoTime();
        SyntheticDataset.Result data = SyntheticDataset.generate(work.resolve("data"), spec);
        SynthCommand.print(data, (System.nanoTime() - t) / 1e9, out);

        out.println("[2/7] Ingesting training photos (crop to 128x128, join metadata)");
        Configuration train = new Configuration(conf);
        train.set(IngestOptions.INPUT, data.layout().train().toString());
        train.set(IngestOptions.METADATA, data.layout().trainMetadata().toString());
        train.set(IngestOptions.OUTPUT, work.resolve("parquet/train").toString());
        IngestJob.Summary trainSummary = ingest(train);
        IngestCommand.print(trainSummary, out);

        out.println("[3/7] Ingesting plot photos (original bytes kept for tiling)");
        Configuration plots = new Configuration(conf);
        plots.set(IngestOptions.INPUT, data.layout().plots().toString());
        plots.set(IngestOptions.OUTPUT, work.resolve("parquet/plots").toString());
        plots.set(IngestOptions.SQUARE_SIZE, 0);
        IngestJob.Summary plotSummary = ingest(plots);
        IngestCommand.print(plotSummary, out);

        out.println(
                "[4/7] Embedding the training crops with the demo model (a tiny DINOv2 trained on"
                        + " other synthetic species, "
                        + IMAGE_SIZE
                        + " px)");
        DemoModels models = DemoModels.extract(work.resolve("models"));
        Configuration embed = new Configuration(conf);
        embed.set(EmbedOptions.INPUT, work.resolve("parquet/train").toString());
        embed.set(EmbedOptions.OUTPUT, work.resolve("embeddings/train").toString());
        embed.set(EmbedOptions.MODEL, models.embedding().toString());
        embed.set(EmbedOptions.IMAGE_SIZE, IMAGE_SIZE);
        embed.set(EmbedOptions.BATCH_SIZE, BATCH);
        embed.set(EmbedOptions.DCT, true);
        EmbedJob.Summary embedSummary =
                new EmbedJob(EmbedJob.Settings.from(embed)).run(PlantClef.environment(embed));
        EmbedCommand.print(embedSummary, out);

        out.println("[5/7] Training the linear classifier on the CLS embeddings");
        Configuration train2 = new Configuration(conf);
        train2.set(TrainOptions.INPUT, work.resolve("embeddings/train").toString());
        train2.set(TrainOptions.OUTPUT, work.resolve("classifier").toString());
        train2.set(TrainOptions.MIN_IMAGES, Math.min(10, spec.imagesPerSpecies()));
        train2.set(TrainOptions.FEATURE, TrainOptions.Feature.CLS);
        train2.set(TrainOptions.EPOCHS, 40);
        train2.set(TrainOptions.PATIENCE, 8);
        train2.set(TrainOptions.LEARNING_RATE, 0.05);
        TrainJob.Summary trainJob =
                new TrainJob(TrainJob.Settings.from(train2)).run(PlantClef.environment(train2));
        TrainCommand.print(trainJob, out);

        List<String> strategies = new ArrayList<>(STRATEGIES);
        boolean head = models.headFits(data);
        if (head) {
            strategies.add(Strategies.HEAD);
        }
        out.println(
                "[6/7] Predicting the "
                        + data.plots().size()
                        + " plots with "
                        + String.join(", ", strategies));
        List<HtmlReport.Run> runs = new ArrayList<>();
        for (String strategy : strategies) {
            Path output = work.resolve("predictions").resolve(strategy);
            Configuration predict = new Configuration(conf);
            predict.set(PredictOptions.INPUT, work.resolve("parquet/plots").toString());
            predict.set(PredictOptions.OUTPUT, output.toString());
            predict.set(PredictOptions.STRATEGY, strategy);
            predict.set(PredictOptions.IMAGE_SIZE, IMAGE_SIZE);
            predict.set(PredictOptions.BATCH_SIZE, BATCH);
            predict.set(PredictOptions.TRUTH, data.layout().groundTruth().toString());
            if (strategy.equals(Strategies.MULTISCALE)) {
                predict.set(PredictOptions.THRESHOLD, MULTISCALE_THRESHOLD);
            }
            if (strategy.equals(Strategies.HEAD)) {
                predict.set(PredictOptions.MODEL, models.head().toString());
            } else {
                predict.set(PredictOptions.MODEL, models.embedding().toString());
                predict.set(PredictOptions.CLASSIFIER, work.resolve("classifier").toString());
            }
            PredictJob.Summary s =
                    new PredictJob(PredictJob.Settings.from(predict))
                            .run(PlantClef.environment(predict));
            out.printf(
                    Locale.ROOT,
                    "  %-12s %d plots in %4.1f s, Macro F1 per plot %.3f -> %s%n",
                    strategy,
                    s.plotsPredicted(),
                    s.elapsed().toMillis() / 1000.0,
                    s.evaluation().macroF1PerPlot(),
                    s.submission());
            runs.add(new HtmlReport.Run(strategy, s.evaluation(), Path.of(s.predictions())));
        }

        out.println("[7/7] Writing the score table and the report");
        Files.writeString(work.resolve("scores.csv"), scoresCsv(runs), StandardCharsets.UTF_8);
        Map<String, List<Long>> truth =
                Submission.read(
                        new org.apache.flink.core.fs.Path(data.layout().groundTruth().toUri()));
        Map<String, Path> photos = new LinkedHashMap<>();
        for (SyntheticDataset.Plot plot :
                data.plots().subList(0, Math.min(4, data.plots().size()))) {
            photos.put(plot.plotId(), data.layout().plots().resolve(plot.plotId() + ".jpg"));
        }
        Map<Long, String> names = new HashMap<>();
        data.species().forEach(look -> names.put(look.speciesId(), look.name()));
        Path report = work.resolve("report.html");
        HtmlReport.write(
                report,
                "plantclef-flink demo: " + data.plots().size() + " synthetic plots",
                runs,
                Strategies.GRID_ARGMAX,
                truth,
                photos,
                names);
        out.println();
        out.print(table(runs));
        out.println();
        out.printf(
                Locale.ROOT,
                "Demo finished in %.1f s: %d training and %d plot photos, a classifier with"
                        + " validation accuracy %.3f, %d strategies scored.%n",
                (System.nanoTime() - start) / 1e9,
                trainSummary.imagesWritten(),
                plotSummary.imagesWritten(),
                trainJob.validationAccuracy(),
                runs.size());
        out.println("  Scores:      " + work.resolve("scores.csv"));
        out.println("  Report:      " + report);
        out.println("  Submissions: " + work.resolve("predictions") + "/<strategy>/submission.csv");
        return 0;
    }

    /** The strategies the demo compares, as the paper's Table 4 does (plus multiscale). */
    static final List<String> STRATEGIES =
            List.of(
                    Strategies.FULL,
                    Strategies.GRID_ARGMAX,
                    Strategies.GRID_TOPK,
                    Strategies.MULTISCALE);

    /**
     * The multiscale threshold of the demo: chosen on a dataset of another seed (7, 24 plots),
     * where it scored best of 0.5, 1, ..., 3, not on the demo's own plots.
     */
    static final double MULTISCALE_THRESHOLD = 2.0;

    /** The demo model's input side: its native 8x8 patch grid. */
    static final int IMAGE_SIZE = 112;

    private static final int BATCH = 16;

    /** The strategy x F1 table, as the paper's Table 4. */
    static String table(List<HtmlReport.Run> runs) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "%-12s  %17s  %20s  %8s%n",
                        "Strategy",
                        "Macro F1 per plot",
                        "Macro F1 per species",
                        "Micro F1"));
        for (HtmlReport.Run r : runs) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%-12s  %17.4f  %20.4f  %8.4f%n",
                            r.strategy(),
                            r.evaluation().macroF1PerPlot(),
                            r.evaluation().macroF1PerSpecies(),
                            r.evaluation().microF1()));
        }
        return out.toString();
    }

    static String scoresCsv(List<HtmlReport.Run> runs) {
        StringBuilder out =
                new StringBuilder(
                        "strategy;macro_f1_per_plot;macro_f1_per_species;micro_f1;"
                                + "micro_precision;micro_recall\n");
        for (HtmlReport.Run r : runs) {
            Evaluation e = r.evaluation();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%s;%.6f;%.6f;%.6f;%.6f;%.6f\n",
                            r.strategy(),
                            e.macroF1PerPlot(),
                            e.macroF1PerSpecies(),
                            e.microF1(),
                            e.microPrecision(),
                            e.microRecall()));
        }
        return out.toString();
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
