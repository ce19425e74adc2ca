package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.TileRecord;
import org.plantclef.testutil.Fixtures;

class TileFunctionTest {

    private static ImageRecord photo(String plotId, byte[] data) {
        return new ImageRecord(plotId + ".jpg", "file:/x/" + plotId, null, plotId, data, Map.of());
    }

    @Test
    void cutsEveryGridOnceAndRefusesPlotIdsTheSubmissionCannotHold() throws Exception {
        byte[] jpeg = Fixtures.jpeg(90, 60, 0x44AA66);
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new TileFunction(new int[] {1, 3}, 28, 1_000_000)))) {
            h.open();
            h.processElement(new StreamRecord<>(photo("CBN-Pla-B2-20160722", jpeg)));
            h.processElement(new StreamRecord<>(photo("a;b", jpeg)));
            h.processElement(new StreamRecord<>(photo("line\nbreak", jpeg)));
            h.processElement(new StreamRecord<>(photo("x".repeat(300), jpeg)));
            h.processElement(new StreamRecord<>(photo("small", Fixtures.jpeg(2, 2, 0))));

            List<TileRecord> tiles = h.extractOutputValues();
            assertThat(tiles).hasSize(1 + 9).allMatch(t -> t.tilesInPlot() == 10);
            assertThat(tiles).extracting(TileRecord::gridSize).containsOnly(1, 3);
            assertThat(tiles).allMatch(t -> t.width() == 28 && t.height() == 28);

            List<String> reasons =
                    h.getSideOutput(DeadLetters.TAG).stream()
                            .map(StreamRecord::getValue)
                            .map(DeadLetter::reason)
                            .toList();
            assertThat(reasons).hasSize(4);
            assertThat(reasons.get(0))
                    .isEqualTo("plot id a;b contains ';', which the submission CSV cannot hold");
            assertThat(reasons.get(1)).contains("line?break").contains("a control character");
            assertThat(reasons.get(2)).contains("longer than 256");
            // Smaller than the 3x3 grid: the whole photo is refused, none of its tiles sent on.
            assertThat(reasons.get(3)).contains("smaller than");
        }
    }
}
