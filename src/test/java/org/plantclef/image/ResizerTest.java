package org.plantclef.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResizerTest {

    @Test
    void areaDownscaleByTwoAveragesEachBlock() {
        RgbImage image = RgbImage.blank(4, 2);
        image.setRgb(0, 0, 0x000000);
        image.setRgb(1, 0, 0x640000); // 100
        image.setRgb(0, 1, 0xC80000); // 200
        image.setRgb(1, 1, 0x0A0000); // 10
        RgbImage half = Resizer.resize(image, 2, 1, Interpolation.AREA);
        assertThat(half.get(0, 0, 0)).isEqualTo(78); // (0 + 100 + 200 + 10) / 4 = 77.5
        assertThat(half.get(1, 0, 0)).isEqualTo(0);
    }

    @Test
    void areaDownscaleWeighsPartialPixelsByOverlap() {
        // 3 -> 2: output 0 covers [0, 1.5): pixel 0 fully, pixel 1 half.
        RgbImage row = RgbImage.blank(3, 1);
        row.setRgb(0, 0, 0x000000);
        row.setRgb(1, 0, 0x000090); // 144
        row.setRgb(2, 0, 0x0000F0); // 240
        RgbImage out = Resizer.resize(row, 2, 1, Interpolation.AREA);
        assertThat(out.get(0, 0, 2)).isEqualTo(48); // (0 * 1 + 144 * 0.5) / 1.5
        assertThat(out.get(1, 0, 2)).isEqualTo(208); // (144 * 0.5 + 240 * 1) / 1.5
    }

    @ParameterizedTest
    @EnumSource(Interpolation.class)
    void constantImageStaysConstant(Interpolation mode) {
        RgbImage image = TestImages.filled(517, 389, 0x4080C0);
        for (int[] size : new int[][] {{128, 128}, {1000, 20}, {3, 700}}) {
            RgbImage out = Resizer.resize(image, size[0], size[1], mode);
            assertThat(out.width()).isEqualTo(size[0]);
            assertThat(out.height()).isEqualTo(size[1]);
            for (int y = 0; y < out.height(); y += 7) {
                for (int x = 0; x < out.width(); x += 7) {
                    assertThat(out.getRgb(x, y)).isEqualTo(0x4080C0);
                }
            }
        }
    }

    @Test
    void bicubicOvershootIsClamped() {
        // A hard black/white edge rings with bicubic; values must stay within 0..255.
        RgbImage edge = TestImages.filled(8, 1, 0x000000);
        for (int x = 4; x < 8; x++) {
            edge.setRgb(x, 0, 0xFFFFFF);
        }
        RgbImage up = Resizer.resize(edge, 32, 1, Interpolation.BICUBIC);
        assertThat(up.get(0, 0, 0)).isEqualTo(0);
        assertThat(up.get(31, 0, 0)).isEqualTo(255);
        assertThat(up.get(15, 0, 0)).isLessThan(up.get(17, 0, 0));
    }

    @Test
    void bicubicDownscaleAntialiases() {
        // A one-pixel checkerboard averages out to mid grey rather than aliasing.
        RgbImage checker = RgbImage.blank(64, 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                checker.setRgb(x, y, ((x + y) & 1) == 0 ? 0xFFFFFF : 0);
            }
        }
        RgbImage small = Resizer.resize(checker, 8, 8, Interpolation.BICUBIC);
        assertThat(small.get(4, 4, 0)).isBetween(120, 135);
    }

    @ParameterizedTest
    @EnumSource(Interpolation.class)
    void resizeCropIsResizeThenCrop(Interpolation mode) {
        RgbImage image = TestImages.gradient(301, 187);
        RgbImage full = Resizer.resize(image, 150, 93, mode);
        RgbImage window = Resizer.resizeCrop(image, 150, 93, mode, 28, 5, 93, 80);
        assertThat(window).isEqualTo(full.crop(28, 5, 93, 80));
        assertThat(ImageOps.resizeShorterSideCenterCrop(image, 64, mode))
                .isEqualTo(ImageOps.centerCrop(ImageOps.resizeShorterSide(image, 64, mode), 64));
    }

    @ParameterizedTest
    @EnumSource(Interpolation.class)
    void aRegionIsResizedAsIfCroppedOutFirst(Interpolation mode) {
        RgbImage image = TestImages.gradient(301, 187);
        RgbImage tile = image.crop(100, 62, 100, 62);
        Resizer.Region region = new Resizer.Region(100, 62, 100, 62);
        assertThat(Resizer.resizeCrop(image, region, 56, 35, mode, 0, 0, 56, 35))
                .isEqualTo(Resizer.resize(tile, 56, 35, mode));
        assertThat(Resizer.resizeCrop(image, region, 250, 155, mode, 10, 3, 200, 150))
                .as("upscaled, window")
                .isEqualTo(Resizer.resizeCrop(tile, 250, 155, mode, 10, 3, 200, 150));
        // The tile stage's call, including the case where no resize is needed.
        assertThat(ImageOps.resizeShorterSideCenterCrop(image, region, 48, mode))
                .isEqualTo(ImageOps.resizeShorterSideCenterCrop(tile, 48, mode));
        assertThat(ImageOps.resizeShorterSideCenterCrop(image, region, 62, mode))
                .isEqualTo(ImageOps.centerCrop(tile, 62));
        assertThatThrownBy(
                        () ->
                                Resizer.resizeCrop(
                                        image,
                                        new Resizer.Region(250, 0, 60, 10),
                                        10,
                                        10,
                                        mode,
                                        0,
                                        0,
                                        10,
                                        10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside");
    }

    @Test
    void sameSizeIsIdentity() {
        RgbImage image = TestImages.gradient(9, 9);
        assertThat(Resizer.resize(image, 9, 9, Interpolation.BICUBIC)).isSameAs(image);
    }
}
