package org.plantclef.io;

import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.plantclef.record.CsvRow;

/**
 * Reads a delimited text file with a header line as {@link CsvRow}s (the header itself is skipped;
 * the job reads it once at startup). Not splittable: a quoted field may span lines.
 */
public final class CsvFormat extends SimpleStreamFormat<CsvRow> {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final char delimiter;

    /**
     * @param file the file name put into each row, so an error can name where it came from
     */
    public CsvFormat(String file, char delimiter) {
        this.file = file;
        this.delimiter = delimiter;
    }

    @Override
    public StreamFormat.Reader<CsvRow> createReader(Configuration config, FSDataInputStream stream)
            throws IOException {
        Csv.RecordReader records = new Csv.RecordReader(stream, delimiter);
        records.next(); // header
        return new StreamFormat.Reader<>() {
            @Nullable
            @Override
            public CsvRow read() throws IOException {
                String record;
                do {
                    record = records.next();
                } while (record != null && record.isEmpty());
                return record == null
                        ? null
                        : new CsvRow(file, records.recordLine(), Csv.split(record, delimiter));
            }

            @Override
            public void close() throws IOException {
                records.close();
            }
        };
    }

    @Override
    public TypeInformation<CsvRow> getProducedType() {
        return TypeInformation.of(CsvRow.class);
    }
}
