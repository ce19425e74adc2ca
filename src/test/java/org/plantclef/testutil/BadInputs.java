package org.plantclef.testutil;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.RgbImage;

/**
 * A generated corpus of the files real photo collections contain: valid images in every shape the
 * decoder must accept (alpha, 16-bit, palette and grayscale PNGs, CMYK, progressive and
 * EXIF-rotated JPEGs, 1×1 and 10×100000 images) and broken ones it must refuse (truncations at many
 * cut points, random bytes, empty files, other formats under image extensions, decompression
 * bombs). Each case says what the decoder makes of it, so that a job's outputs and dead letters can
 * be reconciled against it.
 */
public final class BadInputs {

    private BadInputs() {}

    /**
     * One file of the corpus.
     *
     * @param width the decoded (upright) width, or -1 when the bytes must be refused
     */
    public record ImageCase(String name, byte[] data, int width, int height) {

        /** Whether the decoder must accept it. */
        public boolean decodes() {
            return width > 0;
        }

        /** Whether it decodes and can be cut into an n×n grid (a tile needs a pixel a side). */
        public boolean tiles(int n) {
            return decodes() && width >= n && height >= n;
        }

        /** The file name without extension: the plot id when the file is a plot photo. */
        public String stem() {
            return name.substring(0, name.lastIndexOf('.'));
        }

        @Override
        public String toString() {
            return name
                    + " ("
                    + data.length
                    + " bytes, "
                    + (decodes() ? width + "x" + height : "bad")
                    + ")";
        }
    }

    /** Every case: {@link #validImages()} then {@link #invalidImages()}. */
    public static List<ImageCase> images() {
        List<ImageCase> all = new ArrayList<>(validImages());
        all.addAll(invalidImages());
        return all;
    }

    /** Images the decoder must accept, in every encoding real collections hold. */
    public static List<ImageCase> validImages() {
        List<ImageCase> cases = new ArrayList<>();
        RgbImage noise = noise(96, 64, 1);
        cases.add(new ImageCase("jpeg-baseline.jpg", ImageEncoder.jpeg(noise, 0.9f), 96, 64));
        cases.add(new ImageCase("jpeg-progressive.jpg", progressiveJpeg(noise), 96, 64));
        cases.add(
                new ImageCase(
                        "jpeg-exif-rotated.jpg",
                        withExifOrientation(ImageEncoder.jpeg(noise, 0.9f), 6, true),
                        64,
                        96));
        cases.add(new ImageCase("jpeg-cmyk.jpg", resource("/image/cmyk.jpg"), 32, 16));
        cases.add(
                new ImageCase(
                        "jpeg-gray.jpg",
                        write(typed(noise, BufferedImage.TYPE_BYTE_GRAY), "jpeg"),
                        96,
                        64));
        cases.add(new ImageCase("png-rgb.png", ImageEncoder.png(noise), 96, 64));
        cases.add(
                new ImageCase(
                        "png-alpha.png",
                        write(typed(noise, BufferedImage.TYPE_INT_ARGB), "png"),
                        96,
                        64));
        cases.add(
                new ImageCase(
                        "png-gray.png",
                        write(typed(noise, BufferedImage.TYPE_BYTE_GRAY), "png"),
                        96,
                        64));
        cases.add(
                new ImageCase(
                        "png-gray16.png",
                        write(typed(noise, BufferedImage.TYPE_USHORT_GRAY), "png"),
                        96,
                        64));
        cases.add(new ImageCase("png-rgb16.png", write(rgb16(noise), "png"), 96, 64));
        cases.add(
                new ImageCase(
                        "png-palette.png",
                        write(typed(noise, BufferedImage.TYPE_BYTE_INDEXED), "png"),
                        96,
                        64));
        cases.add(new ImageCase("gif-palette.gif", write(typed(noise, 0), "gif"), 96, 64));
        cases.add(
                new ImageCase(
                        "bmp-rgb.bmp",
                        write(typed(noise, BufferedImage.TYPE_3BYTE_BGR), "bmp"),
                        96,
                        64));
        // Cut just before its IEND chunk, a PNG still holds every pixel: PIL and the JDK read it.
        byte[] png = ImageEncoder.png(noise);
        cases.add(new ImageCase("png-no-iend.png", Arrays.copyOf(png, png.length - 12), 96, 64));
        cases.add(new ImageCase("png-1x1.png", ImageEncoder.png(noise(1, 1, 2)), 1, 1));
        cases.add(new ImageCase("jpeg-2x2.jpg", ImageEncoder.jpeg(noise(2, 2, 3), 0.9f), 2, 2));
        cases.add(
                new ImageCase(
                        "png-10x100000.png", ImageEncoder.png(noise(10, 100_000, 4)), 10, 100_000));
        return cases;
    }

