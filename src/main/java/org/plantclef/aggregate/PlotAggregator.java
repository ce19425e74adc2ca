package org.plantclef.aggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.PlotPrediction;
import org.plantclef.record.ScoredTile;

/**
 * Keyed by plot id: collects a plot's scored tiles until all of them (their number travels with
 * every tile) have arrived, emits the plot's prediction, and clears the plot's state.
 *
 * <p>A plot whose tiles never all arrive (a tile lost upstream, or a photo re-sent half way) is not
 * kept forever: {@code plotTimeoutMillis} of processing time after its first tile, or at the end of
 * a bounded input, it is predicted from the tiles it has, counted as incomplete, and cleared. A
 * tile that arrives twice (two photos with the same plot id) goes to the dead letters.
 */
public final class PlotAggregator extends KeyedProcessFunction<String, ScoredTile, PlotPrediction> {

    private static final long serialVersionUID = 1L;

    /** Metric and accumulator: plots predicted (complete or not). */
    public static final String PLOTS_PREDICTED = "plots-predicted";

    /** Metric: plots predicted per second (a one-minute moving rate). */
    public static final String PLOTS_PER_SECOND = "plots-per-second";

    /** Metric and accumulator: plots predicted from fewer tiles than the photo has. */
    public static final String PLOTS_INCOMPLETE = "plots-incomplete";

    /** An event-time timer at the end of time fires when a bounded input is exhausted. */
    private static final long END_OF_INPUT = Long.MAX_VALUE;

    private final Strategy strategy;
    private final long plotTimeoutMillis;

    private transient MapState<Integer, ScoredTile> tiles;
    private transient ValueState<Integer> received;
    private transient ValueState<Long> deadline;
    private transient Counter predicted;
    private transient Counter incomplete;
    private transient LongCounter predictedTotal;
    private transient LongCounter incompleteTotal;

    public PlotAggregator(Strategy strategy, long plotTimeoutMillis) {
        if (plotTimeoutMillis < 1) {
            throw new IllegalArgumentException("plot timeout must be positive");
        }
        this.strategy = strategy;
        this.plotTimeoutMillis = plotTimeoutMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        tiles =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "tiles", Types.INT, TypeInformation.of(ScoredTile.class)));
        received = getRuntimeContext().getState(new ValueStateDescriptor<>("received", Types.INT));
        deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Types.LONG));
        predicted = getRuntimeContext().getMetricGroup().counter(PLOTS_PREDICTED);
        getRuntimeContext().getMetricGroup().meter(PLOTS_PER_SECOND, new MeterView(predicted));
        incomplete = getRuntimeContext().getMetricGroup().counter(PLOTS_INCOMPLETE);
        predictedTotal = new LongCounter();
        incompleteTotal = new LongCounter();
        getRuntimeContext().addAccumulator(PLOTS_PREDICTED, predictedTotal);
        getRuntimeContext().addAccumulator(PLOTS_INCOMPLETE, incompleteTotal);
    }

    /** A tile's place in its plot: grids are at most 16×16, so 256 slots per grid. */
    static int slot(ScoredTile tile) {
        return tile.gridSize() * 256 + tile.tileIndex();
    }

    @Override
    public void processElement(ScoredTile tile, Context ctx, Collector<PlotPrediction> out)
            throws Exception {
        int slot = slot(tile);
        if (tiles.contains(slot)) {
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(
                            tile.imageName(),
                            "aggregate",
                            "tile "
                                    + tile.gridSize()
                                    + "x"
                                    + tile.gridSize()
                                    + "#"
                                    + tile.tileIndex()
                                    + " of plot "
                                    + tile.plotId()
                                    + " arrived twice: are two photos named after the same"
                                    + " plot?"));
            return;
        }
        tiles.put(slot, tile);
        Integer count = received.value();
        int now = count == null ? 1 : count + 1;
        if (now >= tile.tilesInPlot()) {
            emit(out, now, tile.tilesInPlot());
            Long due = deadline.value();
            if (due != null) {
                ctx.timerService().deleteProcessingTimeTimer(due);
            }
            ctx.timerService().deleteEventTimeTimer(END_OF_INPUT);
            clear();
            return;
        }
        received.update(now);
        if (count == null) {
            long due = ctx.timerService().currentProcessingTime() + plotTimeoutMillis;
            deadline.update(due);
            ctx.timerService().registerProcessingTimeTimer(due);
            ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PlotPrediction> out)
            throws Exception {
        Integer count = received.value();
        if (count == null) {
            return; // completed already; a timer left behind
        }
        int expected = 0;
        for (ScoredTile tile : tiles.values()) {
            expected = tile.tilesInPlot();
            break;
        }
        Long due = deadline.value();
        if (due != null && due != timestamp) {
            ctx.timerService().deleteProcessingTimeTimer(due);
        }
        if (timestamp != END_OF_INPUT) {
            ctx.timerService().deleteEventTimeTimer(END_OF_INPUT);
        }
        incomplete.inc();
        incompleteTotal.add(1);
        emit(out, count, expected);
        clear();
    }

    private void emit(Collector<PlotPrediction> out, int seen, int expected) throws Exception {
        List<ScoredTile> list = new ArrayList<>(seen);
        for (ScoredTile tile : tiles.values()) {
            list.add(tile);
        }
        list.sort(
                Comparator.comparingInt(ScoredTile::gridSize)
                        .thenComparingInt(ScoredTile::tileIndex));
        ScoredTile first = list.get(0);
        Ranking ranking = strategy.aggregate(list);
        out.collect(
                new PlotPrediction(
                        first.plotId(),
                        first.imageName(),
                        strategy.name(),
                        ranking.species(),
                        ranking.scores(),
                        expected,
                        seen,
                        list));
        predicted.inc();
        predictedTotal.add(1);
    }

    private void clear() {
        tiles.clear();
        received.clear();
        deadline.clear();
    }
}
