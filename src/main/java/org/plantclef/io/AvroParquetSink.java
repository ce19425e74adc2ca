package org.plantclef.io;

import java.io.Serializable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.typeutils.GenericRecordAvroTypeInfo;
import org.apache.flink.formats.parquet.avro.AvroParquetWriters;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/**
 * Writes records as Parquet files {@code <kind>s-*.parquet} directly into one directory, through an
 * Avro schema. Bulk formats roll files at checkpoints, and at the end of a BATCH job.
 */
public final class AvroParquetSink {

    /** Turns a record into a row of the schema. */
    @FunctionalInterface
    public interface Converter<T> extends Serializable {
        GenericRecord convert(T value, Schema schema);
    }

    private AvroParquetSink() {}

    /**
     * @param kind names the files ({@code kind + "s-"}), the operators and their uids ({@code
     *     kind-to-avro}, {@code kind-parquet-sink})
     */
    public static <T> void sink(
            DataStream<T> stream, String dir, Schema schema, String kind, Converter<T> converter) {
        FileSink<GenericRecord> sink =
                FileSink.forBulkFormat(new Path(dir), AvroParquetWriters.forGenericRecord(schema))
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withOutputFileConfig(
                                OutputFileConfig.builder()
                                        .withPartPrefix(kind + "s")
                                        .withPartSuffix(".parquet")
                                        .build())
                        .build();
        stream.map(new ToAvro<>(schema.toString(), converter))
                .returns(new GenericRecordAvroTypeInfo(schema))
                .name(kind + " to parquet row")
                .uid(kind + "-to-avro")
                .sinkTo(sink)
                .name(kind + " parquet files")
                .uid(kind + "-parquet-sink");
    }

    private static final class ToAvro<T> extends RichMapFunction<T, GenericRecord> {
        private static final long serialVersionUID = 1L;
        private final String schemaJson;
        private final Converter<T> converter;
        private transient Schema schema;

        ToAvro(String schemaJson, Converter<T> converter) {
            this.schemaJson = schemaJson;
            this.converter = converter;
        }

        @Override
        public void open(OpenContext openContext) {
            schema = new Schema.Parser().parse(schemaJson);
        }

        @Override
        public GenericRecord map(T value) {
            return converter.convert(value, schema);
        }
    }
}
