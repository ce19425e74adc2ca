package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.RgbImage;
import org.plantclef.job.IngestOptions.Layout;
import org.plantclef.testutil.Fixtures;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

class IngestJobITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir Path tmp;

    private static IngestJob.Summary ingest(Configuration conf) throws Exception {
        IngestJob job = new IngestJob(IngestJob.Settings.from(conf));
        return job.run(StreamExecutionEnvironment.getExecutionEnvironment());
    }

    private Configuration conf(Path input, Path output) {
        Configuration conf = new Configuration();
        conf.set(IngestOptions.INPUT, input.toString());
        conf.set(IngestOptions.OUTPUT, output.toString());
        return conf;
    }

    @Test
    void speciesLayoutWithMetadataAndBadFiles() throws Exception {
        Path train = tmp.resolve("train");
        Fixtures.write(train.resolve("1355868/a.jpg"), Fixtures.jpeg(300, 200, 0xFF0000));
        Fixtures.write(train.resolve("1355868/b.jpg"), Fixtures.jpeg(200, 300, 0x00FF00));
        Fixtures.write(train.resolve("1392608/c.jpg"), Fixtures.jpeg(64, 64, 0x0000FF));
        Fixtures.write(train.resolve("1392608/d.jpg"), Fixtures.jpeg(50, 40, 0xFFFF00));
        Fixtures.write(train.resolve("1392608/corrupt.jpg"), Fixtures.truncatedJpeg());
        Fixtures.write(train.resolve("1392608/empty.jpg"), new byte[0]);
        Fixtures.writeText(train.resolve("1392608/notes.txt"), "not an image\n");
        Fixtures.writeText(train.resolve("1392608/.hidden.jpg"), "skipped: hidden\n");
        Fixtures.write(train.resolve("unsorted/e.jpg"), Fixtures.jpeg(30, 30, 0));
        Fixtures.write(train.resolve("stray.jpg"), Fixtures.jpeg(30, 30, 0));
        Path csv =
                Fixtures.writeText(
                        train.resolve("metadata.csv"),
                        "image_name;organ;species_id;obs_id;species\n"
                                + "a.jpg;leaf;1355868;1;\"Acer; campestre\"\n"
                                + "b.jpg;flower;1355868;2;Acer campestre\n"
                                + "c.jpg;leaf;1392608;3;Bellis perennis\n"
                                + "d.jpg;leaf;9999999;4;Wrong species\n"
                                + "zzz.jpg;leaf;1;5;No such image\n"
                                + "broken;line\n");
        Path out = tmp.resolve("out");
        Configuration conf = conf(train, out);
        conf.set(IngestOptions.METADATA, csv.toString());
        conf.set(IngestOptions.SQUARE_SIZE, 32);

        IngestJob.Summary summary = ingest(conf);

        assertThat(summary.layout()).isEqualTo(Layout.SPECIES);
        assertThat(summary.imagesWritten()).isEqualTo(3);
        // corrupt, empty, text, species conflict (d.jpg), malformed CSV line, a directory that is
        // not a species id, a file outside any species directory
        assertThat(summary.deadLetters()).isEqualTo(7);
        assertThat(summary.metadataWithoutImage()).isEqualTo(1);
        assertThat(summary.imagesWithoutMetadata()).isZero();

        Map<String, GenericRecord> rows =
                OutputFiles.parquetRows(out).stream()
                        .collect(
                                Collectors.toMap(
                                        r -> r.get("image_name").toString(), Function.identity()));
        assertThat(rows).containsOnlyKeys("a.jpg", "b.jpg", "c.jpg");
        GenericRecord a = rows.get("a.jpg");
        assertThat(a.getSchema().getFields().stream().map(f -> f.name()).toList())
                .containsExactly(
                        "image_name", "path", "data", "species_id", "organ", "obs_id", "species");
        assertThat(a.get("species_id")).isEqualTo(1355868L);
        assertThat(a.get("organ").toString()).isEqualTo("leaf");
        assertThat(a.get("species").toString()).isEqualTo("Acer; campestre");
        assertThat(a.get("path").toString()).endsWith("train/1355868/a.jpg");
        RgbImage crop = new ImageDecoder().decode(bytes(a.get("data")));
        assertThat(crop.width()).isEqualTo(32);
        assertThat(crop.height()).isEqualTo(32);
        assertThat(crop.get(16, 16, 0)).isGreaterThan(240);
        assertThat(rows.get("c.jpg").get("species_id")).isEqualTo(1392608L);

        List<JsonNode> letters = OutputFiles.jsonLines(out.resolve("_dead_letters"));
        Map<String, String> reasons =
                letters.stream()
                        .collect(
                                Collectors.toMap(
                                        l -> l.get("source").asText().replaceAll(".*/", ""),
                                        l -> l.get("reason").asText()));
        assertThat(reasons)
                .containsOnlyKeys(
                        "corrupt.jpg",
                        "empty.jpg",
                        "notes.txt",
                        "d.jpg",
                        "metadata.csv:7",
                        "e.jpg",
                        "stray.jpg");
        assertThat(reasons.get("e.jpg"))
                .isEqualTo(
                        "directory 'unsorted' is not a numeric species id"
                                + " (expected <root>/<species_id>/<image>)");
        assertThat(reasons.get("stray.jpg"))
                .isEqualTo(
                        "file is not inside a species directory"
                                + " (expected <root>/<species_id>/<image>)");
        assertThat(reasons.get("corrupt.jpg")).startsWith("corrupt JPEG");
        assertThat(reasons.get("empty.jpg")).isEqualTo("empty file (0 bytes)");
        assertThat(reasons.get("notes.txt")).startsWith("not an image");
        assertThat(reasons.get("d.jpg"))
                .isEqualTo(
                        "species_id conflict: the directory says 1392608, the metadata says 9999999");
        assertThat(reasons.get("metadata.csv:7")).isEqualTo("line has 2 fields, the header has 5");
        assertThat(letters).allSatisfy(l -> assertThat(l.get("time").asText()).endsWith("Z"));
    }

    @Test
    void flatPlotDirectoryKeepsOriginalBytesWithSquareSizeZero() throws Exception {
        Path plots = tmp.resolve("plots");
        byte[] plot = Fixtures.jpeg(120, 90, 0x336699);
        Fixtures.write(plots.resolve("CBN-PdlC-A1-20130807.jpg"), plot);
        Fixtures.write(plots.resolve("CBN-PdlC-A2-20130807.jpg"), Fixtures.jpeg(80, 80, 0));
        Fixtures.writeText(plots.resolve("readme.txt"), "hello");
        Path out = tmp.resolve("plots-parquet");
        Configuration conf = conf(plots, out);
        conf.set(IngestOptions.SQUARE_SIZE, 0);

        IngestJob.Summary summary = ingest(conf);

        assertThat(summary.layout()).isEqualTo(Layout.FLAT);
        assertThat(summary.imagesWritten()).isEqualTo(2);
        assertThat(summary.deadLetters()).isEqualTo(1);
        Map<String, GenericRecord> rows =
                OutputFiles.parquetRows(out).stream()
                        .collect(
                                Collectors.toMap(
                                        r -> r.get("image_name").toString(), Function.identity()));
        assertThat(rows).containsOnlyKeys("CBN-PdlC-A1-20130807.jpg", "CBN-PdlC-A2-20130807.jpg");
        GenericRecord first = rows.get("CBN-PdlC-A1-20130807.jpg");
        assertThat(bytes(first.get("data"))).isEqualTo(plot);
        assertThat(first.get("species_id")).isNull();
        assertThat(first.get("plot_id").toString()).isEqualTo("CBN-PdlC-A1-20130807");
    }

    @Test
    void oversizedFilesAndAChosenDeadLetterDirectory() throws Exception {
        Path plots = tmp.resolve("plots");
        byte[] big = Fixtures.truncatedJpeg(); // content does not matter: it is never read
        byte[] padded = Arrays.copyOf(big, 5000);
        Fixtures.write(plots.resolve("big.jpg"), padded);
        Fixtures.write(plots.resolve("small.jpg"), Fixtures.jpeg(16, 16, 0));
        Path out = tmp.resolve("out");
        Path letters = tmp.resolve("letters");
        Configuration conf = conf(plots, out);
        conf.set(
                IngestOptions.MAX_FILE_SIZE,
                org.apache.flink.configuration.MemorySize.parse("4kb"));
        conf.set(IngestOptions.DEAD_LETTERS, letters.toString());

        IngestJob.Summary summary = ingest(conf);

        assertThat(summary.imagesWritten()).isEqualTo(1);
        assertThat(summary.deadLetterDir()).isEqualTo(letters.toString());
        assertThat(OutputFiles.jsonLines(letters))
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.get("stage").asText()).isEqualTo("read");
                            assertThat(l.get("reason").asText())
                                    .isEqualTo(
                                            "file is 5000 bytes, over the limit of 4096"
                                                    + " (max-file-size)");
                        });
        assertThat(Files.exists(out.resolve("_dead_letters"))).isFalse();
    }

    @Test
    void readsParquetWrittenByIngestAndRecropsIt() throws Exception {
        Path train = tmp.resolve("train");
        Fixtures.write(train.resolve("7/x.jpg"), Fixtures.jpeg(100, 60, 0x808080));
        Path csv =
                Fixtures.writeText(
                        tmp.resolve("meta.csv"), "image_name;species_id;organ\nx.jpg;7;bark\n");
        Path first = tmp.resolve("first");
        Configuration conf = conf(train, first);
        conf.set(IngestOptions.METADATA, csv.toString());
        conf.set(IngestOptions.SQUARE_SIZE, 0);
        ingest(conf);

        Path second = tmp.resolve("second");
        Configuration again = conf(first, second);
        again.set(IngestOptions.SQUARE_SIZE, 16);
        IngestJob.Summary summary = ingest(again);

        assertThat(summary.layout()).isEqualTo(Layout.PARQUET);
        List<GenericRecord> rows = OutputFiles.parquetRows(second);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("species_id")).isEqualTo(7L);
        assertThat(rows.get(0).get("organ").toString()).isEqualTo("bark");
        assertThat(new ImageDecoder().decode(bytes(rows.get(0).get("data"))).width()).isEqualTo(16);
    }

    @Test
    void refusesANonEmptyOutputUnlessOverwrite() throws Exception {
        Path plots = tmp.resolve("plots");
        Fixtures.write(plots.resolve("p.jpg"), Fixtures.jpeg(20, 20, 0));
        Path out = tmp.resolve("out");
        Fixtures.writeText(out.resolve("old.parquet"), "stale");

        assertThatThrownBy(() -> IngestJob.Settings.from(conf(plots, out)))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--output (ingest.output)")
                .hasMessageContaining("not empty");

        Configuration conf = conf(plots, out);
        conf.set(IngestOptions.OVERWRITE, true);
        assertThat(ingest(conf).imagesWritten()).isEqualTo(1);
        assertThat(Files.exists(out.resolve("old.parquet"))).isFalse();
    }

    @Test
    void refusesAnOutputThatContainsTheInput() throws Exception {
        Path plots = tmp.resolve("data/plots");
        Fixtures.write(plots.resolve("p.jpg"), Fixtures.jpeg(20, 20, 0));
        Configuration conf = conf(plots, tmp.resolve("data"));
        conf.set(IngestOptions.OVERWRITE, true);

        assertThatThrownBy(() -> IngestJob.Settings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--output (ingest.output)")
                .hasMessageContaining("must not be, contain or lie inside the input");
        assertThat(Files.exists(plots.resolve("p.jpg"))).isTrue();

        assertThatThrownBy(() -> IngestJob.Settings.from(conf(plots, plots.resolve("parquet"))))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("lie inside the input");
    }

    @Test
    void refusesMetadataColumnsThatWouldOverwriteOurs() throws Exception {
        Path plots = tmp.resolve("plots");
        Fixtures.write(plots.resolve("p.jpg"), Fixtures.jpeg(20, 20, 0));
        Path csv = Fixtures.writeText(tmp.resolve("m.csv"), "image_name;data\np.jpg;x\n");
        Configuration conf = conf(plots, tmp.resolve("out"));
        conf.set(IngestOptions.METADATA, csv.toString());

        assertThatThrownBy(() -> IngestJob.Settings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--metadata (ingest.metadata)")
                .hasMessageContaining("column 'data' would overwrite");
    }

    static byte[] bytes(Object value) {
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
