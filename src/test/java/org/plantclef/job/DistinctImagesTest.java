package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;

class DistinctImagesTest {

    private static ImageRecord image(String name, String path, int data) {
        return new ImageRecord(name, path, null, null, new byte[] {(byte) data}, Map.of());
    }

    /** Feeds {@code images} in order and ends the input; returns what was kept. */
    private static List<ImageRecord> run(List<ImageRecord> images, List<DeadLetter> letters)
            throws Exception {
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DistinctImages("image_name")),
                        ImageRecord::imageName,
                        Types.STRING)) {
            h.open();
            for (ImageRecord image : images) {
                h.processElement(new StreamRecord<>(image));
            }
            assertThat(h.extractOutputValues()).as("nothing before the key is done").isEmpty();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            var side = h.getSideOutput(DeadLetters.TAG);
            if (side != null) {
                side.forEach(r -> letters.add(r.getValue()));
            }
            assertThat(h.numKeyedStateEntries()).as("state cleared").isZero();
            return h.extractOutputValues();
        }
    }

    @Test
    void photosWithPlotIdsTheTileStageRefusesAreNotTakenForDuplicates() {
        ImageRecord first =
                new ImageRecord("a;b.jpg", "file:/1/a;b.jpg", null, null, new byte[0], Map.of());
        ImageRecord second =
                new ImageRecord("a;b.jpg", "file:/2/a;b.jpg", null, null, new byte[0], Map.of());
        assertThat(PredictJob.distinctKey(first)).isNotEqualTo(PredictJob.distinctKey(second));
        ImageRecord jpeg = image("CBN-1.jpg", "file:/p/CBN-1.jpg", 1);
        ImageRecord png = image("CBN-1.png", "file:/p/CBN-1.png", 2);
        assertThat(PredictJob.distinctKey(jpeg))
                .isEqualTo("CBN-1")
                .isEqualTo(PredictJob.distinctKey(png));
    }

    @Test
    void keepsOneImagePerNameWhateverTheArrivalOrder() throws Exception {
        ImageRecord a1 = image("a.jpg", "file:/b/a.jpg", 1);
        ImageRecord a2 = image("a.jpg", "file:/a/a.jpg", 2);
        ImageRecord a3 = image("a.jpg", "file:/a/a.jpg", 0);
        ImageRecord b = image("b.jpg", "file:/b/b.jpg", 1);
        for (List<ImageRecord> order : List.of(List.of(a1, a2, a3, b), List.of(b, a3, a2, a1))) {
            List<DeadLetter> letters = new java.util.ArrayList<>();
            List<ImageRecord> kept = run(order, letters);
            // The smallest path, then the smallest bytes.
            assertThat(kept)
                    .extracting(i -> i.path() + " " + i.data()[0])
                    .containsExactlyInAnyOrder("file:/a/a.jpg 0", "file:/b/b.jpg 1");
            assertThat(letters)
                    .extracting(DeadLetter::source)
                    .containsExactly("file:/a/a.jpg (copy 2 of 3)", "file:/b/a.jpg");
            assertThat(letters)
                    .allSatisfy(
                            l ->
                                    assertThat(l.reason())
                                            .isEqualTo(
                                                    "duplicate image_name 'a.jpg': 3 images have"
                                                            + " it; file:/a/a.jpg is kept"));
        }
    }
}
