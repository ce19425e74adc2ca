package org.plantclef.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.plantclef.job.Options;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/**
 * Every Kubernetes manifest in deploy/k8s and the cluster configuration are checked: the
 * FlinkDeployment structure the operator's CRD defines (the operator's API jar is not on Maven
 * Central here, so a schema check), every Flink option key known and its value parsing, and the
 * job's arguments a valid plantclef command line. A typo fails the build.
 */
class DeployManifestsTest {

    private static final Set<String> SPEC_KEYS =
            Set.of(
                    "image",
                    "imagePullPolicy",
                    "serviceAccount",
                    "flinkVersion",
                    "flinkConfiguration",
                    "logConfiguration",
                    "podTemplate",
                    "jobManager",
                    "taskManager",
                    "job",
                    "ingress",
                    "mode",
                    "restartNonce");
    private static final Set<String> JOB_KEYS =
            Set.of(
                    "jarURI",
                    "parallelism",
                    "entryClass",
                    "args",
                    "state",
                    "upgradeMode",
                    "savepointTriggerNonce",
                    "initialSavepointPath",
                    "checkpointTriggerNonce",
                    "allowNonRestoredState",
                    "savepointRedeployNonce");
    private static final Set<String> COMPONENT_KEYS = Set.of("resource", "replicas", "podTemplate");
    private static final Set<String> RESOURCE_KEYS = Set.of("memory", "cpu", "ephemeralStorage");

    /** Options with a user-chosen part in their key. */
    private static final List<String> DYNAMIC_PREFIXES = List.of("external-resource.");

