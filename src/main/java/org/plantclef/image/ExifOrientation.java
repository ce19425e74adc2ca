package org.plantclef.image;

/**
 * Reads the EXIF orientation tag of a JPEG and applies it, as {@code PIL.ImageOps.exif_transpose}
 * does: cameras store the sensor's pixels and record how to turn them upright.
 */
public final class ExifOrientation {

    /** Orientation 1: the pixels are stored upright. */
    public static final int NORMAL = 1;

    private static final int TAG_ORIENTATION = 0x0112;

    private ExifOrientation() {}

    /**
     * The EXIF orientation (1..8) of a JPEG, or {@link #NORMAL} when there is none or the EXIF
     * block is malformed (a bad EXIF block never makes an otherwise good image unusable).
     */
    public static int read(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return NORMAL;
        }
        int pos = 2;
        while (pos + 4 <= jpeg.length) {
            if ((jpeg[pos] & 0xFF) != 0xFF) {
                return NORMAL;
            }
            int marker = jpeg[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan / end of image: no more headers
                return NORMAL;
            }
            int length = u16(jpeg, pos + 2, true);
            if (length < 2 || pos + 2 + length > jpeg.length) {
                return NORMAL;
            }
            int payload = pos + 4;
            if (marker == 0xE1
                    && length >= 8
                    && jpeg[payload] == 'E'
                    && jpeg[payload + 1] == 'x'
                    && jpeg[payload + 2] == 'i'
                    && jpeg[payload + 3] == 'f'
                    && jpeg[payload + 4] == 0
                    && jpeg[payload + 5] == 0) {
                return fromTiff(jpeg, payload + 6, pos + 2 + length);
            }
            pos += 2 + length;
        }
        return NORMAL;
    }

    private static int fromTiff(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return NORMAL;
        }
        boolean bigEndian;
        if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            bigEndian = true;
        } else if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            bigEndian = false;
        } else {
            return NORMAL;
        }
        if (u16(b, tiff + 2, bigEndian) != 42) {
            return NORMAL;
        }
        long ifd = u32(b, tiff + 4, bigEndian);
        if (ifd < 8 || tiff + ifd + 2 > end) {
            return NORMAL;
        }
        int entries = u16(b, (int) (tiff + ifd), bigEndian);
        for (int i = 0; i < entries; i++) {
            int entry = (int) (tiff + ifd + 2 + 12L * i);
            if (entry + 12 > end) {
                return NORMAL;
            }
            if (u16(b, entry, bigEndian) == TAG_ORIENTATION) {
                int type = u16(b, entry + 2, bigEndian);
                int value = type == 3 ? u16(b, entry + 8, bigEndian) : b[entry + 8] & 0xFF;
                return value >= 1 && value <= 8 ? value : NORMAL;
            }
        }
        return NORMAL;
    }

    /**
     * Turns {@code image} upright according to {@code orientation}: 2 mirror, 3 rotate 180°, 4
     * flip, 5 transpose, 6 rotate 90° clockwise, 7 transverse, 8 rotate 90° counter-clockwise.
     */
    public static RgbImage apply(RgbImage image, int orientation) {
        if (orientation <= NORMAL || orientation > 8) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        boolean swap = orientation >= 5;
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        RgbImage out = RgbImage.blank(outW, outH);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> { // 8
                        sx = w - 1 - y;
                        sy = x;
                    }
                }
                out.setRgb(x, y, image.getRgb(sx, sy));
            }
        }
        return out;
    }

    private static int u16(byte[] b, int i, boolean bigEndian) {
        int b0 = b[i] & 0xFF;
        int b1 = b[i + 1] & 0xFF;
        return bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0;
    }

    private static long u32(byte[] b, int i, boolean bigEndian) {
        long hi = u16(b, bigEndian ? i : i + 2, bigEndian);
        long lo = u16(b, bigEndian ? i + 2 : i, bigEndian);
        return (hi << 16) | lo;
    }
}
