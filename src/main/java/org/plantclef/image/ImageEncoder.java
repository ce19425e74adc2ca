package org.plantclef.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encodes {@link RgbImage}s as JPEG or PNG bytes with the JDK's writers. */
public final class ImageEncoder {

    private ImageEncoder() {}

    /** JPEG at {@code quality} in (0, 1]. */
    public static byte[] jpeg(RgbImage image, float quality) {
        if (!(quality > 0 && quality <= 1)) {
            throw new IllegalArgumentException("JPEG quality must be in (0, 1], was " + quality);
        }
        ImageWriter writer = createWriter(Writers.JPEG);
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            return write(writer, image, param);
        } finally {
            writer.dispose();
        }
    }

    /** Lossless PNG. */
    public static byte[] png(RgbImage image) {
        ImageWriter writer = createWriter(Writers.PNG);
        try {
            return write(writer, image, writer.getDefaultWriteParam());
        } finally {
            writer.dispose();
        }
    }

    /** A {@code TYPE_3BYTE_BGR} copy of {@code image}, for Java2D and the JDK's writers. */
    public static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage out =
                new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return out;
    }

    private static ImageWriter createWriter(ImageWriterSpi provider) {
        try {
            return provider.createWriterInstance();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + provider.getDescription(null), e);
        }
    }

    /** The JDK's writers, by class name: see {@link JdkImageIO}. */
    private static final class Writers {
        static final ImageWriterSpi JPEG =
                JdkImageIO.writer("com.sun.imageio.plugins.jpeg.JPEGImageWriterSpi");
        static final ImageWriterSpi PNG =
                JdkImageIO.writer("com.sun.imageio.plugins.png.PNGImageWriterSpi");
    }

    private static byte[] write(ImageWriter writer, RgbImage image, ImageWriteParam param) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // In memory: ImageIO's default stream caches through a temporary file.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(toBufferedImage(image), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + image + " failed", e);
        }
        return bytes.toByteArray();
    }
}
