package org.plantclef.job;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/**
 * Passes records through, counting them in a metric (for dashboards) and an accumulator of the same
 * name (for the summary a bounded job prints when it ends).
 */
public final class Counted<T> extends RichMapFunction<T, T> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private transient Counter counter;
    private transient LongCounter accumulator;

    public Counted(String name) {
        this.name = name;
    }

    @Override
    public void open(OpenContext openContext) {
        counter = getRuntimeContext().getMetricGroup().counter(name);
        accumulator = new LongCounter();
        getRuntimeContext().addAccumulator(name, accumulator);
    }

    @Override
    public T map(T value) {
        counter.inc();
        accumulator.add(1);
        return value;
    }
}
