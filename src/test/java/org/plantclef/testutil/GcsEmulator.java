package org.plantclef.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        this.client = GcsClient.open(new GcsClient.Settings(endpoint, PROJECT, 30_000), 3);
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

    /**
     * Makes the next {@code times} requests (-1: all) whose path contains {@code match} fail:
     * {@code mode} "error" answers {@code status}, "hang" never answers.
     */
    public void fault(String match, String mode, int status, int times) throws Exception {
        String rule =
                String.format(
                        "{\"match\": \"%s\", \"mode\": \"%s\", \"status\": %d, \"times\": %d}",
                        match, mode, status, times);
        control("POST", HttpRequest.BodyPublishers.ofString(rule));
    }

    /** How many requests the fault rules for {@code match} have failed so far. */
    public int faultHits(String match) throws Exception {
        JsonNode faults = new ObjectMapper().readTree(control("GET", null)).path("faults");
        int hits = 0;
        for (JsonNode rule : faults) {
            if (rule.path("match").asText().equals(match)) {
                hits += rule.path("hits").asInt();
            }
        }
        return hits;
    }

    /** Removes every fault rule. */
    public void clearFaults() throws Exception {
        control("DELETE", null);
    }

    private String control(String method, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(endpoint + "/_faults"))
                        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body)
                        .header("Content-Type", "application/json")
                        .build();
        HttpResponse<String> response =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("fault control: " + response.body());
        }
        return response.body();
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