    /** Every Flink option of the classes a deployment configures, by key. */
    private static Map<String, ConfigOption<?>> flinkOptions() throws Exception {
        Map<String, ConfigOption<?>> options = new HashMap<>();
        for (Class<?> holder :
                List.of(
                        CheckpointingOptions.class,
                        ClusterOptions.class,
                        CoreOptions.class,
                        ExternalResourceOptions.class,
                        HighAvailabilityOptions.class,
                        JobManagerOptions.class,
                        PipelineOptions.class,
                        RestOptions.class,
                        RestartStrategyOptions.class,
                        StateBackendOptions.class,
                        TaskManagerOptions.class)) {
            for (Field field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && ConfigOption.class.isAssignableFrom(field.getType())) {
                    ConfigOption<?> option = (ConfigOption<?>) field.get(null);
                    options.put(option.key(), option);
                    option.fallbackKeys().forEach(k -> options.put(k.getKey(), option));
                }
            }
        }
        return options;
    }

    private static void checkFlinkConfiguration(String where, Map<String, String> values)
            throws Exception {
        Map<String, ConfigOption<?>> known = flinkOptions();
        Configuration conf = Configuration.fromMap(values);
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            if (DYNAMIC_PREFIXES.stream().anyMatch(key::startsWith)
                    || key.equals("external-resources")
                    || key.startsWith("env.java.opts")) {
                continue;
            }
            ConfigOption<?> option = known.get(key);
            assertThat(option).as(where + ": unknown Flink option " + key).isNotNull();
            // Parses the value as the option's type (memory size, duration, enum, ...).
            Object value = conf.get(option);
            assertThat(value).as(where + ": " + key).isNotNull();
        }
    }

    private static List<Path> manifests() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("deploy/k8s"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String where) {
        assertThat(value).as(where).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @Test
    void everyManifestIsAValidFlinkDeployment() throws Exception {
        List<Path> files = manifests();
        assertThat(files).hasSizeGreaterThanOrEqualTo(3);
        for (Path file : files) {
            String where = file.toString();
            List<Object> docs = new ArrayList<>();
            new Load(LoadSettings.builder().build())
                    .loadAllFromString(Files.readString(file))
                    .forEach(docs::add);
            assertThat(docs).as(where).hasSize(1);
            Map<String, Object> root = map(docs.get(0), where);
            assertThat(root.get("apiVersion")).as(where).isEqualTo("flink.apache.org/v1beta1");
            assertThat(root.get("kind")).as(where).isEqualTo("FlinkDeployment");
            assertThat((String) map(root.get("metadata"), where).get("name"))
                    .as(where + " metadata.name")
                    .matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
            Map<String, Object> spec = map(root.get("spec"), where + " spec");
            assertThat(SPEC_KEYS).as(where + " spec keys").containsAll(spec.keySet());
            assertThat((String) spec.get("flinkVersion")).as(where).matches("v2_[0-9]+");
            assertThat((String) spec.get("image")).as(where).isNotBlank();

            Map<String, Object> config = map(spec.get("flinkConfiguration"), where);
            Map<String, String> values = new HashMap<>();
            config.forEach(
                    (k, v) -> {
                        assertThat(v)
                                .as(where + " flinkConfiguration." + k + " must be a string")
                                .isInstanceOf(String.class);
                        values.put(k, (String) v);
                    });
            checkFlinkConfiguration(where, values);

            for (String component : List.of("jobManager", "taskManager")) {
                Map<String, Object> c = map(spec.get(component), where + " " + component);
                assertThat(COMPONENT_KEYS).as(where + " " + component).containsAll(c.keySet());
                Map<String, Object> resource = map(c.get("resource"), where + " resource");
                assertThat(RESOURCE_KEYS).containsAll(resource.keySet());
                MemorySize.parse((String) resource.get("memory"));
                assertThat(resource.get("cpu")).isInstanceOf(Number.class);
                if (c.containsKey("podTemplate")) {
                    checkPod(map(c.get("podTemplate"), where + " podTemplate"), where);
                }
            }
            if (spec.containsKey("podTemplate")) {
                checkPod(map(spec.get("podTemplate"), where + " podTemplate"), where);
            }

            Map<String, Object> job = map(spec.get("job"), where + " job");
            assertThat(JOB_KEYS).as(where + " job keys").containsAll(job.keySet());
            assertThat((String) job.get("jarURI")).startsWith("local:///opt/flink/usrlib/");
            assertThat(Class.forName((String) job.get("entryClass"))).isEqualTo(PlantClef.class);
            assertThat((String) job.get("upgradeMode"))
                    .isIn("stateless", "savepoint", "last-state");
            if (job.containsKey("state")) {
                assertThat((String) job.get("state")).isIn("running", "suspended");
            }
            List<Object> args = (List<Object>) job.get("args");
            assertThat(args).as(where + " args").allMatch(a -> a instanceof String);
            checkArgs(args.stream().map(String.class::cast).toList(), where);
        }
    }

    private static void checkPod(Map<String, Object> pod, String where) {
        assertThat(pod.get("apiVersion")).as(where + " pod").isEqualTo("v1");
        assertThat(pod.get("kind")).as(where + " pod").isEqualTo("Pod");
        Map<String, Object> podSpec = map(pod.get("spec"), where + " pod spec");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> containers =
                (List<Map<String, Object>>) podSpec.get("containers");
        assertThat(containers)
                .as(where + ": the operator merges into the container named flink-main-container")
                .extracting(c -> c.get("name"))
                .contains("flink-main-container");
    }

    /** The job's arguments must be a plantclef command line whose options all parse. */
    private static void checkArgs(List<String> args, String where) {
        CommandLine.ParseResult parsed =
                PlantClef.commandLine().parseArgs(args.toArray(new String[0]));
        assertThat(parsed.hasSubcommand()).as(where).isTrue();
        CommandLine.ParseResult sub = parsed.subcommand();
        JobCommand command =
                PlantClef.COMMANDS.stream()
                        .filter(c -> c.name().equals(sub.commandSpec().name()))
                        .findFirst()
                        .orElseThrow();
        Configuration conf = PlantClef.configuration(command, sub);
        for (ConfigOption<?> option : command.options()) {
            Options.get(conf, option); // throws naming the flag when a value does not parse
        }
    }

    @Test
    void theClusterConfigurationParses() throws Exception {
        Configuration conf = GlobalConfiguration.loadConfiguration("flink-conf/cluster");
        assertThat(conf.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(conf.get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL))
                .contains("ai.djl.");
        assertThat(conf.get(TaskManagerOptions.TASK_OFF_HEAP_MEMORY))
                .isGreaterThanOrEqualTo(MemorySize.parse("2g"));
        Map<String, String> values = new HashMap<>(conf.toMap());
        checkFlinkConfiguration("flink-conf/cluster/config.yaml", values);
        Configuration local = GlobalConfiguration.loadConfiguration("flink-conf");
        checkFlinkConfiguration("flink-conf/config.yaml", new HashMap<>(local.toMap()));
    }
}
