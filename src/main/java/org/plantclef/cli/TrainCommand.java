package org.plantclef.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.job.TrainJob;
import org.plantclef.job.TrainOptions;

/** {@code plantclef train}: embedding Parquet to a classifier directory. */
final class TrainCommand implements JobCommand {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "Train the linear species classifier on embedding Parquet (species filter, stable"
                + " class index, seeded split, Adam, early stopping) and write a classifier"
                + " directory: weights.safetensors, species.txt, classifier.json.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return TrainOptions.ALL;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        TrainJob.Settings settings = TrainJob.Settings.from(conf);
        TrainJob.Summary summary = new TrainJob(settings).run(PlantClef.environment(conf));
        print(summary, out);
        return 0;
    }

    static void print(TrainJob.Summary s, PrintStream out) throws Exception {
        JsonNode info = new ObjectMapper().readTree(s.infoJson());
        for (JsonNode e : info.path("epochs")) {
            out.printf(
                    Locale.ROOT,
                    "  epoch %2d: train loss %.4f acc %.3f | val loss %.4f acc %.3f | %d samples/s%n",
                    e.path("epoch").asInt(),
                    e.path("train_loss").asDouble(),
                    e.path("train_accuracy").asDouble(),
                    e.path("val_loss").asDouble(),
                    e.path("val_accuracy").asDouble(),
                    e.path("samples_per_second").asLong());
        }
        JsonNode best = info.path("epochs").get(info.path("best_epoch").asInt() - 1);
        JsonNode data = info.path("data");
        out.printf(
                Locale.ROOT,
                "Trained %s on %d species (%d of %d kept), %d train / %d validation images in"
                        + " %.1f s%n",
                info.path("loss").asText(),
                info.path("classes").asInt(),
                data.path("species_kept").asInt(),
                data.path("species").asInt(),
                data.path("train_images").asInt(),
                data.path("val_images").asInt(),
                s.elapsed().toMillis() / 1000.0);
        out.printf(
                Locale.ROOT,
                "  Best epoch:   %d of %d (val accuracy %.3f, val macro-F1 %.3f)%n",
                info.path("best_epoch").asInt(),
                info.path("epochs_run").asInt(),
                best == null ? Double.NaN : best.path("val_accuracy").asDouble(),
                info.path("val_macro_f1").asDouble());
        out.printf(Locale.ROOT, "  Classifier:   %s%n", s.output());
        out.printf(Locale.ROOT, "  Dead letters: %d%n", s.deadLetters());
    }
}
