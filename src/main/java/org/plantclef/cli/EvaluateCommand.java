package org.plantclef.cli;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.plantclef.eval.Evaluation;
import org.plantclef.io.Submission;
import org.plantclef.job.Options;

/** {@code plantclef evaluate}: the paper's F1 scores of a submission against the ground truth. */
final class EvaluateCommand implements JobCommand {

    static final ConfigOption<String> PREDICTIONS =
            key("evaluate.predictions")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Predictions in the submission format (predict's submission.csv)."
                                    + " Required.");

    static final ConfigOption<String> TRUTH =
            key("evaluate.truth")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Ground truth in the submission format. Required.");

    static final ConfigOption<String> SPECIES_CSV =
            key("evaluate.species-csv")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Also write the per-species table (support, TP, FP, FN, precision,"
                                    + " recall, F1) to this CSV file.");

    static final List<ConfigOption<?>> OPTIONS = List.of(PREDICTIONS, TRUTH, SPECIES_CSV);

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "Score a submission against the ground truth: Macro F1 per plot, Macro F1 per"
                + " species, Micro F1 (the paper's definitions).";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return OPTIONS;
    }

    @Override
    public boolean runsFlink() {
        return false;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        Map<String, List<Long>> predictions = read(conf, PREDICTIONS);
        Map<String, List<Long>> truth = read(conf, TRUTH);
        Evaluation evaluation;
        try {
            evaluation = Evaluation.of(predictions, truth);
        } catch (IllegalArgumentException e) {
            throw Options.invalid(PREDICTIONS, conf.get(PREDICTIONS), e.getMessage());
        }
        out.print(evaluation.summary());
        String table = Options.get(conf, SPECIES_CSV);
        if (table != null && !table.isBlank()) {
            java.nio.file.Path file = java.nio.file.Path.of(table);
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            Files.writeString(file, evaluation.speciesCsv(), StandardCharsets.UTF_8);
            out.println("Per-species table: " + file);
        }
        return 0;
    }

    private static Map<String, List<Long>> read(Configuration conf, ConfigOption<String> option) {
        String file = Options.require(conf, option);
        try {
            return Submission.read(new Path(file));
        } catch (IOException e) {
            throw Options.invalid(
                    option,
                    file,
                    e instanceof java.io.FileNotFoundException
                                    || e instanceof java.nio.file.NoSuchFileException
                            ? "no such file"
                            : e.getMessage());
        }
    }
}
