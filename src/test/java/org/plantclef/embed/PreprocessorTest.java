package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.RgbImage;

/** Our preprocessing against timm's eval transform run on PIL (make_tiny_models.py): exact. */
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

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "pattern.jpg, 112, expected-112", // landscape downscale
        "pattern.jpg, 64, expected-64",
        "portrait.png, 64, expected-portrait-64", // crop offset 14.5: Python rounds to 14
        "small.png, 64, expected-small-64" // upscale
    })
    void isPilsBicubicResizeCentreCropAndNormalisationExactly(
            String source, int size, String expectedFile) throws Exception {
        RgbImage image = new ImageDecoder().decode(resource("/models/preprocess/" + source));
        float[] expected = floats("/models/preprocess/" + expectedFile + ".f32");
        float[] actual = new Preprocessor(size).tensor(image);
        assertThat(actual).hasSameSizeAs(expected);

        // Our decoder gives PIL's pixels for these files, and the resize is Pillow's own
        // fixed-point arithmetic: the tensors are the same, float for float.
        assertThat(actual).containsExactly(expected);
    }
}
