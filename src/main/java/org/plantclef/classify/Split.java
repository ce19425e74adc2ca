package org.plantclef.classify;

import java.nio.charset.StandardCharsets;

/**
 * The train/validation split: a seeded hash of {@code image_name}, so an image always lands on the
 * same side for a seed, whichever order or parallelism it arrives with.
 */
public final class Split {

    private Split() {}

    /** Whether {@code imageName} goes to validation, for a validation share {@code fraction}. */
    public static boolean isValidation(String imageName, long seed, double fraction) {
        return unit(imageName, seed) < fraction;
    }

    /** A value in [0, 1) from a 64-bit FNV-1a hash of the name mixed with the seed. */
    static double unit(String imageName, long seed) {
        long h = 0xcbf29ce484222325L ^ (seed * 0x9E3779B97F4A7C15L);
        for (byte b : imageName.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        // Final avalanche (splitmix64), then the top 53 bits as a double.
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }
}
