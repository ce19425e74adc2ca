package org.plantclef.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A real Flink standalone session cluster: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}) as separate
 * JVMs on 127.0.0.1, started the way Flink's scripts start them (TaskManager memory from {@code
 * BashJavaUtils}), with Flink's jars ({@code target/flink-lib}) and the jars a cluster's {@code
 * lib/} needs for our job ({@code target/cluster-lib}: DJL with the PyTorch natives, the Hadoop
 * client) on their class path. Jobs are submitted through the REST API, as a user's {@code curl} or
 * the web UI would.
 */
public final class StandaloneCluster implements AutoCloseable {

    /** The JVM options Flink's scripts pass on Java 17. */
    private static final List<String> JAVA_17_OPENS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final String classPath;
    private final int restPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Process jobManager;
    private final List<Process> taskManagers = new ArrayList<>();
    private int started;

    private StandaloneCluster(Path dir, String classPath, int restPort, Process jobManager) {
        this.dir = dir;
        this.classPath = classPath;
        this.restPort = restPort;
        this.jobManager = jobManager;
    }

    /**
     * Starts a JobManager and one TaskManager with {@code slots} slots.
     *
     * @param dir a fresh directory for the configuration, logs, checkpoints and savepoints
     */
    public static StandaloneCluster start(Path dir, int slots) throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        for (String lib : List.of("flink-lib", "cluster-lib")) {
            if (!Files.isDirectory(target.resolve(lib))) {
                throw new IllegalStateException(
                        target.resolve(lib) + " is missing: run mvn package");
            }
        }
        String classPath =
                target.resolve("flink-lib") + "/*:" + target.resolve("cluster-lib") + "/*";
        int rpcPort = freePort();
        int restPort = freePort();
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("log"));
        // The cluster configuration we ship, with what a test on one machine must change.
        Configuration base = GlobalConfiguration.loadConfiguration("flink-conf/cluster");
        Map<String, String> values = new LinkedHashMap<>(base.toMap());
        values.putAll(
                Map.ofEntries(
                        Map.entry("jobmanager.rpc.address", "127.0.0.1"),
                        Map.entry("jobmanager.rpc.port", Integer.toString(rpcPort)),
                        Map.entry("jobmanager.bind-host", "127.0.0.1"),
                        Map.entry("rest.address", "127.0.0.1"),
                        Map.entry("rest.bind-address", "127.0.0.1"),
                        Map.entry("rest.port", Integer.toString(restPort)),
                        Map.entry("taskmanager.host", "127.0.0.1"),
                        Map.entry("taskmanager.bind-host", "127.0.0.1"),
                        Map.entry("taskmanager.numberOfTaskSlots", Integer.toString(slots)),
                        Map.entry("jobmanager.memory.process.size", "1024m"),
                        Map.entry("taskmanager.memory.process.size", "2048m"),
                        Map.entry("taskmanager.memory.task.off-heap.size", "256m"),
                        Map.entry("web.submit.enable", "true"),
                        Map.entry("web.upload.dir", dir.resolve("upload").toString()),
                        Map.entry("rest.server.max-content-length", "536870912"),
                        Map.entry("heartbeat.interval", "1000"),
                        Map.entry("heartbeat.timeout", "5000"),
                        Map.entry(
                                "execution.checkpointing.dir",
                                dir.resolve("checkpoints").toUri().toString()),
                        Map.entry(
                                "execution.checkpointing.savepoint-dir",
                                dir.resolve("savepoints").toUri().toString())));
        // Jobs choose their own checkpoint interval.
        values.remove("execution.checkpointing.interval");
        StringBuilder yaml = new StringBuilder();
        values.forEach(
                (key, value) ->
                        yaml.append(key)
                                .append(": \"")
                                .append(value.replace("\\", "\\\\").replace("\"", "\\\""))
                                .append("\"\n"));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        Files.copy(
                Path.of("flink-conf/log4j-cli.properties"), conf.resolve("log4j-cli.properties"));
        List<String> command = java(classPath, conf, List.of("-Xmx512m"));
        command.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        command.add("--configDir");
        command.add(conf.toString());
        Process jm = launch(command, dir.resolve("log/jobmanager.log"));
        StandaloneCluster cluster = new StandaloneCluster(dir, classPath, restPort, jm);
        try {
            cluster.startTaskManager();
            cluster.awaitTaskManagers(1, Duration.ofSeconds(90));
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static List<String> java(String classPath, Path conf, List<String> jvm) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(JAVA_17_OPENS);
        command.add("-Dai.djl.offline=true");
        command.add("-DOPT_OUT_TRACKING=true");
        command.add("-DNO_GCE_CHECK=true");
        command.add("-DGOOGLE_CLOUD_PROJECT=plantclef-local");
        command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j-cli.properties"));
        command.add("-cp");
        command.add(classPath);
        return command;
    }

    private static Process launch(List<String> command, Path log) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.put("OPT_OUT_TRACKING", "true");
        env.put("NO_GCE_CHECK", "true");
        env.put("GOOGLE_CLOUD_PROJECT", "plantclef-local");
        env.remove("FLINK_PLUGINS_DIR");
        return builder.start();
    }

    /** Starts one more TaskManager, sized as Flink's scripts size it. */
    public void startTaskManager() throws Exception {
        Path conf = dir.resolve("conf");
        List<String> probe = java(classPath, conf, List.of());
        probe.add("org.apache.flink.runtime.util.bash.BashJavaUtils");
        probe.add("GET_TM_RESOURCE_PARAMS");
        probe.add("--configDir");
        probe.add(conf.toString());
        Process utils = new ProcessBuilder(probe).redirectErrorStream(true).start();
        String output = new String(utils.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        utils.waitFor(60, TimeUnit.SECONDS);
        List<String> results = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
            }
        }
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils said: " + output);
        }
        List<String> command = java(classPath, conf, List.of(results.get(0).split("\\s+")));
        command.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
        command.add("--configDir");
        command.add(conf.toString());
        command.addAll(List.of(results.get(1).split("\\s+")));
        started++;
        taskManagers.add(launch(command, dir.resolve("log/taskmanager-" + started + ".log")));
    }

    /** Kills the most recent TaskManager's process at once, as a crash would. */
    public void killTaskManager() throws InterruptedException {
        Process tm = taskManagers.remove(taskManagers.size() - 1);
        tm.destroyForcibly();
        tm.waitFor(30, TimeUnit.SECONDS);
    }

    public void awaitTaskManagers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode overview = get("/overview");
                if (overview.path("taskmanagers").asInt() >= count) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "no "
                        + count
                        + " TaskManager(s) after "
                        + timeout
                        + "; logs in "
                        + dir.resolve("log"));
    }

    /** Uploads a job jar; returns its id on the cluster. */
    public String uploadJar(Path jar) throws Exception {
        String boundary = "----plantclef" + UUID.randomUUID();
        byte[] head =
                ("--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request =
                HttpRequest.newBuilder(uri("/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(
                                HttpRequest.BodyPublishers.concat(
                                        HttpRequest.BodyPublishers.ofByteArray(head),
                                        HttpRequest.BodyPublishers.ofFile(jar),
                                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                        .timeout(Duration.ofMinutes(2))
                        .build();
        JsonNode answer = send(request);
        String file = answer.path("filename").asText();
        if (file.isEmpty()) {
            throw new IOException("upload failed: " + answer);
        }
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** Runs the uploaded jar's main class with {@code args}; returns the job id. */
    public String run(
            String jarId,
            String entryClass,
            List<String> args,
            int parallelism,
            @Nullable String savepoint)
            throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", entryClass);
        ArrayNode list = body.putArray("programArgsList");
        args.forEach(list::add);
        body.put("parallelism", parallelism);
        if (savepoint != null) {
            body.put("savepointPath", savepoint);
        }
        JsonNode answer = post("/jars/" + jarId + "/run", body);
        String job = answer.path("jobid").asText();
        if (job.isEmpty()) {
            throw new IOException("run failed: " + answer);
        }
        return job;
    }

    public String state(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Waits until the job is in one of {@code states}; fails if it ends in another. */
    public String awaitState(String jobId, Duration timeout, String... states) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = state(jobId);
            for (String s : states) {
                if (s.equals(state)) {
                    return state;
                }
            }
            if (state.equals("FAILED") || state.equals("CANCELED")) {
                throw new IllegalStateException(
                        "job "
                                + jobId
                                + " is "
                                + state
                                + ": "
                                + get("/jobs/" + jobId + "/exceptions"));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " still " + state + " after " + timeout);
    }

    /**
     * The sum over subtasks of an operator metric ({@code name}, e.g. {@code plots-predicted}) of
     * the job's vertex whose name contains {@code vertex}, as the REST API (and the web UI) shows
     * it; -1 when no such metric is reported (yet).
     */
    public double metric(String jobId, String vertex, String name) throws Exception {
        String vertexId = null;
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains(vertex)) {
                vertexId = v.path("id").asText();
            }
        }
        if (vertexId == null) {
            throw new IllegalArgumentException("no vertex named like " + vertex);
        }
        String base = "/jobs/" + jobId + "/vertices/" + vertexId + "/metrics";
        List<String> ids = new ArrayList<>();
        for (JsonNode m : get(base)) {
            if (m.path("id").asText().endsWith("." + name)) {
                ids.add(m.path("id").asText());
            }
        }
        if (ids.isEmpty()) {
            return -1;
        }
        double sum = 0;
        for (JsonNode m : get(base + "?get=" + String.join(",", ids))) {
            sum += Double.parseDouble(m.path("value").asText("0"));
        }
        return sum;
    }

    /** The ids of every metric of the job's vertex whose name contains {@code vertex}. */
    public List<String> metricNames(String jobId, String vertex) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().contains(vertex)) {
                for (JsonNode m :
                        get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/metrics")) {
                    names.add(m.path("id").asText());
                }
            }
        }
        return names;
    }

    /** How many failures (restarts) the job's exception history holds. */
    public int failures(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/exceptions")
                .path("exceptionHistory")
                .path("entries")
                .size();
    }

    /** Stops the job with a savepoint through REST; returns the savepoint's location. */
    public String stopWithSavepoint(String jobId, Duration timeout) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", dir.resolve("savepoints").toUri().toString());
        body.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("stop-with-savepoint failed: " + operation);
                }
                return operation.path("location").asText();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no savepoint after " + timeout);
    }

    public void cancel(String jobId) throws Exception {
        send(
                HttpRequest.newBuilder(uri("/jobs/" + jobId))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private JsonNode get(String path) throws Exception {
        return send(
                HttpRequest.newBuilder(uri(path)).GET().timeout(Duration.ofSeconds(10)).build());
    }

    private JsonNode post(String path, JsonNode body) throws Exception {
        return send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .timeout(Duration.ofMinutes(2))
                        .build());
    }

    private JsonNode send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        if (response.statusCode() >= 400) {
            throw new IOException(
                    request.method()
                            + " "
                            + request.uri()
                            + " -> "
                            + response.statusCode()
                            + ": "
                            + body);
        }
        return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket =
                new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Where the logs are, for failure messages. */
    public Path logs() {
        return dir.resolve("log");
    }

    @Override
    public void close() throws Exception {
        for (Process tm : taskManagers) {
            tm.destroy();
        }
        jobManager.destroy();
        for (Process tm : taskManagers) {
            if (!tm.waitFor(15, TimeUnit.SECONDS)) {
                tm.destroyForcibly();
            }
        }
        if (!jobManager.waitFor(15, TimeUnit.SECONDS)) {
            jobManager.destroyForcibly();
        }
    }
}
