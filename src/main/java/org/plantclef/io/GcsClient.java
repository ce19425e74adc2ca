package org.plantclef.io;

import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import javax.annotation.Nullable;

/**
 * Reads objects with the Google Cloud Storage Java client (JSON API over HTTP), with the client's
 * retries (exponential back-off on 5xx, 429 and network errors) and a size limit checked before the
 * download. Talks to an emulator when given an endpoint (then without credentials).
 */
public final class GcsClient implements AutoCloseable {

    /**
     * Where Cloud Storage is.
     *
     * @param endpoint {@code http://127.0.0.1:PORT} of an emulator, or null for Google's service
     *     with the application default credentials
     * @param projectId the project id (the client wants one even for reads)
     * @param timeoutMillis connect and read timeout of each request
     */
    public record Settings(@Nullable String endpoint, String projectId, long timeoutMillis)
            implements Serializable {}

    /** The object does not exist. */
    public static final class NotFound extends IOException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }

    /** The object is larger than the limit. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private final Storage storage;

    private GcsClient(Storage storage) {
        this.storage = storage;
    }

    /**
     * A client; {@code attempts} is the most tries per call, each request bounded by the settings'
     * timeout, so that a service that stops answering costs a bounded time, never a hang.
     */
    public static GcsClient open(Settings settings, int attempts) {
        int tries = Math.max(1, attempts);
        Duration timeout = Duration.ofMillis(settings.timeoutMillis());
        RetrySettings retry =
                StorageOptions.getDefaultRetrySettings().toBuilder()
                        .setMaxAttempts(tries)
                        .setInitialRpcTimeoutDuration(timeout)
                        .setMaxRpcTimeoutDuration(timeout)
                        // Room for every try plus the back-off between them (1 s, doubling).
                        .setTotalTimeoutDuration(
                                timeout.multipliedBy(tries).plus(Duration.ofMinutes(1)))
                        .build();
        int millis = (int) Math.min(Integer.MAX_VALUE, settings.timeoutMillis());
        StorageOptions.Builder builder =
                StorageOptions.http()
                        .setProjectId(settings.projectId())
                        .setRetrySettings(retry)
                        .setTransportOptions(
                                HttpTransportOptions.newBuilder()
                                        .setConnectTimeout(millis)
                                        .setReadTimeout(millis)
                                        .build());
        if (settings.endpoint() != null) {
            builder.setHost(settings.endpoint()).setCredentials(NoCredentials.getInstance());
        }
        return new GcsClient(builder.build().getService());
    }

    /** The whole object, at most {@code maxBytes}. */
    public byte[] read(String bucket, String object, long maxBytes) throws IOException {
        try {
            Blob blob = storage.get(BlobId.of(bucket, object));
            if (blob == null) {
                throw new NotFound("gs://" + bucket + "/" + object);
            }
            Long size = blob.getSize();
            if (size != null && size > maxBytes) {
                throw new TooLarge("has " + size + " bytes, over the limit of " + maxBytes);
            }
            byte[] data = storage.readAllBytes(blob.getBlobId());
            if (data.length > maxBytes) {
                throw new TooLarge("has " + data.length + " bytes, over the limit of " + maxBytes);
            }
            return data;
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                throw new NotFound("gs://" + bucket + "/" + object);
            }
            // Code 0: no HTTP answer (timeout, refused or reset connection).
            String what = e.getCode() > 0 ? "HTTP " + e.getCode() : "no answer";
            throw new IOException(what + ": " + e.getMessage(), e);
        }
    }

    /** The client itself, for tests and tools that write. */
    public Storage storage() {
        return storage;
    }

    @Override
    public void close() throws Exception {
        storage.close();
    }
}
