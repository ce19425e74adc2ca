package org.plantclef.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    /** Splits one record. */
    public static String[] split(String record, char delimiter) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < record.length(); i++) {
            char c = record.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < record.length() && record.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == delimiter) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields.toArray(new String[0]);
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

    /** A reader of records from a stream: joins lines while a quoted field is open. */
    public static final class RecordReader implements AutoCloseable {
        private final BufferedReader in;
        private long line;
        private long recordLine;
        private boolean first = true;

        public RecordReader(InputStream in) {
            this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        }

        /** The next record's raw text (lines joined with '\n'), or null at the end. */
        @Nullable
        public String next() throws IOException {
            String text = in.readLine();
            if (text == null) {
                return null;
            }
            line++;
            recordLine = line;
            if (first) {
                first = false;
                if (text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
            }
            StringBuilder record = null;
            while (openQuotes(record == null ? text : record)) {
                String more = in.readLine();
                if (more == null) {
                    break; // unterminated quote: the split sees the rest as one field
                }
                line++;
                if (record == null) {
                    record = new StringBuilder(text);
                }
                record.append('\n').append(more);
            }
            return record == null ? text : record.toString();
        }

        /** The 1-based line number on which the last record returned by {@link #next} began. */
        public long recordLine() {
            return recordLine;
        }

        private static boolean openQuotes(CharSequence s) {
            int quotes = 0;
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) == '"') {
                    quotes++;
                }
            }
            return (quotes & 1) == 1;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
