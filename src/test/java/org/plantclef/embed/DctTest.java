package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DctTest {

    /** The definition, term by term: scipy's dctn(type=2, norm=None). */
    private static double direct(float[] x, int rows, int cols, int k1, int k2) {
        double sum = 0;
        for (int n1 = 0; n1 < rows; n1++) {
            for (int n2 = 0; n2 < cols; n2++) {
                sum +=
                        x[n1 * cols + n2]
                                * Math.cos(Math.PI * k1 * (2 * n1 + 1) / (2.0 * rows))
                                * Math.cos(Math.PI * k2 * (2 * n2 + 1) / (2.0 * cols));
            }
        }
        return 4 * sum;
    }

    @Test
    void matchesTheDirectFormulaOnATokenMatrix() {
        int rows = 261; // CLS + 4 registers + 16x16 patches
        int cols = 48;
        Random random = new Random(5);
        float[] x = new float[7 + rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] tokens = java.util.Arrays.copyOfRange(x, 7, x.length);
        float[] dct = new Dct(rows, cols, 8).topLeft(x, 7);
        assertThat(dct).hasSize(64);
        for (int k1 = 0; k1 < 8; k1++) {
            for (int k2 = 0; k2 < 8; k2++) {
                double expected = direct(tokens, rows, cols, k1, k2);
                assertThat((double) dct[k1 * 8 + k2])
                        .as("X[%d,%d]", k1, k2)
                        .isCloseTo(expected, within(1e-3 + 1e-5 * Math.abs(expected)));
            }
        }
    }

    @Test
    void constantMatrixHasOnlyTheDcTerm() {
        float[] ones = new float[10 * 12];
        java.util.Arrays.fill(ones, 1f);
        float[] dct = new Dct(10, 12, 8).topLeft(ones, 0);
        assertThat(dct[0]).isCloseTo(4f * 120, within(1e-3f));
        for (int i = 1; i < 64; i++) {
            assertThat(dct[i]).isCloseTo(0f, within(1e-3f));
        }
    }

    @Test
    void refusesMoreCoefficientsThanTheMatrixHas() {
        assertThatThrownBy(() -> new Dct(5, 48, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
