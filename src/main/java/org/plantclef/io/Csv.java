package org.plantclef.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The delimited text PlantCLEF uses: fields separated by a delimiter ({@code ;}), optionally
 * enclosed in double quotes, a quote inside a quoted field doubled, quoted fields may span lines.
 */
public final class Csv {

    /** The PlantCLEF delimiter. */
    public static final char SEMICOLON = ';';

    private Csv() {}

    /**
     * Splits one record (RFC 4180): a field is quoted only if it starts with a quote; inside it a
     * doubled quote is a quote and the field ends at a quote followed by the delimiter or the end;
     * any other quote is an ordinary character.
     */
    public static String[] split(String record, char delimiter) {
        List<String> fields = new ArrayList<>();
        scan(record, delimiter, fields);
        return fields.toArray(new String[0]);
    }

    /** Whether {@code text} ends inside a quoted field, by the rules of {@link #split}. */
    static boolean endsInsideQuotes(CharSequence text, char delimiter) {
        return scan(text, delimiter, null);
    }

    /**
     * Runs the quoting rules over {@code text}, adding the fields to {@code fields} if it is not
     * null; returns whether the text ends inside a quoted field.
     */
    private static boolean scan(CharSequence text, char delimiter, @Nullable List<String> fields) {
        StringBuilder field = fields == null ? null : new StringBuilder();
        boolean fieldStart = true;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean keep = false;
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    keep = true;
                    i++;
                } else if (c == '"' && closes(text, i, delimiter)) {
                    quoted = false;
                } else {
                    keep = true;
                }
            } else if (c == delimiter) {
                if (fields != null) {
                    fields.add(field.toString());
                    field.setLength(0);
                }
                fieldStart = true;
                continue;
            } else if (c == '"' && fieldStart) {
                quoted = true;
            } else {
                keep = true;
            }
            fieldStart = false;
            if (keep && field != null) {
                field.append(c);
            }
        }
        if (fields != null) {
            fields.add(field.toString());
        }
        return quoted;
    }

    /**
     * Whether the quote at {@code i} closes a quoted field: it must be followed by the delimiter, a
     * line break or the end. Any other quote inside a quoted field is kept as a character, so a
     * stray quote cannot end a field early and shift the fields after it.
     */
    private static boolean closes(CharSequence text, int i, char delimiter) {
        if (i + 1 >= text.length()) {
            return true;
        }
        char next = text.charAt(i + 1);
        return next == delimiter || next == '\n' || next == '\r';
    }

    /** Quotes {@code value} if it holds the delimiter, a quote or a line break. */
    public static String quote(String value, char delimiter) {
        if (value.indexOf(delimiter) < 0
                && value.indexOf('"') < 0
                && value.indexOf('\n') < 0
                && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /**
     * A reader of records from a stream: joins lines while a quoted field is open, but at most
     * {@link #MAX_LINES_PER_RECORD} of them. A quote that never closes (a stray {@code "} at the
     * start of a field) then costs one record, not the rest of the file: the first line is returned
     * alone and reading goes on with the line after it.
     */
    public static final class RecordReader implements AutoCloseable {
        /** The most lines one quoted record may span. */
        public static final int MAX_LINES_PER_RECORD = 64;

        private final BufferedReader in;
        private final char delimiter;
        private final Deque<String> pending = new ArrayDeque<>();
        private long line;
        private long recordLine;
        private boolean first = true;

        public RecordReader(InputStream in) {
            this(in, SEMICOLON);
        }

        public RecordReader(InputStream in, char delimiter) {
            this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            this.delimiter = delimiter;
        }

        /** The next record's raw text (lines joined with '\n'), or null at the end. */
        @Nullable
        public String next() throws IOException {
            String text = nextLine();
            if (text == null) {
                return null;
            }
            recordLine = line;
            if (first) {
                first = false;
                if (text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
            }
            if (!endsInsideQuotes(text, delimiter)) {
                return text;
            }
            List<String> lines = new ArrayList<>();
            lines.add(text);
            StringBuilder record = new StringBuilder(text);
            while (lines.size() < MAX_LINES_PER_RECORD) {
                String more = nextLine();
                if (more == null) {
                    break;
                }
                lines.add(more);
                record.append('\n').append(more);
                if (!endsInsideQuotes(record, delimiter)) {
                    return record.toString();
                }
            }
            // Unterminated: give back all but the first line.
            for (int i = lines.size() - 1; i >= 1; i--) {
                pending.addFirst(lines.get(i));
            }
            line = recordLine;
            return text;
        }

        private String nextLine() throws IOException {
            String text = pending.isEmpty() ? in.readLine() : pending.removeFirst();
            if (text != null) {
                line++;
            }
            return text;
        }

        /** The 1-based line number on which the last record returned by {@link #next} began. */
        public long recordLine() {
            return recordLine;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
