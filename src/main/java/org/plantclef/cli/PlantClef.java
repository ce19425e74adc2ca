package org.plantclef.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import org.plantclef.job.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The launcher: {@code plantclef <command> [options]}. Each command's flags come from its job's
 * option catalogue; {@code -D key=value} sets any Flink option. On a Flink cluster the same class
 * is the job jar's entry point ({@code flink run plantclef-flink-job.jar ingest ...}).
 */
public final class PlantClef {

    private static final Logger LOG = LoggerFactory.getLogger(PlantClef.class);

    /** Exit code for a bad command line or configuration. */
    static final int USAGE = 2;

    /** Exit code for a job that failed while running. */
    static final int FAILED = 1;

    static final List<JobCommand> COMMANDS =
            List.of(
                    new DemoCommand(),
                    new SynthCommand(),
                    new IngestCommand(),
                    new EmbedCommand(),
                    new TrainCommand(),
                    new PredictCommand(),
                    new EvaluateCommand(),
                    new BenchCommand());

    private PlantClef() {}

    /**
     * The entry point of the launcher and of the job jar. From {@code bin/plantclef} (which sets
     * {@code plantclef.launcher}) it exits with the command's code. Under {@code flink run} or a
     * REST submission it runs inside a Flink client or the JobManager, where {@code System.exit}
     * would take the process down: it returns, or throws so that Flink reports the failure.
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (Boolean.getBoolean(LAUNCHER_PROPERTY)) {
            System.exit(code);
        }
        if (code != 0) {
            throw new IllegalStateException(
                    "plantclef " + String.join(" ", args) + " failed with exit code " + code);
        }
    }

    /** Internal key: --web-ui was given. */
    static final ConfigOption<Boolean> WEB_UI =
            org.apache.flink.configuration.ConfigOptions.key("plantclef.web-ui")
                    .booleanType()
                    .defaultValue(false);

    static final int DEFAULT_WEB_UI_PORT = 8081;

    /** Set by bin/plantclef: the JVM is ours, exiting is fine. */
    static final String LAUNCHER_PROPERTY = "plantclef.launcher";

    /** Parses {@code args} and runs the command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine top = commandLine();
        ParseResult parsed;
        try {
            parsed = top.parseArgs(args);
        } catch (ParameterException e) {
            err.println(
                    commandPath(e.getCommandLine())
                            + ": "
                            + e.getMessage()
                            + " (see '"
                            + commandPath(e.getCommandLine())
                            + " --help')");
            return USAGE;
        }
        if (CommandLine.printHelpIfRequested(
                parsed.asCommandLineList(), out, err, CommandLine.Help.Ansi.OFF)) {
            return 0;
        }
        if (!parsed.hasSubcommand()) {
            top.usage(out, CommandLine.Help.Ansi.OFF);
            return USAGE;
        }
        ParseResult sub = parsed.subcommand();
        JobCommand command =
                COMMANDS.stream()
                        .filter(c -> c.name().equals(sub.commandSpec().name()))
                        .findFirst()
                        .orElseThrow();
        String name = "plantclef " + command.name();
        try {
            Configuration conf = configuration(command, sub);
            if (conf.get(WEB_UI)) {
                out.println(
                        "Flink web UI: http://127.0.0.1:"
                                + conf.get(RestOptions.PORT)
                                + " (while a job runs)");
            }
            // Plugin file systems (gs:// from $FLINK_PLUGINS_DIR/gs-fs-hadoop) for local runs;
            // under `flink run` the Flink CLI has done the same.
            FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
            return command.run(conf, out);
        } catch (IllegalConfigurationException e) {
            err.println(name + ": " + e.getMessage());
            return USAGE;
        } catch (Exception e) {
            LOG.error("{} failed", name, e);
            err.println(name + " failed: " + rootMessage(e));
            return FAILED;
        }
    }

    static CommandLine commandLine() {
        CommandSpec top =
                CommandSpec.create()
                        .name("plantclef")
                        .mixinStandardHelpOptions(true)
                        .version("plantclef-flink " + version());
        top.usageMessage()
                .description(
                        "Multi-label plant species identification in vegetation-plot photos,"
                                + " on Apache Flink.")
                .commandListHeading("%nCommands:%n");
        CommandLine cli = new CommandLine(top);
        for (JobCommand command : COMMANDS) {
            cli.addSubcommand(command.name(), new CommandLine(spec(command)));
        }
        return cli;
    }

    /** The picocli spec of a command, one flag per option. */
    static CommandSpec spec(JobCommand command) {
        CommandSpec spec = CommandSpec.create().name(command.name()).mixinStandardHelpOptions(true);
        spec.usageMessage().description(command.summary()).sortOptions(false);
        for (ConfigOption<?> option : command.options()) {
            boolean flag = option.hasDefaultValue() && option.defaultValue() instanceof Boolean;
            OptionSpec.Builder builder =
                    OptionSpec.builder(Options.flag(option))
                            .description(help(option))
                            .type(String.class)
                            .paramLabel(paramLabel(option));
            if (flag) {
                builder.arity("0..1").fallbackValue("true");
            }
            spec.addOption(builder.build());
        }
        if (command.runsFlink()) {
            spec.addOption(
                    OptionSpec.builder("--parallelism")
                            .paramLabel("N")
                            .type(String.class)
                            .description("Parallelism of the job (Flink's parallelism.default).")
                            .build());
            spec.addOption(
                    OptionSpec.builder("--web-ui")
                            .paramLabel("PORT")
                            .type(String.class)
                            .arity("0..1")
                            .fallbackValue(Integer.toString(DEFAULT_WEB_UI_PORT))
                            .description(
                                    "Local runs: serve Flink's web UI on 127.0.0.1:PORT (default "
                                            + DEFAULT_WEB_UI_PORT
                                            + ") while a job runs, to watch it.")
                            .build());
            spec.addOption(
                    OptionSpec.builder("-D")
                            .paramLabel("key=value")
                            .type(Map.class)
                            .auxiliaryTypes(String.class, String.class)
                            .description(
                                    "Any Flink configuration option, e.g. -Dparallelism.default=2.")
                            .build());
        }
        return spec;
    }

