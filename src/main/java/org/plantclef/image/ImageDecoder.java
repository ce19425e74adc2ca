package org.plantclef.image;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ServiceRegistry;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes JPEG and PNG (and whatever else the JDK reads: GIF, BMP) into {@link RgbImage}.
 *
 * <p>Grayscale is replicated to three channels, alpha is dropped (as PIL's {@code convert("RGB")}
 * does), 16-bit samples are rounded to 8 bits, CMYK/YCCK JPEGs are converted (the JDK's own reader
 * refuses them, so JPEGs go through TwelveMonkeys'), and the EXIF orientation of a JPEG is applied.
 * Before any pixel is decoded the header's size is checked against a pixel budget, so a
 * decompression bomb is refused instead of exhausting the heap. A decoder warning (a truncated
 * JPEG, say) counts as corruption: the JDK would otherwise fill the missing rows with grey.
 *
 * <p>Readers are created directly from their providers rather than looked up in the JVM-wide {@link
 * IIORegistry}, whose plugin scan does not see a Flink job's user class loader.
 */
public final class ImageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

    /** The default pixel budget: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final long maxPixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** The image format named by the first bytes of {@code data}. */
    public enum Format {
        JPEG,
        PNG,
        OTHER
    }

    public static Format sniff(byte[] data) {
        if (data.length >= 3
                && (data[0] & 0xFF) == 0xFF
                && (data[1] & 0xFF) == 0xD8
                && (data[2] & 0xFF) == 0xFF) {
            return Format.JPEG;
        }
        if (data.length >= PNG_MAGIC.length) {
            boolean png = true;
            for (int i = 0; i < PNG_MAGIC.length && png; i++) {
                png = data[i] == PNG_MAGIC[i];
            }
            if (png) {
                return Format.PNG;
            }
        }
        return Format.OTHER;
    }

    /**
     * Decodes {@code data}.
     *
     * @throws InvalidImageException with the reason, when the bytes are not a usable image
     */
    public RgbImage decode(byte[] data) throws InvalidImageException {
        if (data == null || data.length == 0) {
            throw new InvalidImageException("empty file (0 bytes)");
        }
        Format format = sniff(data);
        RgbImage image;
        try (ImageInputStream in =
                new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(format, in);
            if (reader == null) {
                throw new InvalidImageException(
                        "not an image in a supported format (JPEG, PNG, GIF, BMP); file starts with "
                                + describeStart(data));
            }
            try {
                image = read(reader, in, format);
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders signal bad data with IIOException and, as often, with runtime exceptions
            // (array index, illegal state); either way the bytes are not a usable image.
            throw new InvalidImageException(
                    "corrupt " + formatName(format) + ": " + describe(e), e);
        }
        if (format == Format.JPEG) {
            image = ExifOrientation.apply(image, ExifOrientation.read(data));
        }
        return image;
    }

    private RgbImage read(ImageReader reader, ImageInputStream in, Format format)
            throws IOException, InvalidImageException {
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener(
                (source, warning) -> {
                    if (isFatal(warning)) {
                        warnings.add(warning);
                    } else {
                        LOG.debug("Ignoring decoder warning: {}", warning);
                    }
                });
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
            throw new InvalidImageException(
                    formatName(format) + " header declares an empty image " + width + "x" + height);
        }
        if (width * height > maxPixels) {
            throw new InvalidImageException(
                    String.format(
                            "image is %dx%d = %.1f MP, over the limit of %.1f MP"
                                    + " (a possible decompression bomb; raise max-pixels to accept it)",
                            width, height, width * height / 1e6, maxPixels / 1e6));
        }
        BufferedImage decoded = reader.read(0);
        if (!warnings.isEmpty()) {
            throw new InvalidImageException(
                    "corrupt " + formatName(format) + ": " + String.join("; ", warnings));
        }
        return toRgb(decoded);
    }

    /**
     * Whether a decoder warning means pixels are missing or garbage: a premature end of data (the
     * JDK fills the rest with grey), a truncated stream, undecodable entropy-coded data. Other
     * warnings (colour profiles, unknown markers, stray bytes libjpeg skips) leave a usable image,
     * as PIL accepts it too.
     */
    static boolean isFatal(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("premature end")
                || w.contains("truncat")
                || w.contains("huffman")
                || (w.contains("corrupt") && !w.contains("extraneous bytes"));
    }

    private static ImageReader readerFor(Format format, ImageInputStream in) throws IOException {
        switch (format) {
            case JPEG:
                return Providers.JPEG.createReaderInstance();
            case PNG:
                return Providers.PNG.createReaderInstance();
            default:
                for (ImageReaderSpi provider : Providers.OTHERS) {
                    if (provider.canDecodeInput(in)) {
                        return provider.createReaderInstance();
                    }
                }
                return null;
        }
    }

    /** Converts any decoded image to 8-bit RGB without colour management surprises. */
    static RgbImage toRgb(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR
                && raster.getDataBuffer() instanceof DataBufferByte buffer
                && raster.getParent() == null
                && buffer.getNumBanks() == 1
                && buffer.getOffset() == 0
                && buffer.getData().length == w * h * 3) {
            // Every decoded JPEG: swap blue and red in the decoder's own array, which nothing
            // else holds, and keep it. A copy would allocate and fill a second 27 MB for a
            // 3000x3000 photo (a fifth of its decode time).
            byte[] bgr = buffer.getData();
            for (int i = 0; i < bgr.length; i += 3) {
                byte blue = bgr[i];
                bgr[i] = bgr[i + 2];
                bgr[i + 2] = blue;
            }
            return new RgbImage(w, h, bgr);
        }
        byte[] out = new byte[w * h * 3];
        if (cm instanceof ComponentColorModel
                && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // Java treats gray as linear light and would brighten it through getRGB(); PIL (and
            // every user) expects the stored value replicated.
            int max = (1 << cm.getComponentSize(0)) - 1;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) scale(row[x], max);
                    int i = (y * w + x) * 3;
                    out[i] = v;
                    out[i + 1] = v;
                    out[i + 2] = v;
                }
            }
        } else if (cm instanceof ComponentColorModel
                && cm.getColorSpace().getType() == ColorSpace.TYPE_RGB
                && cm.getNumColorComponents() == 3) {
            int[] row = new int[w];
            for (int c = 0; c < 3; c++) {
                int max = (1 << cm.getComponentSize(c)) - 1;
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, c, row);
                    for (int x = 0; x < w; x++) {
                        out[(y * w + x) * 3 + c] = (byte) scale(row[x], max);
                    }
                }
            }
        } else {
            // Packed RGB, palettes and everything converted by the reader itself (CMYK JPEGs):
            // getRGB is exact for these.
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int i = (y * w + x) * 3;
                    out[i] = (byte) (row[x] >>> 16);
                    out[i + 1] = (byte) (row[x] >>> 8);
                    out[i + 2] = (byte) row[x];
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static int scale(int value, int max) {
        return max == 255 ? value : (int) ((value * 255L + max / 2) / max);
    }

    private static String formatName(Format format) {
        return format == Format.OTHER ? "image" : format.name();
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank()
                ? e.getClass().getSimpleName()
                : message
                        + (e instanceof IOException
                                ? ""
                                : " (" + e.getClass().getSimpleName() + ")");
    }

    private static String describeStart(byte[] data) {
        int n = Math.min(data.length, 8);
        StringBuilder hex = new StringBuilder();
        boolean printable = true;
        for (int i = 0; i < n; i++) {
            int b = data[i] & 0xFF;
            hex.append(String.format("%02x", b)).append(i + 1 < n ? " " : "");
            printable &= b >= 0x20 && b < 0x7F || b == '\n' || b == '\r' || b == '\t';
        }
        if (printable) {
            String text = new String(data, 0, n, StandardCharsets.US_ASCII).replaceAll("\\s", " ");
            return "bytes " + hex + " (text \"" + text + "\")";
        }
        return "bytes " + hex;
    }

    /** The reader providers we use, resolved once from the JDK's built-ins. */
    private static final class Providers {
        static final ImageReaderSpi PNG =
                JdkImageIO.reader("com.sun.imageio.plugins.png.PNGImageReaderSpi");
        static final ImageReaderSpi JPEG = twelveMonkeysJpeg();
        static final List<ImageReaderSpi> OTHERS = JdkImageIO.readers();

        /**
         * TwelveMonkeys' JPEG reader wraps the JDK's; it finds it when registered, so register both
         * in a private registry instead of the JVM-wide one.
         */
        private static ImageReaderSpi twelveMonkeysJpeg() {
            ServiceRegistry registry =
                    new ServiceRegistry(List.<Class<?>>of(ImageReaderSpi.class).iterator());
            registry.registerServiceProvider(
                    JdkImageIO.reader("com.sun.imageio.plugins.jpeg.JPEGImageReaderSpi"),
                    ImageReaderSpi.class);
            JPEGImageReaderSpi spi = new JPEGImageReaderSpi();
            registry.registerServiceProvider(spi, ImageReaderSpi.class);
            return spi;
        }
    }
}
