package org.plantclef.cli;

import java.io.PrintStream;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * A launcher subcommand whose flags are a job's {@link ConfigOption}s: {@code --square-size} sets
 * {@code ingest.square-size}. The option catalogue is the single source of names, defaults and help
 * texts.
 */
interface JobCommand {

    String name();

    /** One line for the command list. */
    String summary();

    /** The options that become flags. */
    List<ConfigOption<?>> options();

    /** Whether the command runs Flink jobs (and so takes --parallelism and -D). */
    default boolean runsFlink() {
        return true;
    }

    /**
     * Runs with the parsed options merged into the Flink configuration.
     *
     * @return the exit code
     */
    int run(Configuration conf, PrintStream out) throws Exception;
}
