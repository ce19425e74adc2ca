package org.plantclef.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.plantclef.io.ImageFileFilter;
import org.plantclef.io.ImageParquet;
import org.plantclef.io.ParquetInputs;
import org.plantclef.record.DeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The startup checks on inputs and outputs every file-based job makes, with errors naming the
 * option, through Flink's file systems (so they work for any scheme Flink reads).
 */
final class JobPaths {

    private static final Logger LOG = LoggerFactory.getLogger(JobPaths.class);

    private JobPaths() {}

    /** The status of a path that must exist. */
    static FileStatus status(Path path, ConfigOption<?> option) {
        try {
            FileSystem fs = path.getFileSystem();
            if (!fs.exists(path)) {
                throw Options.invalid(option, path, "it does not exist");
            }
            return fs.getFileStatus(path);
        } catch (IOException e) {
            throw Options.invalid(option, path, "cannot be read: " + e.getMessage());
        }
    }

    /** Whether {@code path} is {@code dir} or lies under it. */
    static boolean isWithin(Path path, Path dir) {
        String p = ImageFileFilter.qualified(path);
        String d = ImageFileFilter.qualified(dir);
        d = d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
        return p.equals(d) || p.startsWith(d + "/");
    }

    /** Refuses a directory that exists and is not empty, unless {@code overwrite}. */
    static void requireEmpty(Path dir, ConfigOption<?> option, boolean overwrite) {
        try {
            FileSystem fs = dir.getFileSystem();
            if (!overwrite && fs.exists(dir)) {
                FileStatus[] children = fs.listStatus(dir);
                if (!fs.getFileStatus(dir).isDir() || (children != null && children.length > 0)) {
                    throw Options.invalid(
                            option,
                            dir,
                            "it already exists and is not empty; choose another directory or"
                                    + " pass --overwrite to replace it");
                }
            }
        } catch (IOException e) {
            throw Options.invalid(option, dir, "cannot be checked: " + e.getMessage());
        }
    }

    /**
     * Checks a job's outputs against its input: neither may be, contain or lie inside the input
     * (--overwrite would delete it, or a rerun would read its own output), and each must be empty
     * unless {@code overwrite}. A dead-letter directory inside the output is checked with it.
     */
    static void checkOutputs(
            Path input,
            String output,
            ConfigOption<?> outputOption,
            String deadLetters,
            ConfigOption<?> deadLettersOption,
            boolean overwrite) {
        Path outputPath = new Path(output);
        Path deadLetterPath = new Path(deadLetters);
        if (isWithin(input, outputPath) || isWithin(outputPath, input)) {
            throw Options.invalid(
                    outputOption,
                    output,
                    "it must not be, contain or lie inside the input " + input);
        }
        requireEmpty(outputPath, outputOption, overwrite);
        if (!isWithin(deadLetterPath, outputPath)) {
            if (isWithin(input, deadLetterPath) || isWithin(deadLetterPath, input)) {
                throw Options.invalid(
                        deadLettersOption,
                        deadLetters,
                        "it must not be, contain or lie inside the input " + input);
            }
            requireEmpty(deadLetterPath, deadLettersOption, overwrite);
        }
    }

    /** With {@code overwrite}, deletes the given directories if they exist. */
    static void deleteIfOverwrite(boolean overwrite, String... dirs) throws IOException {
        if (!overwrite) {
            return;
        }
        for (String dir : dirs) {
            Path path = new Path(dir);
            FileSystem fs = path.getFileSystem();
            if (fs.exists(path)) {
                LOG.info("Deleting {} (overwrite)", path);
                fs.delete(path, true);
            }
        }
    }

    /**
     * The schema of every image Parquet file under {@code input}, files grouped by schema. A file
     * whose footer cannot be read or that lacks image_name or binary data is refused with a dead
     * letter; when every file is refused, the input is a configuration error naming them.
     */
    static ParquetInputs parquetInputs(Path input, ConfigOption<?> option) {
        Map<Schema, List<Path>> groups = new LinkedHashMap<>();
        List<DeadLetter> refused = new ArrayList<>();
        List<Path> files;
        try {
            files = ImageParquet.files(input);
        } catch (IOException e) {
            throw Options.invalid(option, input, "cannot be listed: " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw Options.invalid(option, input, "it holds no .parquet files");
        }
        for (Path file : files) {
            try {
                Schema schema = ImageParquet.readSchema(file);
                ImageParquet.requireImageColumns(schema, file);
                groups.computeIfAbsent(schema, s -> new ArrayList<>()).add(file);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("Refusing {}: {}", file, e.getMessage());
                refused.add(DeadLetter.of(file.toString(), "read", e.getMessage()));
            }
        }
        if (groups.isEmpty()) {
            throw Options.invalid(
                    option,
                    input,
                    refused.stream().map(DeadLetter::reason).collect(Collectors.joining("; ")));
        }
        for (Map.Entry<Schema, List<Path>> group : groups.entrySet()) {
            List<String> dropped = ImageParquet.droppedColumns(group.getKey());
            if (!dropped.isEmpty()) {
                LOG.warn(
                        "Binary columns {} of {} (and {} more files) are not carried over",
                        dropped,
                        group.getValue().get(0),
                        group.getValue().size() - 1);
            }
        }
        if (groups.size() > 1) {
            LOG.info("Input Parquet files have {} different schemas", groups.size());
        }
        return new ParquetInputs(groups, refused);
    }
}
