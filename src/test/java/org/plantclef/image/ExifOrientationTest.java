package org.plantclef.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExifOrientationTest {

    /**
     * A 3x2 image with distinct pixels:
     *
     * <pre>
     * a b c
     * d e f
     * </pre>
     */
    private static RgbImage abcdef() {
        RgbImage image = RgbImage.blank(3, 2);
        int v = 1;
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                image.setRgb(x, y, v++);
            }
        }
        return image;
    }

    private static String layout(RgbImage image) {
        StringBuilder s = new StringBuilder();
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                s.append((char) ('a' + image.getRgb(x, y) - 1));
            }
            s.append(y + 1 < image.height() ? "/" : "");
        }
        return s.toString();
    }

    @Test
    void appliesAllEightOrientationsAsPilExifTransposeDoes() {
        RgbImage image = abcdef();
        assertThat(layout(ExifOrientation.apply(image, 1))).isEqualTo("abc/def");
        assertThat(layout(ExifOrientation.apply(image, 2))).isEqualTo("cba/fed");
        assertThat(layout(ExifOrientation.apply(image, 3))).isEqualTo("fed/cba");
        assertThat(layout(ExifOrientation.apply(image, 4))).isEqualTo("def/abc");
        assertThat(layout(ExifOrientation.apply(image, 5))).isEqualTo("ad/be/cf");
        assertThat(layout(ExifOrientation.apply(image, 6))).isEqualTo("da/eb/fc");
        assertThat(layout(ExifOrientation.apply(image, 7))).isEqualTo("fc/eb/da");
        assertThat(layout(ExifOrientation.apply(image, 8))).isEqualTo("cf/be/ad");
    }

    @Test
    void jpegWithoutExifIsNormal() {
        assertThat(ExifOrientation.read(ImageEncoder.jpeg(RgbImage.blank(4, 4), 0.9f)))
                .isEqualTo(ExifOrientation.NORMAL);
        assertThat(ExifOrientation.read(new byte[] {1, 2, 3})).isEqualTo(ExifOrientation.NORMAL);
    }
}
