package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.RgbImage;

/** Our preprocessing against timm's eval transform run on PIL (make_tiny_models.py). */
class PreprocessorTest {

    static byte[] resource(String name) throws Exception {
        try (InputStream in = PreprocessorTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    static float[] floats(String name) throws Exception {
        ByteBuffer buffer = ByteBuffer.wrap(resource(name)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[buffer.remaining() / 4];
        buffer.asFloatBuffer().get(out);
        return out;
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {112, 64})
    void matchesPilBicubicResizeCentreCropAndNormalisation(int size) throws Exception {
        RgbImage image = new ImageDecoder().decode(resource("/models/preprocess/pattern.jpg"));
        float[] expected = floats("/models/preprocess/expected-" + size + ".f32");
        float[] actual = new Preprocessor(size).tensor(image);
        assertThat(actual).hasSameSizeAs(expected);

        // One 8-bit level is 1 / 255 / std ~ 0.0175 after normalisation.
        double oneLevel = 1 / 255.0 / 0.224;
        int off = 0;
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            max = Math.max(max, d);
            off += d > oneLevel / 2 ? 1 : 0;
        }
        assertThat(max).as("largest difference").isLessThan(1.01 * oneLevel * 1.02);
        assertThat(off / (double) expected.length)
                .as("share of values off by a level")
                .isLessThan(0.02);
    }
}
