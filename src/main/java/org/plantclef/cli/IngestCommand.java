package org.plantclef.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.plantclef.job.IngestJob;
import org.plantclef.job.IngestOptions;

/** {@code plantclef ingest}: raw images (+ metadata CSV) or Parquet to image Parquet. */
final class IngestCommand implements JobCommand {

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String summary() {
        return "Read images (PlantCLEF species directories, a flat directory of plot photos, or"
                + " image Parquet) and an optional metadata CSV; write image Parquet with the"
                + " DS@GT columns. Unusable files go to the dead letters with the reason.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return IngestOptions.ALL;
    }

    @Override
    public int run(Configuration conf, PrintStream out) throws Exception {
        IngestJob.Settings settings = IngestJob.Settings.from(conf);
        IngestJob.Summary summary = new IngestJob(settings).run(PlantClef.environment(conf));
        print(summary, out);
        return 0;
    }

    static void print(IngestJob.Summary s, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "Ingested %d images (%s layout) in %.1f s%n",
                s.imagesWritten(),
                s.layout().name().toLowerCase(Locale.ROOT),
                s.elapsed().toMillis() / 1000.0);
        PlantClef.printOutputs(out, s.output(), s.deadLetters(), s.deadLetterDir());
        if (s.imagesWithoutMetadata() > 0 || s.metadataWithoutImage() > 0) {
            out.printf(
                    Locale.ROOT,
                    "  Metadata:     %d images had no metadata row, %d rows had no image%n",
                    s.imagesWithoutMetadata(),
                    s.metadataWithoutImage());
        }
    }
}
