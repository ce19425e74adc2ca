package org.plantclef.io;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.plantclef.record.PlotPrediction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submission CSV of a bounded run, as one file: collects every plot's species (one row per
 * plot, a few dozen bytes each) and writes {@code submission.csv} sorted by plot id when the input
 * ends, atomically. Runs with parallelism 1.
 *
 * <p>A plot predicted twice (two photos named after the same plot) gets one row with the union of
 * both predictions, first one's order first, and is logged and counted.
 */
public final class SubmissionWriter extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<PlotPrediction, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SubmissionWriter.class);

    /** Metric: plots predicted more than once. */
    public static final String DUPLICATE_PLOTS = "duplicate-plots";

    private final String file;
    private transient Map<String, Set<Long>> rows;
    private transient Counter duplicates;

    public SubmissionWriter(String file) {
        this.file = file;
    }

    @Override
    public void open() throws Exception {
        super.open();
        rows = new TreeMap<>();
        duplicates = getMetricGroup().counter(DUPLICATE_PLOTS);
    }

    @Override
    public void processElement(StreamRecord<PlotPrediction> element) {
        PlotPrediction p = element.getValue();
        Set<Long> species = rows.get(p.plotId());
        if (species != null) {
            LOG.warn(
                    "Plot {} was predicted twice (is a second photo named after it? this one:"
                            + " {}); its row lists the species of both",
                    p.plotId(),
                    p.imageName());
            duplicates.inc();
        } else {
            species = new LinkedHashSet<>();
            rows.put(p.plotId(), species);
        }
        for (long s : p.speciesIds()) {
            species.add(s);
        }
    }

    @Override
    public void endInput() throws Exception {
        Map<String, long[]> out = new TreeMap<>();
        rows.forEach(
                (plot, species) ->
                        out.put(plot, species.stream().mapToLong(Long::longValue).toArray()));
        Submission.writeAtomically(new Path(file), Submission.format(out));
        LOG.info("Wrote {} plots to {}", out.size(), file);
    }
}
