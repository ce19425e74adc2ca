package org.plantclef.io;

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
import org.plantclef.record.ImageRecord;

/** Writes {@link ImageRecord}s as image Parquet ({@code images-*.parquet}) into one directory. */
public final class ImageParquetSink {

    private ImageParquetSink() {}

    public static void sink(DataStream<ImageRecord> images, String dir, Schema schema) {
        FileSink<GenericRecord> sink =
                FileSink.forBulkFormat(new Path(dir), AvroParquetWriters.forGenericRecord(schema))
                        .withBucketAssigner(new BasePathBucketAssigner<>())
                        .withOutputFileConfig(
                                OutputFileConfig.builder()
                                        .withPartPrefix("images")
                                        .withPartSuffix(".parquet")
                                        .build())
                        .build();
        images.map(new ToAvro(schema.toString()))
                .returns(new GenericRecordAvroTypeInfo(schema))
                .name("image to parquet row")
                .uid("image-to-avro")
                .sinkTo(sink)
                .name("image parquet files")
                .uid("image-parquet-sink");
    }

    private static final class ToAvro extends RichMapFunction<ImageRecord, GenericRecord> {
        private static final long serialVersionUID = 1L;
        private final String schemaJson;
        private transient Schema schema;

        ToAvro(String schemaJson) {
            this.schemaJson = schemaJson;
        }

        @Override
        public void open(OpenContext openContext) {
            schema = new Schema.Parser().parse(schemaJson);
        }

        @Override
        public GenericRecord map(ImageRecord image) {
            return ImageParquet.toAvro(image, schema);
        }
    }
}
