package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageEncoder;
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
    void takesTheCentreNotAnEdge() throws Exception {
        // 300x100: left third red, middle green, right blue; the centre square is all green.
        RgbImage bands = RgbImage.blank(300, 100);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 300; x++) {
                bands.setRgb(x, y, x < 100 ? 0xFF0000 : x < 200 ? 0x00FF00 : 0x0000FF);
            }
        }
        try (OneInputStreamOperatorTestHarness<ImageRecord, ImageRecord> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new SquareCropFunction(32, Interpolation.AREA, 0.95f, 1_000_000))) {
            harness.processElement(image("bands.png", ImageEncoder.png(bands)), 0);

            RgbImage crop = new ImageDecoder().decode(harness.extractOutputValues().get(0).data());
            for (int x : new int[] {2, 16, 29}) {
                assertThat(crop.get(x, 16, 1)).as("green at x=" + x).isGreaterThan(230);
                assertThat(crop.get(x, 16, 0)).as("red at x=" + x).isLessThan(25);
                assertThat(crop.get(x, 16, 2)).as("blue at x=" + x).isLessThan(25);
            }
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
