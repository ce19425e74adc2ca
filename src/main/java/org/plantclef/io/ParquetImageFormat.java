package org.plantclef.io;

import java.io.IOException;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.formats.parquet.avro.AvroParquetReaders;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.plantclef.record.ReadResult;

/**
 * Reads image Parquet files of one schema and turns each row into an {@link ImageRecord} right
 * away, while the file it came from is known: a refused row's dead letter names its file and row,
 * and rows without a {@code path} column get {@code <file>#<image_name>}.
 */
public final class ParquetImageFormat implements BulkFormat<ReadResult, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private final BulkFormat<GenericRecord, FileSourceSplit> rows;

    /**
     * @param schema the files' own schema (as {@link ImageParquet#readSchema} reads it)
     */
    public ParquetImageFormat(Schema schema) {
        this.rows = new StreamFormatAdapter<>(AvroParquetReaders.forGenericRecord(schema));
    }

    @Override
    public BulkFormat.Reader<ReadResult> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new Reader(rows.createReader(config, split), split.path().toString());
    }

    @Override
    public BulkFormat.Reader<ReadResult> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new Reader(rows.restoreReader(config, split), split.path().toString());
    }

    @Override
    public boolean isSplittable() {
        return rows.isSplittable();
    }

    @Override
    public TypeInformation<ReadResult> getProducedType() {
        return TypeInformation.of(ReadResult.class);
    }

    private static final class Reader implements BulkFormat.Reader<ReadResult> {
        private final BulkFormat.Reader<GenericRecord> rows;
        private final String file;
        private long row;

        Reader(BulkFormat.Reader<GenericRecord> rows, String file) {
            this.rows = rows;
            this.file = file;
        }

        @Nullable
        @Override
        public RecordIterator<ReadResult> readBatch() throws IOException {
            RecordIterator<GenericRecord> batch = rows.readBatch();
            if (batch == null) {
                return null;
            }
            return new RecordIterator<>() {
                @Nullable
                @Override
                public RecordAndPosition<ReadResult> next() {
                    RecordAndPosition<GenericRecord> next = batch.next();
                    if (next == null) {
                        return null;
                    }
                    row++;
                    return new RecordAndPosition<>(
                            convert(next.getRecord()), next.getOffset(), next.getRecordSkipCount());
                }

                @Override
                public void releaseBatch() {
                    batch.releaseBatch();
                }
            };
        }

        private ReadResult convert(GenericRecord record) {
            try {
                return ReadResult.of(ImageParquet.fromAvro(record, file));
            } catch (IllegalArgumentException e) {
                return ReadResult.refused(
                        DeadLetter.of(file + "#row" + row, "read", e.getMessage()));
            }
        }

        @Override
        public void close() throws IOException {
            rows.close();
        }
    }
}
