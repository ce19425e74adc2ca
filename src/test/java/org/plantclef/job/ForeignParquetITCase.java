package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.plantclef.image.ImageDecoder;
import org.plantclef.testutil.Fixtures;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/** Image Parquet written by others (Spark, as the DS@GT pipeline did) is read as input. */
class ForeignParquetITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir Path tmp;

    /** Spark's shape: every column optional, binary data, species_id INT32 or INT64. */
    private static Schema sparkSchema(boolean int64) {
        SchemaBuilder.FieldAssembler<Schema> fields =
                SchemaBuilder.record("spark_schema").fields().optionalString("image_name");
        fields = fields.optionalBytes("data");
        fields = int64 ? fields.optionalLong("species_id") : fields.optionalInt("species_id");
        return fields.optionalString("organ").optionalDouble("latitude").endRecord();
    }

    private static void write(Path file, Schema schema, List<GenericRecord> rows) throws Exception {
        Fixtures.parquet(file, schema, rows);
    }

    private static GenericRecord row(Schema schema, String name, byte[] data, Number species) {
        GenericRecord row = new GenericData.Record(schema);
        row.put("image_name", name);
        row.put("data", data == null ? null : ByteBuffer.wrap(data));
        row.put("species_id", species);
        row.put("organ", "leaf");
        row.put("latitude", 45.5);
        return row;
    }

    @ParameterizedTest(name = "species_id INT64 = {0}")
    @ValueSource(booleans = {true, false})
    void readsSparkParquetWithInt32OrInt64SpeciesId(boolean int64) throws Exception {
        Schema schema = sparkSchema(int64);
        Path in = tmp.resolve("in");
        java.nio.file.Files.createDirectories(in);
        Number species = int64 ? (Number) 1392608L : (Number) 1392608;
        write(
                in.resolve("part-00000.parquet"),
                schema,
                List.of(
                        row(schema, "a.jpg", Fixtures.jpeg(80, 60, 0xFF0000), species),
                        row(schema, "b.jpg", Fixtures.truncatedJpeg(), species),
                        row(schema, "c.jpg", null, species),
                        row(schema, "d.jpg", Fixtures.jpeg(40, 40, 0x00FF00), null)));
        Path out = tmp.resolve("out");
        Configuration conf = new Configuration();
        conf.set(IngestOptions.INPUT, in.toString());
        conf.set(IngestOptions.OUTPUT, out.toString());
        conf.set(IngestOptions.SQUARE_SIZE, 24);

        IngestJob.Summary summary =
                new IngestJob(IngestJob.Settings.from(conf))
                        .run(StreamExecutionEnvironment.getExecutionEnvironment());

        assertThat(summary.layout()).isEqualTo(IngestOptions.Layout.PARQUET);
        assertThat(summary.imagesWritten()).isEqualTo(2);
        assertThat(summary.deadLetters()).isEqualTo(2);
        List<GenericRecord> rows = OutputFiles.parquetRows(out);
        GenericRecord a =
                rows.stream()
                        .filter(r -> r.get("image_name").toString().equals("a.jpg"))
                        .findFirst()
                        .orElseThrow();
        assertThat(a.get("species_id")).isEqualTo(1392608L);
        assertThat(a.get("organ").toString()).isEqualTo("leaf");
        assertThat(a.get("latitude").toString()).isEqualTo("45.5");
        assertThat(a.get("path").toString()).endsWith("in/part-00000.parquet#a.jpg");
        assertThat(new ImageDecoder().decode(IngestJobITCase.bytes(a.get("data"))).width())
                .isEqualTo(24);
        assertThat(
                        rows.stream()
                                .filter(r -> r.get("image_name").toString().equals("d.jpg"))
                                .findFirst()
                                .orElseThrow()
                                .get("species_id"))
                .isNull();

        List<JsonNode> letters = OutputFiles.jsonLines(out.resolve("_dead_letters"));
        assertThat(letters)
                .extracting(l -> l.get("reason").asText())
                .anySatisfy(r -> assertThat(r).isEqualTo("row 'c.jpg' has no data"))
                .hasSize(2)
                .anySatisfy(r -> assertThat(r).startsWith("corrupt JPEG"));
    }

    @Test
    void filesWithDifferentSchemasAreEachReadWithTheirOwn() throws Exception {
        Path in = tmp.resolve("mixed");
        java.nio.file.Files.createDirectories(in);
        Schema int32 = sparkSchema(false);
        Schema int64 = sparkSchema(true);
        Schema plots =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .optionalBytes("data")
                        .optionalString("plot_id")
                        .optionalBytes("thumbnail")
                        .endRecord();
        write(
                in.resolve("a.parquet"),
                int32,
                List.of(row(int32, "a.jpg", Fixtures.jpeg(30, 30, 0), 11)));
        write(
                in.resolve("b.parquet"),
                int64,
                List.of(row(int64, "b.jpg", Fixtures.jpeg(30, 30, 0), 22L)));
        GenericRecord plot = new GenericData.Record(plots);
        plot.put("image_name", "CBN-1.jpg");
        plot.put("data", ByteBuffer.wrap(Fixtures.jpeg(60, 40, 0)));
        plot.put("plot_id", "CBN-1");
        plot.put("thumbnail", ByteBuffer.wrap(new byte[] {1}));
        GenericRecord broken = new GenericData.Record(plots);
        broken.put("image_name", "CBN-2.jpg");
        write(in.resolve("c.parquet"), plots, List.of(plot, broken));
        Path out = tmp.resolve("out");
        Configuration conf = new Configuration();
        conf.set(IngestOptions.INPUT, in.toString());
        conf.set(IngestOptions.OUTPUT, out.toString());
        conf.set(IngestOptions.SQUARE_SIZE, 0);

        IngestJob.Summary summary =
                new IngestJob(IngestJob.Settings.from(conf))
                        .run(StreamExecutionEnvironment.getExecutionEnvironment());

        assertThat(summary.imagesWritten()).isEqualTo(3);
        List<GenericRecord> rows = OutputFiles.parquetRows(out);
        assertThat(rows.get(0).getSchema().getFields().stream().map(Schema.Field::name).toList())
                .containsExactly(
                        "image_name", "path", "data", "species_id", "plot_id", "organ", "latitude");
        assertThat(rows)
                .extracting(
                        r -> r.get("image_name").toString(),
                        r -> r.get("species_id"),
                        r -> r.get("plot_id") == null ? null : r.get("plot_id").toString())
                .containsExactlyInAnyOrder(
                        tuple("a.jpg", 11L, null),
                        tuple("b.jpg", 22L, null),
                        tuple("CBN-1.jpg", null, "CBN-1"));
        assertThat(OutputFiles.jsonLines(out.resolve("_dead_letters")))
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.get("source").asText()).endsWith("c.parquet#row2");
                            assertThat(l.get("reason").asText())
                                    .isEqualTo("row 'CBN-2.jpg' has no data");
                        });
    }

    @Test
    void parquetWithoutImageBytesIsRefusedAtStartupNamingTheFile() throws Exception {
        Schema schema =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .endRecord();
        GenericRecord row = new GenericData.Record(schema);
        row.put("image_name", "x.jpg");
        Path file = tmp.resolve("names.parquet");
        write(file, schema, List.of(row));
        Configuration conf = new Configuration();
        conf.set(IngestOptions.INPUT, file.toString());
        conf.set(IngestOptions.OUTPUT, tmp.resolve("out").toString());

        assertThatThrownBy(() -> IngestJob.Settings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--input (ingest.input)")
                .hasMessageContaining("names.parquet has no 'data' column");
    }
}
