package org.plantclef.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.job.EmbedJob;
import org.plantclef.job.EmbedOptions;

/** {@code plantclef embed}: image Parquet to DINOv2 embedding Parquet. */
final class EmbedCommand implements JobCommand {

    @Override
    public String name() {
        return "embed";
    }

    @Override
    public String summary() {
        return "Embed image Parquet (from ingest) with a TorchScript DINOv2 on DJL's PyTorch"
                + " engine: CLS and optional DCT features, whole images or N x N tiles.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return EmbedOptions.ALL;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        EmbedJob.Settings settings = EmbedJob.Settings.from(conf);
        EmbedJob.Summary summary = new EmbedJob(settings).run(PlantClef.environment(conf));
        print(summary, out);
        return 0;
    }

    static void print(EmbedJob.Summary s, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "Embedded %d images/tiles in %.1f s%n",
                s.embeddingsWritten(),
                s.elapsed().toMillis() / 1000.0);
        PlantClef.printOutputs(out, s.output(), s.deadLetters(), s.deadLetterDir());
    }
}
