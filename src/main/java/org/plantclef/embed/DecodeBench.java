package org.plantclef.embed;

import java.util.List;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;
import org.plantclef.image.Tile;

/**
 * What the tile stage costs per plot photo: decoding the JPEG, and cutting every grid's tiles and
 * reducing each to the model's square ({@link TileFunction}'s work, nothing else), timed apart.
 */
public final class DecodeBench {

    /** Milliseconds per photo, averaged over every photo measured. */
    public record Row(int photos, int tilesPerPhoto, double decodeMillis, double tileMillis) {
        public double totalMillis() {
            return decodeMillis + tileMillis;
        }
    }

    private DecodeBench() {}

    /**
     * Decodes and tiles {@code jpegs} in turn, once to warm the JIT up and then until {@code
     * minSeconds} have passed.
     */
    public static Row measure(List<byte[]> jpegs, int[] grids, int imageSize, double minSeconds)
            throws InvalidImageException {
        ImageDecoder decoder = new ImageDecoder();
        Preprocessor preprocessor = new Preprocessor(imageSize);
        int tiles = 0;
        for (byte[] jpeg : jpegs) {
            tiles = TileFunction.squares(decoder.decode(jpeg), grids, preprocessor).size();
        }
        long decodeNanos = 0;
        long tileNanos = 0;
        int photos = 0;
        long checksum = 0;
        while (decodeNanos + tileNanos < minSeconds * 1e9 || photos < jpegs.size()) {
            byte[] jpeg = jpegs.get(photos % jpegs.size());
            long t0 = System.nanoTime();
            RgbImage decoded = decoder.decode(jpeg);
            long t1 = System.nanoTime();
            List<Tile> squares = TileFunction.squares(decoded, grids, preprocessor);
            long t2 = System.nanoTime();
            decodeNanos += t1 - t0;
            tileNanos += t2 - t1;
            checksum += squares.get(squares.size() - 1).image().rgb()[0];
            photos++;
        }
        if (checksum == Long.MIN_VALUE) {
            // Never true; keeps the JIT from discarding the squares.
            throw new AssertionError();
        }
        return new Row(photos, tiles, decodeNanos / 1e6 / photos, tileNanos / 1e6 / photos);
    }
}
