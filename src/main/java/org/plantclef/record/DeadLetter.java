package org.plantclef.record;

import javax.annotation.Nullable;

/**
 * A record the pipeline could not use, with why. Written to the dead-letter output, never dropped.
 *
 * @param source the file (and, for tables, row) the record came from
 * @param stage the operator that refused it ({@code read}, {@code decode}, {@code metadata}, ...)
 * @param reason a sentence a user can act on
 * @param timestampMillis when it was refused
 * @param payload the refused record itself when it is small text worth replaying as it was (an
 *     upload event), else null
 */
public record DeadLetter(
        String source,
        String stage,
        String reason,
        long timestampMillis,
        @Nullable String payload) {

    public static DeadLetter of(String source, String stage, String reason) {
        return of(source, stage, reason, null);
    }

    public static DeadLetter of(
            String source, String stage, String reason, @Nullable String payload) {
        return new DeadLetter(source, stage, reason, System.currentTimeMillis(), payload);
    }
}
