package org.plantclef.record;

import javax.annotation.Nullable;

/**
 * A whole file as read by the file source, before anyone has looked inside.
 *
 * @param path the file's URI
 * @param length its size in bytes
 * @param data its bytes, or null when it could not be read
 * @param error why it could not be read, or null
 */
public record RawFile(String path, long length, @Nullable byte[] data, @Nullable String error) {

    public static RawFile of(String path, byte[] data) {
        return new RawFile(path, data.length, data, null);
    }

    public static RawFile unreadable(String path, long length, String error) {
        return new RawFile(path, length, null, error);
    }

    @Override
    public String toString() {
        return "RawFile["
                + path
                + ", "
                + length
                + " bytes"
                + (error == null ? "" : ", " + error)
                + "]";
    }
}
