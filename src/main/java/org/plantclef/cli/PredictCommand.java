package org.plantclef.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.job.PredictJob;
import org.plantclef.job.PredictOptions;

/** {@code plantclef predict}: plot photos to a PlantCLEF submission. */
final class PredictCommand implements JobCommand {

    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String summary() {
        return "Predict the species in each plot photo: tile, embed, classify, aggregate per plot;"
                + " write submission.csv and per-plot JSON Lines.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return PredictOptions.ALL;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        PredictJob.Settings settings = PredictJob.Settings.from(conf);
        PredictJob.Summary summary = new PredictJob(settings).run(PlantClef.environment(conf));
        print(summary, out);
        return 0;
    }

    static void print(PredictJob.Summary s, PrintStream out) {
        if (s.plotsPredicted() < 0) {
            out.printf(
                    Locale.ROOT,
                    "Submitted the predict job (detached); its outputs: %s%n",
                    s.output() != null ? s.output() : "Kafka");
            return;
        }
        out.printf(
                Locale.ROOT,
                "Predicted %d plots with %s in %.1f s%s%n",
                s.plotsPredicted(),
                s.strategy(),
                s.elapsed().toMillis() / 1000.0,
                s.plotsIncomplete() > 0
                        ? " (" + s.plotsIncomplete() + " from fewer tiles than the photo has)"
                        : "");
        if (s.submission() != null) {
            out.printf(Locale.ROOT, "  Submission:   %s%n", s.submission());
        }
        if (s.predictions() != null) {
            out.printf(Locale.ROOT, "  Predictions:  %s%n", s.predictions());
        }
        out.printf(
                Locale.ROOT,
                "  Dead letters: %d%s%n",
                s.deadLetters(),
                s.deadLetters() > 0 && s.deadLetterDir() != null ? " -> " + s.deadLetterDir() : "");
        if (s.evaluation() != null) {
            out.print(s.evaluation().summary());
        }
    }
}