    /**
     * The Flink configuration for a command: {@code $FLINK_CONF_DIR/config.yaml} if set, then -D
     * options, then --parallelism, then the command's own flags.
     */
    static Configuration configuration(JobCommand command, ParseResult parsed) {
        String confDir = System.getenv("FLINK_CONF_DIR");
        Configuration conf =
                confDir != null && !confDir.isBlank()
                        ? GlobalConfiguration.loadConfiguration(confDir)
                        : new Configuration();
        Map<String, String> values = new LinkedHashMap<>();
        if (command.runsFlink()) {
            Map<String, String> dynamic = parsed.matchedOptionValue("-D", Map.of());
            values.putAll(dynamic);
            String parallelism = parsed.matchedOptionValue("--parallelism", null);
            if (parallelism != null) {
                try {
                    if (Integer.parseInt(parallelism) < 1) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalConfigurationException(
                            "Invalid value for --parallelism: "
                                    + parallelism
                                    + "; must be a positive whole number");
                }
                values.put(CoreOptions.DEFAULT_PARALLELISM.key(), parallelism);
            }
            String webUi = parsed.matchedOptionValue("--web-ui", null);
            if (webUi != null) {
                try {
                    int port = Integer.parseInt(webUi);
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalConfigurationException(
                            "Invalid value for --web-ui: " + webUi + "; must be a port (1-65535)");
                }
                values.put(WEB_UI.key(), "true");
                values.put(RestOptions.PORT.key(), webUi);
            }
        }
        for (ConfigOption<?> option : command.options()) {
            String value = parsed.matchedOptionValue(Options.flag(option), null);
            if (value != null) {
                values.put(option.key(), value);
            }
        }
        conf.addAll(Configuration.fromMap(values));
        return conf;
    }

    /**
     * The execution environment for {@code conf}: the embedded MiniCluster locally, the cluster
     * under {@code flink run}. A Flink option that does not parse (from -D or config.yaml) becomes
     * a configuration error naming the key instead of a stack trace.
     */
    static StreamExecutionEnvironment environment(Configuration conf) {
        try {
            if (conf.get(WEB_UI)) {
                // A local MiniCluster with the REST endpoint and the web UI (flink-runtime-web).
                return StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
            }
            return StreamExecutionEnvironment.getExecutionEnvironment(conf);
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(
                    "Invalid Flink configuration (-D or $FLINK_CONF_DIR/config.yaml): "
                            + e.getMessage(),
                    e);
        }
    }

    /** The lines every job summary ends with: where the output went, and the dead letters. */
    static void printOutputs(
            PrintStream out, String output, long deadLetters, String deadLetterDir) {
        out.printf(Locale.ROOT, "  Parquet:      %s%n", output);
        out.printf(
                Locale.ROOT,
                "  Dead letters: %d%s%n",
                deadLetters,
                deadLetters > 0 ? " -> " + deadLetterDir : "");
    }

    private static String help(ConfigOption<?> option) {
        StringBuilder text = new StringBuilder();
        for (BlockElement block : option.description().getBlocks()) {
            if (block instanceof TextElement element) {
                text.append(element.getFormat());
            }
        }
        if (option.hasDefaultValue()) {
            text.append(" Default: ").append(defaultText(option)).append('.');
        }
        return text.toString().replace("%", "%%");
    }

    static String defaultText(ConfigOption<?> option) {
        Object value = option.defaultValue();
        if (value instanceof Duration duration) {
            return TimeUtils.formatWithHighestUnit(duration);
        }
        if (value instanceof List<?> list) {
            // As it is typed on the command line: Flink's list syntax.
            return list.stream().map(String::valueOf).collect(Collectors.joining(";"));
        }
        return value == null ? "none" : value.toString();
    }

    private static String paramLabel(ConfigOption<?> option) {
        Object value = option.hasDefaultValue() ? option.defaultValue() : null;
        if (value instanceof Enum<?> e) {
            StringBuilder choices = new StringBuilder();
            for (Object constant : e.getDeclaringClass().getEnumConstants()) {
                choices.append(choices.length() == 0 ? "" : "|").append(constant);
            }
            return choices.toString();
        }
        if (value instanceof Boolean) {
            return "true|false";
        }
        if (value instanceof Number) {
            return "N";
        }
        if (value instanceof MemorySize) {
            return "SIZE";
        }
        return option.key().endsWith("input")
                        || option.key().endsWith("output")
                        || option.key().endsWith("metadata")
                        || option.key().endsWith("letters")
                ? "PATH"
                : "VALUE";
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = cl; c != null; c = c.getParent()) {
            path.insert(0, path.length() == 0 ? c.getCommandName() : c.getCommandName() + " ");
        }
        return path.toString();
    }

    private static String version() {
        String version = PlantClef.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getName();
    }
}
