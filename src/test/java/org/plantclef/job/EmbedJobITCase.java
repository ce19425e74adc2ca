package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.DjlEmbedder;
import org.plantclef.embed.Embedding;
import org.plantclef.embed.TinyModels;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageOps;
import org.plantclef.image.RgbImage;
import org.plantclef.io.EmbeddingParquet;
import org.plantclef.synth.SyntheticDataset;
import org.plantclef.testutil.Fixtures;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/** ingest, then embed with the tiny model; results checked against direct DJL calls. */
class EmbedJobITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir Path tmp;

    private Path ingest(Path input, int squareSize) throws Exception {
        Path out = tmp.resolve("parquet-" + input.getFileName());
        Configuration conf = new Configuration();
        conf.set(IngestOptions.INPUT, input.toString());
        conf.set(IngestOptions.OUTPUT, out.toString());
        conf.set(IngestOptions.SQUARE_SIZE, squareSize);
        new IngestJob(IngestJob.Settings.from(conf))
                .run(StreamExecutionEnvironment.getExecutionEnvironment());
        return out;
    }

    private Configuration embedConf(Path input, Path output) {
        Configuration conf = new Configuration();
        conf.set(EmbedOptions.INPUT, input.toString());
        conf.set(EmbedOptions.OUTPUT, output.toString());
        conf.set(EmbedOptions.MODEL, TinyModels.tokens().toString());
        conf.set(EmbedOptions.IMAGE_SIZE, 56);
        conf.set(EmbedOptions.BATCH_SIZE, 4);
        conf.set(EmbedOptions.THREADS, 1);
        conf.set(EmbedOptions.DCT, true);
        return conf;
    }

    @Test
    void embeddingsMatchADirectDjlCallOnTheSameImages() throws Exception {
        SyntheticDataset.Result data =
                SyntheticDataset.generate(
                        tmp.resolve("data"), new SyntheticDataset.Spec(3, 3, 0, 64, 96, 96, 2, 9));
        Path images = ingest(data.layout().train(), 64);
        Fixtures.writeText(tmp.resolve("unused.txt"), "");
        Path out = tmp.resolve("embeddings");

        EmbedJob.Summary summary =
                new EmbedJob(EmbedJob.Settings.from(embedConf(images, out)))
                        .run(StreamExecutionEnvironment.getExecutionEnvironment());

        assertThat(summary.embeddingsWritten()).isEqualTo(9);
        assertThat(summary.deadLetters()).isZero();
        Map<String, GenericRecord> byName = new HashMap<>();
        for (GenericRecord row : OutputFiles.parquetRows(out)) {
            byName.put(row.get("image_name").toString(), row);
        }
        assertThat(byName).hasSize(9);
        ImageDecoder decoder = new ImageDecoder();
        try (DjlEmbedder direct =
                DjlEmbedder.open(TinyModels.spec(TinyModels.tokens(), 56, 1, true), 0)) {
            for (GenericRecord image : OutputFiles.parquetRows(images)) {
                String name = image.get("image_name").toString();
                RgbImage pixels = decoder.decode(IngestJobITCase.bytes(image.get("data")));
                Embedding expected = direct.embed(List.of(pixels)).get(0);
                GenericRecord row = byName.get(name);
                assertThat(row.get("species_id")).isEqualTo(image.get("species_id"));
                float[] cls = EmbeddingParquet.floats(row.get("cls_embedding"));
                float[] dct = EmbeddingParquet.floats(row.get("dct_embedding"));
                assertThat(cls).hasSize(48);
                assertThat(dct).hasSize(64);
                for (int i = 0; i < 48; i++) {
                    assertThat(cls[i])
                            .as(name + " cls " + i)
                            .isCloseTo(expected.cls()[i], within(1e-4f));
                }
                for (int i = 0; i < 64; i++) {
                    assertThat(dct[i])
                            .as(name + " dct " + i)
                            .isCloseTo(
                                    expected.dct()[i],
                                    within(1e-3f + 1e-4f * Math.abs(expected.dct()[i])));
                }
            }
        }
    }

    @Test
    void tilesPlotPhotosIntoAGrid() throws Exception {
        Path plots = tmp.resolve("plots");
        byte[] plot = Fixtures.jpeg(150, 100, 0x4477AA);
        Fixtures.write(plots.resolve("CBN-1.jpg"), plot);
        Fixtures.write(plots.resolve("tiny.jpg"), Fixtures.jpeg(1, 3, 0));
        Path images = ingest(plots, 0);
        Path out = tmp.resolve("tiles");
        Configuration conf = embedConf(images, out);
        conf.set(EmbedOptions.GRID, 2);
        conf.set(EmbedOptions.DCT, false);

        EmbedJob.Summary summary =
                new EmbedJob(EmbedJob.Settings.from(conf))
                        .run(StreamExecutionEnvironment.getExecutionEnvironment());

        assertThat(summary.embeddingsWritten()).isEqualTo(4);
        assertThat(summary.deadLetters()).isEqualTo(1); // tiny.jpg is smaller than the grid
        List<GenericRecord> rows = OutputFiles.parquetRows(out);
        assertThat(rows).extracting(r -> r.get("plot_id").toString()).containsOnly("CBN-1");
        assertThat(rows)
                .extracting(r -> (Integer) r.get("tile"))
                .containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(rows.get(0).getSchema().getField("dct_embedding")).isNull();

        // Tile 3 is the bottom-right 75x50 rectangle, embedded on its own.
        RgbImage decoded = new ImageDecoder().decode(plot);
        RgbImage tile3 = ImageOps.grid(decoded, 2).get(3).image();
        try (DjlEmbedder direct =
                DjlEmbedder.open(TinyModels.spec(TinyModels.tokens(), 56, 1, false), 0)) {
            float[] expected = direct.embed(List.of(tile3)).get(0).cls();
            float[] actual =
                    EmbeddingParquet.floats(
                            rows.stream()
                                    .filter(r -> (Integer) r.get("tile") == 3)
                                    .findFirst()
                                    .orElseThrow()
                                    .get("cls_embedding"));
            for (int i = 0; i < 48; i++) {
                assertThat(actual[i]).isCloseTo(expected[i], within(1e-4f));
            }
        }
    }

    @Test
    void aSafetensorsCheckpointEmbedsLikeTheTorchScriptOfTheSameWeights() throws Exception {
        SyntheticDataset.Result data =
                SyntheticDataset.generate(
                        tmp.resolve("data"), new SyntheticDataset.Spec(3, 3, 0, 64, 96, 96, 2, 9));
        Path images = ingest(data.layout().train(), 64);
        Map<String, Map<String, float[]>> byModel = new HashMap<>();
        for (Path model : List.of(TinyModels.vit(), TinyModels.vitTorchScript())) {
            Path out = tmp.resolve("embeddings-" + model.getFileName());
            Configuration conf = embedConf(images, out);
            conf.set(EmbedOptions.MODEL, model.toString());
            conf.set(EmbedOptions.IMAGE_SIZE, 70);
            EmbedJob.Summary summary =
                    new EmbedJob(EmbedJob.Settings.from(conf))
                            .run(StreamExecutionEnvironment.getExecutionEnvironment());
            assertThat(summary.embeddingsWritten()).isEqualTo(9);
            Map<String, float[]> rows = new HashMap<>();
            for (GenericRecord row : OutputFiles.parquetRows(out)) {
                float[] cls = EmbeddingParquet.floats(row.get("cls_embedding"));
                float[] dct = EmbeddingParquet.floats(row.get("dct_embedding"));
                float[] both = java.util.Arrays.copyOf(cls, cls.length + dct.length);
                System.arraycopy(dct, 0, both, cls.length, dct.length);
                rows.put(row.get("image_name").toString(), both);
            }
            byModel.put(model.getFileName().toString(), rows);
        }
        Map<String, float[]> checkpoint = byModel.get("tiny-vit-reg4.safetensors");
        Map<String, float[]> script = byModel.get("tiny-vit-reg4.pt");
        assertThat(checkpoint).hasSize(9).containsOnlyKeys(script.keySet());
        checkpoint.forEach(
                (name, values) -> {
                    assertThat(values).hasSize(32 + 64);
                    for (int i = 0; i < values.length; i++) {
                        assertThat(values[i])
                                .as(name + " value " + i)
                                .isCloseTo(script.get(name)[i], within(1e-4f));
                    }
                });
    }

    @Test
    void corruptOrUnfitModelsFailAtStartNamingTheFile() throws Exception {
        Path plots = tmp.resolve("plots");
        Fixtures.write(plots.resolve("p.jpg"), Fixtures.jpeg(30, 30, 0));
        Path images = ingest(plots, 0);
        Path corrupt = Fixtures.write(tmp.resolve("corrupt.pt"), Fixtures.truncatedJpeg());
        Configuration conf = embedConf(images, tmp.resolve("out"));
        conf.set(EmbedOptions.MODEL, corrupt.toString());
        assertThatThrownBy(() -> EmbedJob.Settings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--model (embed.model)")
                .hasMessageContaining(corrupt.toString())
                .hasMessageContaining("not a usable model");
        // DCT features need the token matrix; this model returns only the CLS vector.
        Configuration dct = embedConf(images, tmp.resolve("out"));
        dct.set(EmbedOptions.MODEL, TinyModels.clsOnly().toString());
        assertThatThrownBy(() -> EmbedJob.Settings.from(dct))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining(TinyModels.clsOnly().toString())
                .hasMessageContaining("need a model that returns the token matrix");
    }

    @Test
    void missingModelIsAConfigurationError() throws Exception {
        Path plots = tmp.resolve("plots");
        Fixtures.write(plots.resolve("p.jpg"), Fixtures.jpeg(30, 30, 0));
        Path images = ingest(plots, 0);
        Configuration conf = embedConf(images, tmp.resolve("out"));
        conf.set(EmbedOptions.MODEL, tmp.resolve("nope.pt").toString());
        assertThatThrownBy(() -> EmbedJob.Settings.from(conf))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--model (embed.model)")
                .hasMessageContaining("no such file");
    }
}
