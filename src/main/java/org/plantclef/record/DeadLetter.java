package org.plantclef.record;

/**
 * A record the pipeline could not use, with why. Written to the dead-letter output, never dropped.
 *
 * @param source the file (and, for tables, row) the record came from
 * @param stage the operator that refused it ({@code read}, {@code decode}, {@code metadata}, ...)
 * @param reason a sentence a user can act on
 * @param timestampMillis when it was refused
 */
public record DeadLetter(String source, String stage, String reason, long timestampMillis) {

    public static DeadLetter of(String source, String stage, String reason) {
        return new DeadLetter(source, stage, reason, System.currentTimeMillis());
    }
}
