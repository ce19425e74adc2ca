package org.plantclef.record;

import javax.annotation.Nullable;

/**
 * What a reader made of one input row: an image, or the dead letter saying why there is none.
 * Exactly one of the two is set.
 */
public record ReadResult(@Nullable ImageRecord image, @Nullable DeadLetter deadLetter) {

    public static ReadResult of(ImageRecord image) {
        return new ReadResult(image, null);
    }

    public static ReadResult refused(DeadLetter deadLetter) {
        return new ReadResult(null, deadLetter);
    }
}
