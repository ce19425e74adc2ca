package org.plantclef.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.plantclef.record.ImageRecord;

class ImageParquetTest {

    @Test
    void schemaHasTheDsgtColumnsThenMetadata() {
        Schema schema =
                ImageParquet.schema(
                        List.of("image_name", "organ", "species_id", "obs_id", "organ"));
        assertThat(schema.getFields().stream().map(Schema.Field::name).toList())
                .containsExactly("image_name", "path", "data", "species_id", "organ", "obs_id");
    }

    @Test
    void invalidColumnNamesAreRefusedByName() {
        assertThatThrownBy(() -> ImageParquet.schema(List.of("gbif id")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gbif id'");
    }

    @Test
    void recordRoundTrips() {
        Schema schema = ImageParquet.schema(List.of("organ"));
        ImageRecord image =
                new ImageRecord(
                        "a.jpg",
                        "file:/a.jpg",
                        7L,
                        null,
                        new byte[] {1, 2},
                        Map.of("organ", "leaf"));
        ImageRecord back = ImageParquet.fromAvro(ImageParquet.toAvro(image, schema), "x.parquet");
        assertThat(back.imageName()).isEqualTo("a.jpg");
        assertThat(back.path()).isEqualTo("file:/a.jpg");
        assertThat(back.speciesId()).isEqualTo(7L);
        assertThat(back.data()).containsExactly(1, 2);
        assertThat(back.metadata()).containsExactly(Map.entry("organ", "leaf"));
    }

    @Test
    void readsInt32SpeciesIdAndMissingPath() {
        Schema foreign =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .optionalBytes("data")
                        .optionalInt("species_id")
                        .optionalDouble("altitude")
                        .endRecord();
        GenericRecord row = new GenericData.Record(foreign);
        row.put("image_name", "b.jpg");
        row.put("data", ByteBuffer.wrap(new byte[] {5}));
        row.put("species_id", 1392608);
        row.put("altitude", 812.5);
        ImageRecord image = ImageParquet.fromAvro(row, "file:/in/part-0.parquet");
        assertThat(image.speciesId()).isEqualTo(1392608L);
        assertThat(image.path()).isEqualTo("file:/in/part-0.parquet#b.jpg");
        assertThat(image.metadata()).containsExactly(Map.entry("altitude", "812.5"));
    }

    @Test
    void rowWithoutBytesIsRefusedNamingTheImage() {
        Schema schema = ImageParquet.schema(List.of());
        GenericRecord row = new GenericData.Record(schema);
        row.put("image_name", "c.jpg");
        assertThatThrownBy(() -> ImageParquet.fromAvro(row, "f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row 'c.jpg' has no data");
    }
}
