package org.plantclef.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an upload event, {@code {"plot_id": "...", "uri": "file:///..." | "gs://bucket/x.jpg"}},
 * into the image it names, read through Flink's file systems (any scheme a plugin provides). A
 * malformed event, a bad URI, a missing object or one over the size limit is a dead letter with the
 * reason; transient read errors are retried with back-off first.
 */
public final class FetchUploads extends ProcessFunction<String, ImageRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FetchUploads.class);

    /** Longest event kept in its dead letter for replay. */
    static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    private final long maxBytes;
    private final int attempts;
    private final long backoffMillis;
    private final GcsClient.Settings gcsSettings;
    private final UriAllowList allowed;
    private transient ObjectMapper mapper;
    private transient GcsClient gcs;

    /**
     * @param maxBytes the largest object read
     * @param attempts tries per object for transient errors (at least 1)
     * @param gcsSettings how to reach Cloud Storage for {@code gs://} URIs
     * @param allowed the locations events may name; any other URI is a dead letter, unread
     */
    public FetchUploads(
            long maxBytes,
            int attempts,
            long backoffMillis,
            GcsClient.Settings gcsSettings,
            UriAllowList allowed) {
        this.maxBytes = maxBytes;
        this.allowed = allowed;
        this.attempts = Math.max(1, attempts);
        this.backoffMillis = backoffMillis;
        this.gcsSettings = gcsSettings;
    }

    @Override
    public void close() throws Exception {
        if (gcs != null) {
            gcs.close();
        }
    }

    @Override
    public void open(OpenContext openContext) {
        mapper = new ObjectMapper();
    }

    /** An event that cannot be scored; the message is the dead letter's reason. */
    static final class BadUpload extends Exception {
        private static final long serialVersionUID = 1L;

        BadUpload(String message) {
            super(message);
        }
    }

    @Override
    public void processElement(String event, Context ctx, Collector<ImageRecord> out)
            throws InterruptedException {
        String source = "event " + abbreviate(event);
        try {
            JsonNode node;
            try {
                node = mapper.readTree(event);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new BadUpload("not JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new BadUpload("expected a JSON object with \"uri\" (and \"plot_id\")");
            }
            JsonNode uriNode = node.get("uri");
            if (uriNode == null || !uriNode.isTextual() || uriNode.asText().isBlank()) {
                throw new BadUpload("no \"uri\" string");
            }
            String uri = uriNode.asText();
            source = uri;
            URI parsed = parse(uri);
            if (!allowed.allows(parsed)) {
                throw new BadUpload(
                        uri + " is outside the allowed locations (" + allowed + "); not read");
            }
            Path path = new Path(parsed.normalize());
            String name = path.getName();
            JsonNode plot = node.get("plot_id");
            String plotId =
                    plot != null && plot.isTextual() && !plot.asText().isBlank()
                            ? plot.asText()
                            : ImageSources.stripExtension(name);
            byte[] data = "gs".equals(path.toUri().getScheme()) ? readGcs(path) : read(path);
            out.collect(new ImageRecord(name, uri, null, plotId, data, Map.of()));
        } catch (BadUpload e) {
            // The event itself rides along so that it can be replayed as it was, unless it is
            // too large to be an upload event at all.
            String payload = event.length() <= MAX_PAYLOAD_CHARS ? event : null;
            ctx.output(DeadLetters.TAG, DeadLetter.of(source, "fetch", e.getMessage(), payload));
        }
    }

    private static URI parse(String uri) throws BadUpload {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new BadUpload("bad URI: " + e.getMessage());
        }
        if (parsed.getScheme() == null || parsed.getPath() == null || parsed.getPath().isEmpty()) {
            throw new BadUpload("bad URI " + uri + ": need a scheme and a path (gs://b/x.jpg)");
        }
        return parsed;
    }

    private byte[] readGcs(Path path) throws BadUpload {
        if (gcs == null) {
            gcs = GcsClient.open(gcsSettings, attempts);
        }
        URI uri = path.toUri();
        String bucket = uri.getAuthority();
        String object = uri.getPath().startsWith("/") ? uri.getPath().substring(1) : uri.getPath();
        if (bucket == null || bucket.isEmpty() || object.isEmpty()) {
            throw new BadUpload("bad URI " + uri + ": need gs://bucket/object");
        }
        long start = System.nanoTime();
        try {
            return gcs.read(bucket, object, maxBytes);
        } catch (GcsClient.NotFound e) {
            throw new BadUpload("no such object: " + uri);
        } catch (GcsClient.TooLarge e) {
            throw new BadUpload(uri + " " + e.getMessage());
        } catch (IOException e) {
            throw new BadUpload(
                    String.format(
                            Locale.ROOT,
                            "cannot read %s after %d attempts in %.1f s: %s",
                            uri,
                            attempts,
                            (System.nanoTime() - start) / 1e9,
                            e.getMessage()));
        }
    }

    private byte[] read(Path path) throws BadUpload, InterruptedException {
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                FileSystem fs = path.getFileSystem();
                FileStatus status = fs.getFileStatus(path);
                if (status.isDir()) {
                    throw new BadUpload(path + " is a directory");
                }
                if (status.getLen() > maxBytes) {
                    throw new BadUpload(
                            path
                                    + " has "
                                    + status.getLen()
                                    + " bytes, over the limit of "
                                    + maxBytes);
                }
                try (InputStream in = fs.open(path)) {
                    byte[] data = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE));
                    if (data.length > maxBytes) {
                        throw new BadUpload(path + " is over the limit of " + maxBytes + " bytes");
                    }
                    return data;
                }
            } catch (FileNotFoundException e) {
                throw new BadUpload("no such object: " + path);
            } catch (org.apache.flink.core.fs.UnsupportedFileSystemSchemeException e) {
                throw new BadUpload("unsupported scheme in " + path + ": " + e.getMessage());
            } catch (IOException e) {
                last = e;
                LOG.warn(
                        "Reading {} failed (attempt {} of {}): {}",
                        path,
                        attempt,
                        attempts,
                        e.toString());
                if (attempt < attempts) {
                    Thread.sleep(backoffMillis * (1L << (attempt - 1)));
                }
            }
        }
        throw new BadUpload("cannot read " + path + " after " + attempts + " attempts: " + last);
    }

    private static String abbreviate(String text) {
        String t = text.replaceAll("\\s+", " ");
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }
}
