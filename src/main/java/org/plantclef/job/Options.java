package org.plantclef.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;

/**
 * Reading job options with errors that name the option, both as the launcher flag and as the
 * configuration key, so a user of either finds what to fix.
 */
public final class Options {

    private Options() {}

    /** The launcher flag of an option: its key without the job prefix ({@code --square-size}). */
    public static String flag(ConfigOption<?> option) {
        String key = option.key();
        int dot = key.indexOf('.');
        return "--" + (dot < 0 ? key : key.substring(dot + 1));
    }

    /** "--square-size (ingest.square-size)". */
    public static String name(ConfigOption<?> option) {
        return flag(option) + " (" + option.key() + ")";
    }

    /** The option's value, with a parse error turned into a message naming the option. */
    public static <T> T get(Configuration conf, ConfigOption<T> option) {
        try {
            return conf.get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalConfigurationException(
                    "Invalid value for "
                            + name(option)
                            + ": "
                            + conf.toMap().get(option.key())
                            + " ("
                            + rootMessage(e)
                            + ")");
        }
    }

    /** The value of an option that has no default and must be given. */
    public static <T> T require(Configuration conf, ConfigOption<T> option) {
        T value = get(conf, option);
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalConfigurationException("Missing required option " + name(option));
        }
        return value;
    }

    /** Fails with "Invalid value for --x (job.x): value; why". */
    public static IllegalConfigurationException invalid(
            ConfigOption<?> option, Object value, String why) {
        return new IllegalConfigurationException(
                "Invalid value for " + name(option) + ": " + value + "; " + why);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
