package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.MetadataRow;

class MetadataJoinTest {

    private KeyedTwoInputStreamOperatorTestHarness<String, ImageRecord, MetadataRow, ImageRecord>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new MetadataJoin()),
                        ImageRecord::imageName,
                        MetadataRow::imageName,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static ImageRecord image(String name, Long species) {
        return new ImageRecord(name, "file:/" + name, species, null, new byte[] {1}, Map.of());
    }

    private static MetadataRow row(String name, Long species, String organ) {
        return new MetadataRow(name, species, Map.of("organ", organ));
    }

    private List<ImageRecord> output() {
        return harness.extractOutputValues();
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(DeadLetters.TAG);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void joinsWhicheverSideArrivesFirst() throws Exception {
        harness.processElement1(new StreamRecord<>(image("a.jpg", 1L)));
        harness.processElement2(new StreamRecord<>(row("a.jpg", 1L, "leaf")));
        harness.processElement2(new StreamRecord<>(row("b.jpg", null, "bark")));
        harness.processElement1(new StreamRecord<>(image("b.jpg", 2L)));

        assertThat(output())
                .extracting(
                        ImageRecord::imageName,
                        ImageRecord::speciesId,
                        r -> r.metadata().get("organ"))
                .containsExactly(tuple("a.jpg", 1L, "leaf"), tuple("b.jpg", 2L, "bark"));
    }

    @Test
    void speciesFromTheCsvFillsAMissingOne() throws Exception {
        harness.processElement1(new StreamRecord<>(image("p.jpg", null)));
        harness.processElement2(new StreamRecord<>(row("p.jpg", 9L, "flower")));
        assertThat(output())
                .singleElement()
                .satisfies(r -> assertThat(r.speciesId()).isEqualTo(9L));
    }

    @Test
    void conflictingSpeciesAndDuplicateRowsAreDeadLetters() throws Exception {
        harness.processElement2(new StreamRecord<>(row("c.jpg", 5L, "leaf")));
        harness.processElement2(new StreamRecord<>(row("c.jpg", 5L, "fruit")));
        harness.processElement1(new StreamRecord<>(image("c.jpg", 6L)));

        assertThat(output()).isEmpty();
        assertThat(deadLetters())
                .extracting(DeadLetter::reason)
                .containsExactly(
                        "duplicate metadata row for image_name 'c.jpg'; the first one is used",
                        "species_id conflict: the directory says 6, the metadata says 5");
    }

    @Test
    void atTheEndUnmatchedImagesPassAndAllStateIsCleared() throws Exception {
        harness.processElement1(new StreamRecord<>(image("lonely.jpg", 3L)));
        harness.processElement2(new StreamRecord<>(row("orphan.jpg", 4L, "leaf")));
        assertThat(output()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.processBothWatermarks(new Watermark(Long.MAX_VALUE));

        assertThat(output()).extracting(ImageRecord::imageName).containsExactly("lonely.jpg");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
