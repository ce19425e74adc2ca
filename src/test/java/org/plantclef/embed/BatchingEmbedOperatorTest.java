package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.EmbeddingRecord;
import org.plantclef.record.ImageRecord;

/** Every flush path of the batching operator, with a fake embedder. */
class BatchingEmbedOperatorTest {

    /** Batch sizes the fake model saw, across all instances. */
    static final List<Integer> BATCHES = Collections.synchronizedList(new ArrayList<>());

    /** cls[0] = the image's red value, which the adapter derives from the record. */
    static final class FakeEmbedder implements Embedder {
        @Override
        public int imageSize() {
            return 14;
        }

        @Override
        public List<Embedding> embed(List<RgbImage> images) {
            BATCHES.add(images.size());
            List<Embedding> out = new ArrayList<>();
            for (RgbImage image : images) {
                assertThat(image.width()).isEqualTo(14);
                out.add(new Embedding(new float[] {image.get(0, 0, 0)}, null));
            }
            return out;
        }

        @Override
        public void close() {}
    }

    /** Records are numbers; the image is a 20x20 square of that red; negative numbers are bad. */
    static final class NumberAdapter implements EmbedAdapter<Integer, String> {
        @Override
        public RgbImage image(Integer record) throws InvalidImageException {
            if (record < 0) {
                throw new InvalidImageException("record " + record + " is bad");
            }
            RgbImage image = RgbImage.blank(20, 20);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 20; x++) {
                    image.setRgb(x, y, record << 16);
                }
            }
            return image;
        }

        @Override
        public String output(Integer record, Embedding embedding) {
            return record + "=" + (int) embedding.cls()[0];
        }

        @Override
        public String source(Integer record) {
            return "record-" + record;
        }
    }

    private static OneInputStreamOperatorTestHarness<Integer, String> harness(int batch, long wait)
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new BatchingEmbedOperator<>(
                        gpu -> new FakeEmbedder(), new NumberAdapter(), batch, wait));
    }

    @BeforeEach
    void reset() {
        BATCHES.clear();
    }

    @Test
    void flushesWhenTheBatchIsFullAndAtTheEndOfInput() throws Exception {
        try (var h = harness(3, 10_000)) {
            h.open();
            for (int i = 1; i <= 7; i++) {
                h.processElement(new StreamRecord<>(i));
            }
            assertThat(h.extractOutputValues())
                    .containsExactly("1=1", "2=2", "3=3", "4=4", "5=5", "6=6");
            h.endInput();
            assertThat(h.extractOutputValues()).hasSize(7).endsWith("7=7");
            assertThat(BATCHES).containsExactly(3, 3, 1);
        }
    }

    @Test
    void flushesWhenTheOldestRecordHasWaitedLongEnough() throws Exception {
        try (var h = harness(10, 100)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(1));
            h.setProcessingTime(40);
            h.processElement(new StreamRecord<>(2));
            h.setProcessingTime(99);
            assertThat(h.extractOutputValues()).isEmpty();
            h.setProcessingTime(100);
            assertThat(h.extractOutputValues()).containsExactly("1=1", "2=2");
        }
    }

    @Test
    void aTimerOfAnEarlierBatchDoesNotCutTheNextOneShort() throws Exception {
        try (var h = harness(2, 100)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(1));
            h.processElement(new StreamRecord<>(2)); // full: flushed, its timer is now stale
            h.setProcessingTime(50);
            h.processElement(new StreamRecord<>(3)); // new batch, due at 150
            h.setProcessingTime(100);
            assertThat(h.extractOutputValues()).containsExactly("1=1", "2=2");
            h.setProcessingTime(150);
            assertThat(h.extractOutputValues()).containsExactly("1=1", "2=2", "3=3");
            assertThat(BATCHES).containsExactly(2, 1);
        }
    }

    @Test
    void nothingBufferedIsLeftOutOfACheckpoint() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(10, 10_000)) {
            h.open();
            h.processElement(new StreamRecord<>(1));
            h.processElement(new StreamRecord<>(2));
            h.prepareSnapshotPreBarrier(1);
            // Everything received before the barrier is emitted before it.
            assertThat(h.extractOutputValues()).containsExactly("1=1", "2=2");
            snapshot = h.snapshot(1, 1);
        }
        // A restore from that checkpoint emits nothing again and goes on normally.
        try (var restored = harness(10, 10_000)) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(new StreamRecord<>(3));
            restored.endInput();
            assertThat(restored.extractOutputValues()).containsExactly("3=3");
        }
    }

    @Test
    void bufferedRecordsGoOutBeforeAWatermark() throws Exception {
        try (var h = harness(10, 10_000)) {
            h.open();
            h.processElement(new StreamRecord<>(5));
            h.processElement(new StreamRecord<>(6));
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            // The records, then the watermark: none is late for a downstream event-time timer.
            List<Object> output = new ArrayList<>(h.getOutput());
            assertThat(output).hasSize(3);
            assertThat(output.get(2)).isEqualTo(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues()).containsExactly("5=5", "6=6");
        }
    }

    @Test
    void finishFlushesToo() throws Exception {
        try (var h = harness(10, 10_000)) {
            h.open();
            h.processElement(new StreamRecord<>(5));
            h.getOneInputOperator().finish();
            assertThat(h.extractOutputValues()).containsExactly("5=5");
        }
    }

    @Test
    void unreadableImagesGoToTheDeadLettersAndOthersGoOn() throws Exception {
        try (var h = harness(2, 10_000)) {
            h.open();
            h.processElement(new StreamRecord<>(1));
            h.processElement(new StreamRecord<>(-4));
            h.processElement(new StreamRecord<>(2));
            assertThat(h.extractOutputValues()).containsExactly("1=1", "2=2");
            assertThat(h.getSideOutput(DeadLetters.TAG))
                    .extracting(StreamRecord::getValue)
                    .extracting(DeadLetter::source, DeadLetter::stage, DeadLetter::reason)
                    .containsExactly(tuple("record--4", "embed", "record -4 is bad"));
        }
    }

    @Test
    void aTimerOfABatchFlushedAtABarrierDoesNotCutTheNextOneShort() throws Exception {
        try (var h = harness(10, 100)) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(new StreamRecord<>(1));
            h.prepareSnapshotPreBarrier(1); // flushed; the timer due at 100 is now stale
            h.setProcessingTime(60);
            h.processElement(new StreamRecord<>(2)); // due at 160
            h.setProcessingTime(100);
            assertThat(h.extractOutputValues()).containsExactly("1=1");
            h.setProcessingTime(160);
            assertThat(h.extractOutputValues()).containsExactly("1=1", "2=2");
        }
    }

    @Test
    void realImageRecordsUndecodableOrExtremeGoToTheDeadLettersOthersAreEmbedded()
            throws Exception {
        ImageRecord good = image("good.png", TestPngs.filled(30, 20, 0x400000));
        ImageRecord thin = image("thin.png", TestPngs.filled(1, 3000, 0x800000));
        ImageRecord broken =
                image("broken.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2});
        try (var h =
                new OneInputStreamOperatorTestHarness<ImageRecord, EmbeddingRecord>(
                        new BatchingEmbedOperator<>(
                                gpu -> new FakeEmbedder(),
                                new ImageAdapter(1_000_000),
                                4,
                                10_000))) {
            h.open();
            h.processElement(new StreamRecord<>(good));
            h.processElement(new StreamRecord<>(broken));
            h.processElement(new StreamRecord<>(thin));
            h.endInput();
            assertThat(h.extractOutputValues())
                    .extracting(EmbeddingRecord::imageName, e -> (int) e.cls()[0])
                    .containsExactly(tuple("good.png", 0x40), tuple("thin.png", 0x80));
            assertThat(h.getSideOutput(DeadLetters.TAG))
                    .extracting(StreamRecord::getValue)
                    .singleElement()
                    .satisfies(
                            l -> {
                                assertThat(l.source()).isEqualTo("mem:/broken.jpg");
                                assertThat(l.reason()).startsWith("corrupt JPEG");
                            });
        }
    }

    private static ImageRecord image(String name, byte[] data) {
        return new ImageRecord(name, "mem:/" + name, 1L, null, data, Map.of());
    }

    /** PNG bytes of one colour. */
    static final class TestPngs {
        static byte[] filled(int w, int h, int rgb) {
            RgbImage image = RgbImage.blank(w, h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    image.setRgb(x, y, rgb);
                }
            }
            return ImageEncoder.png(image);
        }
    }
}
