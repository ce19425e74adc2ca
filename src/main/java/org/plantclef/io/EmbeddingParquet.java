package org.plantclef.io;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.plantclef.record.EmbeddingRecord;

/**
 * Embedding Parquet: {@code image_name, species_id, [plot_id, tile,] cls_embedding (list<float>),
 * [dct_embedding (list<float>)]}, written as {@code embeddings-*.parquet}.
 */
public final class EmbeddingParquet {

    public static final String CLS = "cls_embedding";
    public static final String DCT = "dct_embedding";
    public static final String TILE = "tile";

    private EmbeddingParquet() {}

    public static Schema schema(boolean tiles, boolean dct) {
        SchemaBuilder.FieldAssembler<Schema> fields =
                SchemaBuilder.record("EmbeddingRow")
                        .namespace("org.plantclef")
                        .fields()
                        .requiredString(ImageParquet.IMAGE_NAME)
                        .optionalLong(ImageParquet.SPECIES_ID);
        if (tiles) {
            fields = fields.optionalString(ImageParquet.PLOT_ID).optionalInt(TILE);
        }
        fields = fields.name(CLS).type().array().items().floatType().noDefault();
        if (dct) {
            fields = fields.name(DCT).type().array().items().floatType().noDefault();
        }
        return fields.endRecord();
    }

    public static GenericRecord toAvro(EmbeddingRecord e, Schema schema) {
        GenericData.Record row = new GenericData.Record(schema);
        row.put(ImageParquet.IMAGE_NAME, e.imageName());
        row.put(ImageParquet.SPECIES_ID, e.speciesId());
        if (schema.getField(TILE) != null) {
            row.put(ImageParquet.PLOT_ID, e.plotId());
            row.put(TILE, e.tileIndex());
        }
        row.put(CLS, floats(e.cls(), schema.getField(CLS).schema()));
        if (schema.getField(DCT) != null) {
            row.put(
                    DCT,
                    floats(
                            e.dct() != null ? e.dct() : new float[0],
                            schema.getField(DCT).schema()));
        }
        return row;
    }

    private static GenericData.Array<Float> floats(float[] values, Schema arraySchema) {
        List<Float> boxed = new ArrayList<>(values.length);
        for (float v : values) {
            boxed.add(v);
        }
        return new GenericData.Array<>(arraySchema, boxed);
    }

    /** Reads a list column back as floats. */
    public static float[] floats(Object column) {
        List<?> list = (List<?>) column;
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            out[i] =
                    v instanceof GenericRecord r
                            ? ((Number) r.get(0)).floatValue()
                            : ((Number) v).floatValue();
        }
        return out;
    }

    public static void sink(DataStream<EmbeddingRecord> embeddings, String dir, Schema schema) {
        AvroParquetSink.sink(embeddings, dir, schema, "embedding", EmbeddingParquet::toAvro);
    }
}