    /** Files the decoder must refuse, each for a reason real uploads have. */
    public static List<ImageCase> invalidImages() {
        List<ImageCase> cases = new ArrayList<>();
        byte[] jpeg = ImageEncoder.jpeg(noise(96, 64, 5), 0.9f);
        // Truncated downloads: inside the headers, at many points in the entropy-coded data, and
        // just before the end-of-image marker.
        int[] jpegCuts = {2, 20, 100, 300};
        for (int cut : jpegCuts) {
            cases.add(bad("jpeg-cut-" + cut + ".jpg", Arrays.copyOf(jpeg, cut)));
        }
        for (int k = 1; k <= 12; k++) {
            int cut = (int) ((long) jpeg.length * k / 13);
            cases.add(bad("jpeg-cut-" + cut + ".jpg", Arrays.copyOf(jpeg, cut)));
        }
        cases.add(bad("jpeg-cut-eoi.jpg", Arrays.copyOf(jpeg, jpeg.length - 2)));
        byte[] progressive = progressiveJpeg(noise(96, 64, 6));
        for (int k = 1; k <= 4; k++) {
            int cut = progressive.length * k / 5;
            cases.add(bad("jpeg-progressive-cut-" + cut + ".jpg", Arrays.copyOf(progressive, cut)));
        }
        byte[] png = ImageEncoder.png(noise(96, 64, 7));
        for (int cut : new int[] {8, 30, png.length / 3, png.length * 2 / 3, png.length - 30}) {
            cases.add(bad("png-cut-" + cut + ".png", Arrays.copyOf(png, cut)));
        }
        // Random bytes, bare and behind each format's magic number.
        Random random = new Random(42);
        for (int i = 0; i < 3; i++) {
            cases.add(bad("random-" + i + ".jpg", bytes(random, 100 + 1000 * i)));
        }
        cases.add(bad("random-jpeg-magic.jpg", magic(bytes(random, 2000), 0xFF, 0xD8, 0xFF)));
        cases.add(
                bad(
                        "random-png-magic.png",
                        magic(bytes(random, 2000), 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n')));
        cases.add(bad("random-gif-magic.gif", magic(bytes(random, 2000), 'G', 'I', 'F', '8', '9')));
        cases.add(bad("empty.jpg", new byte[0]));
        // Other files under image names.
        cases.add(bad("text.jpg", ascii("species_id;image_name\n1;a.jpg\n")));
        cases.add(bad("html.png", ascii("<!DOCTYPE html><html><body>Not found</body></html>")));
        cases.add(bad("pdf.jpg", ascii("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")));
        cases.add(bad("zip.jpg", magic(bytes(random, 300), 'P', 'K', 3, 4)));
        cases.add(bad("parquet.png", magic(bytes(random, 300), 'P', 'A', 'R', '1')));
        // Decompression bombs: small files whose headers declare gigapixels.
        cases.add(bad("bomb-png.png", pngHeaderOnly(100_000, 100_000)));
        cases.add(bad("bomb-jpeg.jpg", withSofSize(jpeg, 65_000, 65_000)));
        cases.add(bad("bomb-bmp.bmp", withBmpSize(write(typed(noise(8, 8, 8), 5), "bmp"))));
        return cases;
    }

    private static ImageCase bad(String name, byte[] data) {
        return new ImageCase(name, data, -1, -1);
    }

    /** Deterministic noise, so that JPEG and PNG data are long enough to cut at many points. */
    public static RgbImage noise(int w, int h, long seed) {
        RgbImage image = RgbImage.blank(w, h);
        Random random = new Random(seed);
        random.nextBytes(image.rgb());
        return image;
    }

    private static BufferedImage typed(RgbImage image, int type) {
        BufferedImage rgb = ImageEncoder.toBufferedImage(image);
        if (type == 0 || type == 5) {
            type = BufferedImage.TYPE_INT_RGB;
        }
        BufferedImage out = new BufferedImage(image.width(), image.height(), type);
        out.getGraphics().drawImage(rgb, 0, 0, null);
        return out;
    }

    private static BufferedImage rgb16(RgbImage image) {
        ComponentColorModel cm =
                new ComponentColorModel(
                        ColorSpace.getInstance(ColorSpace.CS_sRGB),
                        false,
                        false,
                        Transparency.OPAQUE,
                        DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(image.width(), image.height());
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int rgb = image.getRgb(x, y);
                raster.setPixel(
                        x,
                        y,
                        new int[] {
                            ((rgb >> 16) & 0xFF) * 257,
                            ((rgb >> 8) & 0xFF) * 257,
                            (rgb & 0xFF) * 257
                        });
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    private static byte[] progressiveJpeg(RgbImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.setOutput(stream);
            writer.write(
                    null, new IIOImage(ImageEncoder.toBufferedImage(image), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** {@code image} written by the JDK's writer for {@code format}. */
    public static byte[] write(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String name) {
        try (InputStream in = BadInputs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] magic(byte[] data, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            data[i] = (byte) prefix[i];
        }
        return data;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Inserts an APP1 EXIF segment holding only the orientation tag right after SOI. */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean bigEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        tiff.put(bigEndian ? (byte) 'M' : (byte) 'I').put(bigEndian ? (byte) 'M' : (byte) 'I');
        tiff.putShort((short) 42).putInt(8); // header, IFD0 at 8
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // orientation, SHORT, 1
        tiff.putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = new byte[6 + tiff.capacity()];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, exif, 0, 6);
        System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write((exif.length + 2) >> 8);
        out.write((exif.length + 2) & 0xFF);
        out.write(exif, 0, exif.length);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A PNG signature and IHDR chunk only: a header that claims a huge image. */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    /** {@code jpeg} with the frame header (SOF0) declaring {@code width}×{@code height}. */
    static byte[] withSofSize(byte[] jpeg, int width, int height) {
        byte[] out = jpeg.clone();
        for (int i = 2; i + 8 < out.length; i++) {
            if ((out[i] & 0xFF) == 0xFF && (out[i + 1] & 0xFF) == 0xC0) {
                out[i + 5] = (byte) (height >> 8);
                out[i + 6] = (byte) height;
                out[i + 7] = (byte) (width >> 8);
                out[i + 8] = (byte) width;
                return out;
            }
        }
        throw new IllegalArgumentException("no SOF0 marker");
    }

    /** A BMP whose header declares 50000×50000 pixels (2.5 GP) over its few real bytes. */
    private static byte[] withBmpSize(byte[] bmp) {
        byte[] out = bmp.clone();
        ByteBuffer.wrap(out, 18, 8).order(ByteOrder.LITTLE_ENDIAN).putInt(50_000).putInt(50_000);
        return out;
    }
}
