package org.plantclef.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.ImageOps;
import org.plantclef.testutil.Fixtures;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/** The launcher end to end on the MiniCluster, as a user runs it. */
class PlantClefITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir Path tmp;

    @Test
    void ingestKeepsGoodImagesAndCountsTheBadOnes() throws Exception {
        Path in = tmp.resolve("photos");
        Fixtures.write(in.resolve("good-1.jpg"), Fixtures.jpeg(160, 120, 0xAA3322));
        Fixtures.write(in.resolve("good-2.jpg"), Fixtures.jpeg(90, 140, 0x22AA33));
        Fixtures.write(
                in.resolve("good-3.png"),
                ImageEncoder.png(
                        ImageOps.centerSquare(
                                new ImageDecoder().decode(Fixtures.jpeg(64, 64, 0x2233AA)))));
        Fixtures.write(in.resolve("corrupt.jpg"), Fixtures.truncatedJpeg());
        Fixtures.write(in.resolve("empty.jpg"), new byte[0]);
        Fixtures.writeText(in.resolve("notes.txt"), "field notes, not a photo\n");
        Path out = tmp.resolve("parquet");

        PlantClefTest.Run run =
                PlantClefTest.run("ingest", "--input", in.toString(), "--output", out.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("Ingested 3 images (flat layout)")
                .contains("Dead letters: 3 -> " + out.resolve("_dead_letters"));
        assertThat(OutputFiles.parquetRows(out))
                .extracting(r -> r.get("image_name").toString())
                .containsExactlyInAnyOrder("good-1.jpg", "good-2.jpg", "good-3.png");
        List<JsonNode> letters = OutputFiles.jsonLines(out.resolve("_dead_letters"));
        assertThat(letters)
                .extracting(l -> l.get("source").asText().replaceAll(".*/", ""))
                .containsExactlyInAnyOrder("corrupt.jpg", "empty.jpg", "notes.txt");
        assertThat(letters).allSatisfy(l -> assertThat(l.get("reason").asText()).isNotBlank());
    }

    @Test
    void demoRunsThePipelineEndToEnd() throws Exception {
        Path work = tmp.resolve("demo");
        String[] args = {
            "demo",
            "--output",
            work.toString(),
            "--species",
            "3",
            "--images-per-species",
            "4",
            "--plots",
            "2",
            "--train-size",
            "64",
            "--plot-width",
            "160",
            "--plot-height",
            "120",
            "--max-species-per-plot",
            "3"
        };
        PlantClefTest.Run run = PlantClefTest.run(args);

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("Generated 3 species, 12 training photos, 2 plot photos")
                .contains("Ingested 12 images (species layout)")
                .contains("Ingested 2 images (flat layout)")
                .contains("Embedded 12 images/tiles")
                .contains("Trained NLL on 3 species")
                .contains("Strategy      Macro F1 per plot  Macro F1 per species  Micro F1")
                .containsPattern("\nfull +\\d\\.\\d{4} +\\d\\.\\d{4} +\\d\\.\\d{4}\n")
                .containsPattern("\ngrid-argmax +\\d\\.\\d{4}")
                .containsPattern("\ngrid-topk +\\d\\.\\d{4}")
                .containsPattern("\nmultiscale +\\d\\.\\d{4}")
                .contains("Demo finished");
        // The head model was fine-tuned on the default dataset's species, not these three.
        assertThat(run.out()).doesNotContain("\nhead ");
        for (String strategy : List.of("full", "grid-argmax", "grid-topk", "multiscale")) {
            Path dir = work.resolve("predictions").resolve(strategy);
            assertThat(Files.readAllLines(dir.resolve("submission.csv")))
                    .as(strategy)
                    .hasSize(3)
                    .first()
                    .isEqualTo("plot_id;species_ids");
            assertThat(dir.resolve("species-scores.csv")).exists();
        }
        assertThat(Files.readAllLines(work.resolve("scores.csv")))
                .hasSize(5)
                .first()
                .asString()
                .startsWith("strategy;macro_f1_per_plot;macro_f1_per_species;micro_f1");
        assertThat(Files.readString(work.resolve("report.html")))
                .contains("<table>")
                .contains("data:image/jpeg;base64,")
                .contains("class=\"tile\"");
        assertThat(work.resolve("classifier/weights.safetensors")).exists();
        assertThat(work.resolve("classifier/species.txt")).exists();
        assertThat(OutputFiles.parquetRows(work.resolve("parquet/train")))
                .hasSize(12)
                .allSatisfy(r -> assertThat(r.get("species")).isNotNull());
        assertThat(OutputFiles.parquetRows(work.resolve("parquet/plots"))).hasSize(2);

        // A second run replaces the first one's directory.
        PlantClefTest.Run again = PlantClefTest.run(args);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(OutputFiles.parquetRows(work.resolve("parquet/train"))).hasSize(12);
        assertThat(Files.exists(work.resolve(DemoCommand.MARKER))).isTrue();
    }

    @Test
    void embedRunsOnWhatIngestWrote() throws Exception {
        Path photos = tmp.resolve("photos");
        Fixtures.write(photos.resolve("7/a.jpg"), Fixtures.jpeg(80, 60, 0x33AA55));
        Fixtures.write(photos.resolve("7/b.jpg"), Fixtures.jpeg(60, 80, 0xAA3355));
        Path images = tmp.resolve("images");
        assertThat(
                        PlantClefTest.run(
                                        "ingest",
                                        "--input",
                                        photos.toString(),
                                        "--output",
                                        images.toString())
                                .code())
                .isZero();
        Path embeddings = tmp.resolve("embeddings");
        PlantClefTest.Run run =
                PlantClefTest.run(
                        "embed",
                        "--input",
                        images.toString(),
                        "--output",
                        embeddings.toString(),
                        "--model",
                        org.plantclef.embed.TinyModels.tokens().toString(),
                        "--image-size",
                        "42",
                        "--batch-size",
                        "2",
                        "--threads",
                        "1",
                        "--dct");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("Embedded 2 images/tiles").contains("Dead letters: 0");
        assertThat(OutputFiles.parquetRows(embeddings))
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.get("species_id")).isEqualTo(7L);
                            assertThat((java.util.List<?>) r.get("dct_embedding")).hasSize(64);
                        });
    }
}
