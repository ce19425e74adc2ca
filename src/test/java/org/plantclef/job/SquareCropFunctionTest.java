package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.Interpolation;
import org.plantclef.image.RgbImage;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.testutil.Fixtures;

class SquareCropFunctionTest {

    private static ImageRecord image(String name, byte[] data) {
        return new ImageRecord(name, "file:/in/" + name, 1L, null, data, Map.of("organ", "leaf"));
    }

    @Test
    void cropsToTheSquareAndKeepsEverythingElse() throws Exception {
        try (OneInputStreamOperatorTestHarness<ImageRecord, ImageRecord> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SquareCropFunction(48, Interpolation.AREA, 0.9f, 1_000_000))) {
            harness.processElement(image("a.jpg", Fixtures.jpeg(200, 100, 0x00FF00)), 0);

            ImageRecord out = harness.extractOutputValues().get(0);
            RgbImage crop = new ImageDecoder().decode(out.data());
            assertThat(crop.width()).isEqualTo(48);
            assertThat(crop.height()).isEqualTo(48);
            assertThat(out.imageName()).isEqualTo("a.jpg");
            assertThat(out.metadata()).containsEntry("organ", "leaf");
        }
    }

    @Test
    void sizeZeroKeepsTheOriginalBytes() throws Exception {
        byte[] original = Fixtures.jpeg(30, 20, 0x123456);
        try (OneInputStreamOperatorTestHarness<ImageRecord, ImageRecord> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SquareCropFunction(0, Interpolation.AREA, 0.9f, 1_000_000))) {
            harness.processElement(image("p.jpg", original), 0);
            assertThat(harness.extractOutputValues().get(0).data()).isEqualTo(original);
        }
    }

    @Test
    void badImagesBecomeDeadLettersAndTheNextOneStillPasses() throws Exception {
        try (OneInputStreamOperatorTestHarness<ImageRecord, ImageRecord> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SquareCropFunction(16, Interpolation.AREA, 0.9f, 1_000))) {
            harness.processElement(image("big.jpg", Fixtures.jpeg(100, 100, 0)), 0);
            harness.processElement(image("bad.jpg", Fixtures.truncatedJpeg()), 0);
            harness.processElement(image("ok.jpg", Fixtures.jpeg(20, 20, 0)), 0);

            assertThat(harness.extractOutputValues())
                    .extracting(ImageRecord::imageName)
                    .containsExactly("ok.jpg");
            assertThat(harness.getSideOutput(DeadLetters.TAG))
                    .extracting(StreamRecord::getValue)
                    .extracting(DeadLetter::source, DeadLetter::stage)
                    .containsExactly(
                            tuple("file:/in/big.jpg", "decode"),
                            tuple("file:/in/bad.jpg", "decode"));
        }
    }
}
