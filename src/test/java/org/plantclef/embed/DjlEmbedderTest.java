package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.plantclef.image.RgbImage;

/** The tiny scripted models through DJL against the outputs PyTorch gave in Python. */
class DjlEmbedderTest {

    @ParameterizedTest(name = "input {0}px")
    @ValueSource(ints = {112, 70})
    void tokensMatchPython(int size) throws Exception {
        float[] expected =
                PreprocessorTest.floats("/models/tiny-dinov2/expected-tokens-" + size + ".f32");
        try (DjlEmbedder embedder =
                DjlEmbedder.open(TinyModels.spec(TinyModels.tokens(), size, 2, false), 0)) {
            ModelOutput out = embedder.run(TinyModels.formulaInput(2, size), 2, size);
            int grid = size / 14;
            assertThat(out.shape()).containsExactly(2, 1 + 4 + grid * grid, 48);
            assertThat(out.data()).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat(out.data()[i])
                        .as("token value %d", i)
                        .isCloseTo(expected[i], within(1e-4f));
            }
        }
    }

    @ParameterizedTest(name = "input {0}px")
    @ValueSource(ints = {112, 70})
    void clsOnlyModelMatchesPython(int size) throws Exception {
        float[] expected =
                PreprocessorTest.floats("/models/tiny-dinov2-cls/expected-cls-" + size + ".f32");
        try (DjlEmbedder embedder =
                DjlEmbedder.open(TinyModels.spec(TinyModels.clsOnly(), size, 2, true), 0)) {
            ModelOutput out = embedder.run(TinyModels.formulaInput(2, size), 2, size);
            assertThat(out.shape()).containsExactly(2, 48);
            for (int i = 0; i < expected.length; i++) {
                assertThat(out.data()[i]).isCloseTo(expected[i], within(1e-4f));
            }
            // A CLS-only model has no token matrix to take a DCT of: a clear error, not empty
            // features.
            float[] batch = new float[2 * 3 * size * size];
            assertThatThrownBy(() -> embedder.embedPreprocessed(batch, 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("DCT features need a model that returns the token matrix")
                    .hasMessageContaining("[2, 48]");
        }
    }

    @Test
    void embedsImagesWithClsAndDctAndPaddingDoesNotChangeResults() {
        RgbImage a = gradient(90, 60, 3);
        RgbImage b = gradient(40, 70, 11);
        RgbImage c = gradient(64, 64, 29);
        try (DjlEmbedder embedder =
                DjlEmbedder.open(TinyModels.spec(TinyModels.tokens(), 56, 4, true), 0)) {
            List<Embedding> three = embedder.embed(List.of(a, b, c));
            List<Embedding> alone = embedder.embed(List.of(b));
            assertThat(three).hasSize(3);
            assertThat(three.get(0).cls()).hasSize(48);
            assertThat(three.get(0).dct()).hasSize(64);
            for (int i = 0; i < 48; i++) {
                assertThat(alone.get(0).cls()[i]).isCloseTo(three.get(1).cls()[i], within(1e-5f));
            }
            assertThat(three.get(0).cls()).isNotEqualTo(three.get(1).cls());
            // The DCT's DC term is 4 * the sum of the token matrix: a cheap cross-check.
            ModelOutput raw = embedder.run(packed(embedder, List.of(a)), 1, 56);
            double sum = 0;
            for (float v : raw.data()) {
                sum += v;
            }
            assertThat((double) three.get(0).dct()[0])
                    .isCloseTo(4 * sum, within(1e-2 + 1e-4 * Math.abs(sum)));
        }
    }

    @Test
    void gpuWithoutAGpuFailsAtStart() {
        // Only meaningful where the engine sees no GPU (CI, the CPU natives).
        Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0);
        EmbedderSpec spec =
                new EmbedderSpec(TinyModels.tokens().toString(), 56, 1, Device.GPU, 1, false, null);
        assertThatThrownBy(() -> DjlEmbedder.open(spec, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device GPU requested, but the PyTorch engine sees no GPU");
    }

    @Test
    void missingModelFileIsNamed() {
        EmbedderSpec spec = new EmbedderSpec("/nope/model.pt", 56, 1, Device.CPU, 1, false, null);
        assertThatThrownBy(() -> DjlEmbedder.open(spec, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model file /nope/model.pt does not exist");
    }

    private static float[] packed(DjlEmbedder embedder, List<RgbImage> images) {
        float[] data = new float[images.size() * embedder.preprocessor().imageFloats()];
        for (int i = 0; i < images.size(); i++) {
            embedder.preprocessor().into(images.get(i), data, i);
        }
        return data;
    }

    static RgbImage gradient(int w, int h, int seed) {
        RgbImage image = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRgb(
                        x,
                        y,
                        ((x * seed) & 0xFF) << 16
                                | ((y * 7 + seed) & 0xFF) << 8
                                | ((x + y) & 0xFF));
            }
        }
        return image;
    }
}
