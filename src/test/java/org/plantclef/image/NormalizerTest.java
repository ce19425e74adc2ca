package org.plantclef.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NormalizerTest {

    @Test
    void producesChannelFirstImageNetNormalisedValues() {
        RgbImage image = RgbImage.blank(2, 1);
        image.setRgb(0, 0, 0xFF0080);
        image.setRgb(1, 0, 0x00FF00);
        float[] chw = Normalizer.toChw(image);
        assertThat(chw).hasSize(6);
        // Layout: R plane (2 values), G plane, B plane.
        assertThat(chw[0]).isCloseTo((1f - 0.485f) / 0.229f, within(1e-6f));
        assertThat(chw[1]).isCloseTo((0f - 0.485f) / 0.229f, within(1e-6f));
        assertThat(chw[2]).isCloseTo((0f - 0.456f) / 0.224f, within(1e-6f));
        assertThat(chw[3]).isCloseTo((1f - 0.456f) / 0.224f, within(1e-6f));
        assertThat(chw[4]).isCloseTo((128 / 255f - 0.406f) / 0.225f, within(1e-6f));
        assertThat(chw[5]).isCloseTo((0f - 0.406f) / 0.225f, within(1e-6f));
    }

    @Test
    void writesIntoABatchAtAnOffset() {
        float[] batch = new float[2 * 3 * 4];
        Normalizer.toChw(
                TestImages.filled(2, 2, 0xFFFFFF),
                new float[] {0, 0, 0},
                new float[] {1, 1, 1},
                batch,
                12);
        assertThat(batch[11]).isZero();
        assertThat(batch[12]).isEqualTo(1f);
        assertThat(batch[23]).isEqualTo(1f);
    }
}
