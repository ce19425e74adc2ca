package org.plantclef.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.plantclef.testutil.BadInputs;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder();

    @Test
    void decodesRgbPngExactly() throws Exception {
        RgbImage original = TestImages.gradient(37, 21);
        assertThat(decoder.decode(ImageEncoder.png(original))).isEqualTo(original);
    }

    @Test
    void decodesGifAndBmp() throws Exception {
        // The JDK's GIF writer loses colours on tiny palettes, so the GIF is an ImageMagick
        // fixture.
        byte[] gif;
        try (InputStream in = getClass().getResourceAsStream("/image/palette.gif")) {
            gif = in.readAllBytes();
        }
        BufferedImage rgb = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(2, 1, 0xFF0000);
        rgb.setRGB(5, 3, 0x0000FF);
        byte[] bmp = TestImages.write(rgb, "bmp");
        for (byte[] data : new byte[][] {gif, bmp}) {
            RgbImage decoded = decoder.decode(data);
            assertThat(decoded.width()).isEqualTo(6);
            assertThat(decoded.height()).isEqualTo(4);
            assertThat(decoded.getRgb(2, 1)).isEqualTo(0xFF0000);
            assertThat(decoded.getRgb(5, 3)).isEqualTo(0x0000FF);
            assertThat(decoded.getRgb(0, 0)).isEqualTo(0x000000);
        }
    }

    @Test
    void decodesJpegCloseToTheOriginal() throws Exception {
        RgbImage original = TestImages.filled(40, 24, 0x3366CC);
        RgbImage decoded = decoder.decode(ImageEncoder.jpeg(original, 0.95f));
        assertThat(decoded.width()).isEqualTo(40);
        assertThat(decoded.height()).isEqualTo(24);
        assertThat(decoded.get(20, 12, 0)).isBetween(0x33 - 4, 0x33 + 4);
        assertThat(decoded.get(20, 12, 1)).isBetween(0x66 - 4, 0x66 + 4);
        assertThat(decoded.get(20, 12, 2)).isBetween(0xCC - 4, 0xCC + 4);
    }

    @Test
    void grayscalePngKeepsStoredValuesInsteadOfGammaCorrecting() throws Exception {
        BufferedImage gray = new BufferedImage(5, 3, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(2, 1, 0, 100);
        RgbImage decoded = decoder.decode(TestImages.write(gray, "png"));
        assertThat(decoded.getRgb(2, 1)).isEqualTo(0x646464);
        assertThat(decoded.getRgb(0, 0)).isEqualTo(0x000000);
    }

    @Test
    void grayscaleJpegIsReplicatedToThreeChannels() throws Exception {
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                gray.getRaster().setSample(x, y, 0, 150);
            }
        }
        RgbImage decoded = decoder.decode(TestImages.write(gray, "jpeg"));
        int r = decoded.get(8, 8, 0);
        assertThat(r).isBetween(147, 153);
        assertThat(decoded.get(8, 8, 1)).isEqualTo(r);
        assertThat(decoded.get(8, 8, 2)).isEqualTo(r);
    }

    @Test
    void sixteenBitGrayPngIsRoundedToEightBits() throws Exception {
        BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(1, 1, 0, 0x8080); // 32896 / 257 = 128
        gray.getRaster().setSample(2, 2, 0, 65535);
        RgbImage decoded = decoder.decode(TestImages.write(gray, "png"));
        assertThat(decoded.getRgb(1, 1)).isEqualTo(0x808080);
        assertThat(decoded.getRgb(2, 2)).isEqualTo(0xFFFFFF);
    }

    @Test
    void sixteenBitRgbPngIsRoundedToEightBits() throws Exception {
        ComponentColorModel cm =
                new ComponentColorModel(
                        ColorSpace.getInstance(ColorSpace.CS_sRGB),
                        false,
                        false,
                        Transparency.OPAQUE,
                        DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(3, 2);
        raster.setPixel(0, 0, new int[] {65535, 0, 0x8080});
        raster.setPixel(2, 1, new int[] {257 * 10, 257 * 20, 257 * 30});
        BufferedImage image = new BufferedImage(cm, raster, false, null);
        RgbImage decoded = decoder.decode(TestImages.write(image, "png"));
        assertThat(decoded.getRgb(0, 0)).isEqualTo(0xFF0080);
        assertThat(decoded.getRgb(2, 1)).isEqualTo(0x0A141E);
    }

    @Test
    void alphaIsDroppedNotComposited() throws Exception {
        BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x000A141E); // fully transparent, colour kept
        argb.setRGB(1, 1, 0x80FF0000);
        RgbImage decoded = decoder.decode(TestImages.write(argb, "png"));
        assertThat(decoded.getRgb(0, 0)).isEqualTo(0x0A141E);
        assertThat(decoded.getRgb(1, 1)).isEqualTo(0xFF0000);
    }

    @Test
    void grayWithAlphaPngKeepsTheGray() throws Exception {
        ComponentColorModel cm =
                new ComponentColorModel(
                        ColorSpace.getInstance(ColorSpace.CS_GRAY),
                        true,
                        false,
                        Transparency.TRANSLUCENT,
                        DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(1, 0, new int[] {77, 0});
        RgbImage decoded =
                decoder.decode(TestImages.write(new BufferedImage(cm, raster, false, null), "png"));
        assertThat(decoded.getRgb(1, 0)).isEqualTo(0x4D4D4D);
    }

    @Test
    void palettePngUsesThePalette() throws Exception {
        IndexColorModel palette =
                new IndexColorModel(
                        2, 2, new byte[] {(byte) 200, 5}, new byte[] {100, 6}, new byte[] {50, 7});
        BufferedImage indexed = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        indexed.getRaster().setSample(2, 0, 0, 1);
        RgbImage decoded = decoder.decode(TestImages.write(indexed, "png"));
        assertThat(decoded.getRgb(0, 0)).isEqualTo(0xC86432);
        assertThat(decoded.getRgb(2, 0)).isEqualTo(0x050607);
    }

    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        byte[] cmyk;
        try (InputStream in = getClass().getResourceAsStream("/image/cmyk.jpg")) {
            cmyk = in.readAllBytes();
        }
        RgbImage decoded = decoder.decode(cmyk);
        assertThat(decoded.width()).isEqualTo(32);
        assertThat(decoded.height()).isEqualTo(16);
        // Left half red, right half blue (the colour profile shifts hues a little).
        assertThat(decoded.get(4, 8, 0)).isGreaterThan(180);
        assertThat(decoded.get(4, 8, 2)).isLessThan(90);
        assertThat(decoded.get(28, 8, 2)).isGreaterThan(120);
        assertThat(decoded.get(28, 8, 0)).isLessThan(90);
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        // 32x16: left half red, right half blue. Orientation 6 = rotate 90° clockwise, so the
        // upright image is 16x32 with red on top.
        RgbImage stored = TestImages.filled(32, 16, 0xFF0000);
        for (int y = 0; y < 16; y++) {
            for (int x = 16; x < 32; x++) {
                stored.setRgb(x, y, 0x0000FF);
            }
        }
        byte[] jpeg = withExifOrientation(ImageEncoder.jpeg(stored, 0.95f), 6);
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(6);

        RgbImage upright = decoder.decode(jpeg);
        assertThat(upright.width()).isEqualTo(16);
        assertThat(upright.height()).isEqualTo(32);
        assertThat(upright.get(8, 4, 0)).isGreaterThan(200);
        assertThat(upright.get(8, 28, 2)).isGreaterThan(200);
    }

    @Test
    void littleEndianExifIsRead() {
        byte[] jpeg = withExifOrientation(ImageEncoder.jpeg(RgbImage.blank(8, 8), 0.9f), 8, false);
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(8);
    }

    @Test
    void malformedExifIsIgnored() throws Exception {
        byte[] jpeg = withExifOrientation(ImageEncoder.jpeg(RgbImage.blank(8, 4), 0.9f), 6);
        // Point IFD0 far outside the segment.
        int tiff = indexOf(jpeg, "Exif".getBytes(StandardCharsets.US_ASCII)) + 6;
        jpeg[tiff + 4] = 0x7F;
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(ExifOrientation.NORMAL);
        assertThat(decoder.decode(jpeg).width()).isEqualTo(8);
    }

    @Test
    void emptyFileIsRejected() {
        assertThatThrownBy(() -> decoder.decode(new byte[0]))
                .isInstanceOf(InvalidImageException.class)
                .hasMessage("empty file (0 bytes)");
    }

    @Test
    void textFileIsRejectedNamingWhatItStartsWith() {
        byte[] text = "species;count\n1;2\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> decoder.decode(text))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("not an image in a supported format")
                .hasMessageContaining("species;");
    }

    @Test
    void truncatedJpegIsCorruptNotGreyFilled() {
        byte[] jpeg = ImageEncoder.jpeg(TestImages.gradient(64, 64), 0.9f);
        byte[] truncated = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertThatThrownBy(() -> decoder.decode(truncated))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("corrupt JPEG");
    }

    @Test
    void jpegWithGarbageAfterTheHeaderIsCorrupt() {
        byte[] jpeg = ImageEncoder.jpeg(TestImages.gradient(64, 64), 0.9f);
        for (int i = 20; i < jpeg.length - 2; i++) {
            jpeg[i] = (byte) (i * 31);
        }
        assertThatThrownBy(() -> decoder.decode(jpeg))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("corrupt JPEG");
    }

    @Test
    void onlyWarningsAboutMissingOrGarbledDataAreFatal() {
        assertThat(ImageDecoder.isFatal("Premature end of JPEG file")).isTrue();
        assertThat(ImageDecoder.isFatal("Corrupt JPEG data: bad Huffman code")).isTrue();
        assertThat(
                        ImageDecoder.isFatal(
                                "Corrupt JPEG data: 12 extraneous bytes before marker 0xd9"))
                .isFalse();
        assertThat(
                        ImageDecoder.isFatal(
                                "No embedded ICC color profile, will convert using"
                                        + " inaccurate CMYK to RGB conversion"))
                .isFalse();
        assertThat(ImageDecoder.isFatal("Unknown APP15 marker ignored")).isFalse();
    }

    @Test
    void decompressionBombIsRefusedBeforeDecoding() {
        byte[] bomb = pngHeaderOnly(20_000, 20_000);
        assertThatThrownBy(() -> decoder.decode(bomb))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("20000x20000 = 400.0 MP, over the limit of 100.0 MP");
    }

    @Test
    void pixelBudgetIsConfigurable() {
        byte[] png = ImageEncoder.png(RgbImage.blank(20, 20));
        assertThatThrownBy(() -> new ImageDecoder(399).decode(png))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("over the limit");
    }

    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        return withExifOrientation(jpeg, orientation, true);
    }

    static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean bigEndian) {
        return BadInputs.withExifOrientation(jpeg, orientation, bigEndian);
    }

    private static byte[] pngHeaderOnly(int width, int height) {
        return BadInputs.pngHeaderOnly(width, height);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }
}
