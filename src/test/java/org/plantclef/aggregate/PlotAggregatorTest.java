package org.plantclef.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.plantclef.aggregate.StrategiesTest.tile;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.PlotPrediction;
import org.plantclef.record.ScoredTile;

class PlotAggregatorTest {

    private static final long TIMEOUT = 60_000;

    private KeyedOneInputStreamOperatorTestHarness<String, ScoredTile, PlotPrediction> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new PlotAggregator(new GridArgmax(2, 0f), TIMEOUT)),
                        ScoredTile::plotId,
                        Types.STRING);
        harness.setProcessingTime(1000);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static ScoredTile of(String plot, int index, long species, double p) {
        ScoredTile t = tile(2, index, species, p);
        return new ScoredTile(
                plot,
                plot + ".jpg",
                t.gridSize(),
                t.tileIndex(),
                4,
                t.species(),
                t.probabilities());
    }

    private List<PlotPrediction> output() {
        return harness.extractOutputValues();
    }

    @Test
    void emitsOncePerPlotWhenAllTilesArrivedAndLeavesNoState() throws Exception {
        // Two plots interleaved, tiles out of order.
        harness.processElement(of("A", 3, 30, 0.9), 0);
        harness.processElement(of("B", 0, 7, 0.9), 0);
        harness.processElement(of("A", 0, 10, 0.9), 0);
        harness.processElement(of("A", 2, 30, 0.8), 0);
        assertThat(output()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isPositive();
        harness.processElement(of("A", 1, 20, 0.7), 0);
        assertThat(output()).hasSize(1);
        PlotPrediction a = output().get(0);
        assertThat(a.plotId()).isEqualTo("A");
        // Tile order 0, 1, 2, 3 whatever the arrival order: 10, 20, 30.
        assertThat(a.speciesIds()).containsExactly(10, 20, 30);
        assertThat(a.complete()).isTrue();
        assertThat(a.tiles()).extracting(ScoredTile::tileIndex).containsExactly(0, 1, 2, 3);
        for (int i = 1; i < 4; i++) {
            harness.processElement(of("B", i, 7, 0.9), 0);
        }
        assertThat(output()).extracting(PlotPrediction::plotId).containsExactly("A", "B");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        // A later timer firing does nothing.
        harness.setProcessingTime(1000 + TIMEOUT + 1);
        assertThat(output()).hasSize(2);
    }

    @Test
    void aPlotMissingTilesIsEmittedAtItsTimeoutAndCleared() throws Exception {
        harness.processElement(of("C", 0, 5, 0.9), 0);
        harness.processElement(of("C", 2, 6, 0.9), 0);
        harness.setProcessingTime(1000 + TIMEOUT - 1);
        assertThat(output()).isEmpty();
        harness.setProcessingTime(1000 + TIMEOUT);
        assertThat(output()).hasSize(1);
        PlotPrediction c = output().get(0);
        assertThat(c.complete()).isFalse();
        assertThat(c.tilesSeen()).isEqualTo(2);
        assertThat(c.tilesExpected()).isEqualTo(4);
        assertThat(c.speciesIds()).containsExactly(5, 6);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void theEndOfABoundedInputFlushesIncompletePlots() throws Exception {
        harness.processElement(of("D", 1, 8, 0.9), 0);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(output()).hasSize(1);
        assertThat(output().get(0).tilesSeen()).isEqualTo(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aTileArrivingTwiceIsADeadLetter() throws Exception {
        harness.processElement(of("E", 1, 8, 0.9), 0);
        harness.processElement(of("E", 1, 9, 0.9), 0);
        var letters = harness.getSideOutput(DeadLetters.TAG);
        assertThat(letters).hasSize(1);
        assertThat(letters.peek().getValue().reason())
                .contains("tile 2x2#1 of plot E arrived twice");
        assertThat(output()).isEmpty();
    }
}
