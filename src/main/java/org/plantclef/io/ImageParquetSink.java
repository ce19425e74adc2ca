package org.plantclef.io;

import org.apache.avro.Schema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.plantclef.record.ImageRecord;

/** Writes {@link ImageRecord}s as image Parquet ({@code images-*.parquet}) into one directory. */
public final class ImageParquetSink {

    private ImageParquetSink() {}

    public static void sink(DataStream<ImageRecord> images, String dir, Schema schema) {
        AvroParquetSink.sink(images, dir, schema, "image", ImageParquet::toAvro);
    }
}
