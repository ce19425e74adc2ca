package org.plantclef.testutil;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.plantclef.io.GcsClient;

/**
 * The GCS JSON-API emulator of {@code src/test/gcs-emulator} (the Firebase Storage emulator from
 * npm, wrapped), started as a Node process on 127.0.0.1 with a free port, stopped on close. {@code
 * .ci/run} installs its npm packages; locally run {@code npm ci} in that folder once.
 */
public final class GcsEmulator implements AutoCloseable {

    public static final String PROJECT = "plantclef-local";

    private final Process process;
    private final String endpoint;
    private final GcsClient client;

    private GcsEmulator(Process process, String endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.client = GcsClient.open(new GcsClient.Settings(endpoint, PROJECT), 3);
    }

    public static GcsEmulator start() throws Exception {
        Path dir =
                Path.of(System.getProperty("plantclef.gcs-emulator.dir", "src/test/gcs-emulator"));
        if (!Files.isDirectory(dir.resolve("node_modules"))) {
            throw new IllegalStateException(
                    "the GCS emulator is not installed: run `npm ci` in "
                            + dir.toAbsolutePath()
                            + " (.ci/run does)");
        }
        ProcessBuilder builder =
                new ProcessBuilder("node", "server.js", "--port", "0", "--host", "127.0.0.1")
                        .directory(dir.toFile())
                        .redirectErrorStream(true);
        builder.environment().put("NO_GCE_CHECK", "true");
        Process process = builder.start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                String line;
                                while ((line = out.readLine()) != null) {
                                    int at = line.indexOf("listening on ");
                                    if (at >= 0) {
                                        return line.substring(at + "listening on ".length()).trim();
                                    }
                                }
                                return null;
                            } catch (IOException e) {
                                return null;
                            }
                        });
        String endpoint = ready.get(60, TimeUnit.SECONDS);
        if (endpoint == null || !endpoint.startsWith("http://127.0.0.1:")) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "the GCS emulator did not start (said: " + endpoint + ")");
        }
        // Keep draining its output so it never blocks on a full pipe.
        Thread drain =
                new Thread(
                        () -> {
                            try {
                                while (out.readLine() != null) {}
                            } catch (IOException ignored) {
                            }
                        },
                        "gcs-emulator-output");
        drain.setDaemon(true);
        drain.start();
        return new GcsEmulator(process, endpoint);
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String endpoint() {
        return endpoint;
    }

    public Storage storage() {
        return client.storage();
    }

    public void createBucket(String bucket) {
        storage().create(BucketInfo.of(bucket));
    }

    public void upload(String bucket, String object, byte[] data) {
        storage().create(BlobInfo.newBuilder(BlobId.of(bucket, object)).build(), data);
    }

    /** The options that point Flink's gs:// plugin at this emulator. */
    public Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        conf.setString("gs.storage.root.url", endpoint);
        conf.setString("gs.auth.service.account.enable", "false");
        conf.setString("gs.auth.null.enable", "true");
        conf.setString("gs.project.id", PROJECT);
        return conf;
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
