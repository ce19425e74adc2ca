package org.plantclef.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The PlantCLEF submission format: a header {@code plot_id;species_ids}, then one row per plot,
 * {@code CBN-PdlC-A1-20130807;[1363875, 1392608]}, LF line ends, UTF-8. Ground truth files use the
 * same format.
 */
public final class Submission {

    public static final String HEADER = "plot_id;species_ids";

    private Submission() {}

    /** One row without its line end: {@code plot;[a, b]}. */
    public static String row(String plotId, long[] species) {
        StringBuilder out = new StringBuilder(plotId.length() + 12 * species.length + 4);
        out.append(plotId).append(";[");
        for (int i = 0; i < species.length; i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(species[i]);
        }
        return out.append(']').toString();
    }

    /** The whole file for {@code rows} (plot id → species), in the map's order. */
    public static String format(Map<String, long[]> rows) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        rows.forEach((plot, species) -> out.append(row(plot, species)).append('\n'));
        return out.toString();
    }

    /** A file that is not in the submission format: names the file and line. */
    public static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(String message) {
            super(message);
        }
    }

    /**
     * Reads a submission or ground-truth file: plot id → species ids in file order. The header is
     * required; blank lines are skipped; the list may be quoted ({@code "[1, 2]"}) and may be empty
     * ({@code []}). A repeated plot id, a missing {@code ;} or a species id that is not a number
     * fails with the file and line.
     */
    public static Map<String, List<Long>> read(Path file) throws IOException {
        FileSystem fs = file.getFileSystem();
        Map<String, List<Long>> rows = new LinkedHashMap<>();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            String header = in.readLine();
            if (header != null && header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            if (header == null || !header.trim().equals(HEADER)) {
                throw new FormatException(
                        file
                                + " line 1: expected the header '"
                                + HEADER
                                + "', found '"
                                + header
                                + "'");
            }
            String line;
            int number = 1;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String where = file + " line " + number + ": ";
                int semi = line.indexOf(';');
                if (semi <= 0) {
                    throw new FormatException(
                            where + "expected 'plot_id;[ids]', found '" + line + "'");
                }
                String plot = line.substring(0, semi).trim();
                List<Long> species = parseList(line.substring(semi + 1).trim(), where);
                if (rows.put(plot, species) != null) {
                    throw new FormatException(where + "plot " + plot + " appears twice");
                }
            }
        }
        return rows;
    }

    private static List<Long> parseList(String text, String where) throws FormatException {
        String t = text;
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1).trim();
        }
        if (!t.startsWith("[") || !t.endsWith("]")) {
            throw new FormatException(where + "expected a list like [1, 2], found '" + text + "'");
        }
        String inner = t.substring(1, t.length() - 1).trim();
        List<Long> out = new ArrayList<>();
        if (inner.isEmpty()) {
            return out;
        }
        for (String part : inner.split(",")) {
            String id = part.trim();
            try {
                out.add(Long.parseLong(id));
            } catch (NumberFormatException e) {
                throw new FormatException(where + "'" + id + "' is not a species id");
            }
        }
        return out;
    }

    /**
     * Writes {@code content} to {@code file} through Flink's file systems: first to a hidden
     * sibling, then renamed, so a reader never sees half a file.
     */
    public static void writeAtomically(Path file, String content) throws IOException {
        FileSystem fs = file.getFileSystem();
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".inprogress");
        try (OutputStream out = fs.create(tmp, FileSystem.WriteMode.OVERWRITE)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        if (fs.exists(file)) {
            fs.delete(file, false);
        }
        if (!fs.rename(tmp, file)) {
            throw new IOException("cannot rename " + tmp + " to " + file);
        }
    }

    /** {@code [1, 2]} for a list. */
    public static String list(List<Long> species) {
        return species.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
    }
}
