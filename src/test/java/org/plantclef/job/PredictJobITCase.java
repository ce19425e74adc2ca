package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.TinyModels;
import org.plantclef.io.Submission;
import org.plantclef.synth.SyntheticDataset;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/** synth -> ingest -> embed -> train once, then predict on the MiniCluster in several ways. */
class PredictJobITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    @TempDir static Path shared;
    static SyntheticDataset.Result data;
    static Path plots;
    static Path classifier;
    static TrainedFixture trained;

    @BeforeAll
    static void train() throws Exception {
        TrainedFixture fixture = TrainedFixture.create(shared, 7);
        data = fixture.data();
        plots = fixture.plots();
        classifier = fixture.classifier();
        trained = fixture;
    }

    private static Configuration conf(Path input, Path output, String strategy) {
        Configuration conf = trained.predictConf(strategy);
        conf.set(PredictOptions.INPUT, input.toString());
        conf.set(PredictOptions.OUTPUT, output.toString());
        return conf;
    }

    /** The head strategy on {@code model} (no classifier) over the fixture's plots. */
    private static Configuration headConf(Path model, Path output) {
        Configuration conf = conf(plots, output, "head");
        conf.removeConfig(PredictOptions.CLASSIFIER);
        conf.set(PredictOptions.MODEL, model.toString());
        return conf;
    }

    /** Every species id in a run's submission.csv. */
    private static Set<Long> submittedSpecies(Path output) throws Exception {
        Set<Long> species = new HashSet<>();
        Submission.read(new org.apache.flink.core.fs.Path(output.resolve("submission.csv").toUri()))
                .values()
                .forEach(species::addAll);
        return species;
    }

    private static PredictJob.Summary predict(Configuration conf, int parallelism)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        return new PredictJob(PredictJob.Settings.from(conf)).run(env);
    }

    private static List<String> plotIds() {
        return data.plots().stream().map(SyntheticDataset.Plot::plotId).sorted().toList();
    }

    @Test
    void parallelismTwoWritesTheSameSubmissionAsParallelismOne() throws Exception {
        for (String strategy : List.of("grid-argmax", "multiscale")) {
            Path one = shared.resolve(strategy + "-p1");
            Path two = shared.resolve(strategy + "-p2");
            PredictJob.Summary s1 = predict(conf(plots, one, strategy), 1);
            PredictJob.Summary s2 = predict(conf(plots, two, strategy), 2);
            assertThat(s1.plotsPredicted()).isEqualTo(7);
            assertThat(s2.plotsPredicted()).isEqualTo(7);
            assertThat(s2.plotsIncomplete()).isZero();
            byte[] first = Files.readAllBytes(one.resolve("submission.csv"));
            assertThat(Files.readAllBytes(two.resolve("submission.csv")))
                    .as(strategy)
                    .isEqualTo(first);
            List<String> lines = List.of(new String(first, StandardCharsets.UTF_8).split("\n"));
            assertThat(lines.get(0)).isEqualTo("plot_id;species_ids");
            assertThat(lines.subList(1, lines.size()))
                    .extracting(l -> l.substring(0, l.indexOf(';')))
                    .containsExactlyElementsOf(plotIds());
            assertThat(lines.subList(1, lines.size()))
                    .allMatch(l -> l.matches("[^;]+;\\[\\d+(, \\d+)*\\]"));

            List<JsonNode> json = OutputFiles.jsonLines(two.resolve("predictions"));
            assertThat(json).hasSize(7);
            int tiles = "multiscale".equals(strategy) ? 1 + 4 + 9 + 16 : 9;
            for (JsonNode plot : json) {
                assertThat(plot.path("strategy").asText()).isEqualTo(strategy);
                assertThat(plot.path("complete").asBoolean()).isTrue();
                assertThat(plot.path("tiles")).hasSize(tiles);
                assertThat(plot.path("tiles").get(0).path("species_ids").size()).isGreaterThan(0);
            }
        }
    }

    @Test
    void readsADirectoryOfPhotosSendsBrokenOnesToDeadLettersAndScoresWithTheTruth()
            throws Exception {
        Path dir = shared.resolve("photo-dir");
        Files.createDirectories(dir);
        try (var files = Files.list(data.layout().plots())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        Files.write(dir.resolve("BROKEN-PLOT.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2});
        Path out = shared.resolve("from-dir");
        Configuration conf = conf(dir, out, "grid-topk");
        conf.set(PredictOptions.TRUTH, data.layout().groundTruth().toString());
        PredictJob.Summary s = predict(conf, 2);
        assertThat(s.plotsPredicted()).isEqualTo(7);
        assertThat(s.deadLetters()).isEqualTo(1);
        List<JsonNode> letters = OutputFiles.jsonLines(out.resolve("_dead_letters"));
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).path("source").asText()).endsWith("BROKEN-PLOT.jpg");
        assertThat(letters.get(0).path("stage").asText()).isEqualTo("tile");
        var rows =
                Submission.read(
                        new org.apache.flink.core.fs.Path(out.resolve("submission.csv").toUri()));
        assertThat(rows.keySet()).containsExactlyElementsOf(plotIds());
        assertThat(rows.values()).allMatch(species -> species.size() <= 5 && !species.isEmpty());
        assertThat(s.evaluation()).isNotNull();
        assertThat(s.evaluation().plots()).isEqualTo(7);
        assertThat(s.evaluation().microRecall()).isPositive();
    }

    @Test
    void headStrategyRunsASafetensorsCheckpointsOwnHead() throws Exception {
        // The tiny timm checkpoint has a 7-class head; its mapping names 7 species.
        Path model = shared.resolve("checkpoint/model.safetensors");
        Files.createDirectories(model.getParent());
        Files.copy(TinyModels.vit(), model);
        List<Long> ids = IntStream.range(0, 7).mapToObj(i -> 8_000_000L + i).toList();
        Files.write(
                model.resolveSibling("class_mapping.txt"),
                ids.stream().map(String::valueOf).toList());
        Path out = shared.resolve("checkpoint-head-out");
        PredictJob.Summary s = predict(headConf(model, out), 2);
        assertThat(s.plotsPredicted()).isEqualTo(7);
        assertThat(submittedSpecies(out)).isNotEmpty().allMatch(ids::contains);

        // A mapping of another length than the head is refused at start.
        Files.write(model.resolveSibling("class_mapping.txt"), List.of("1", "2", "3"));
        Configuration wrong = headConf(model, shared.resolve("never"));
        assertThatThrownBy(() -> PredictJob.Settings.from(wrong))
                .hasMessageContaining("--class-mapping (predict.class-mapping)")
                .hasMessageContaining("lists 3 classes but " + model + " returns 7 values");
    }

    @Test
    void headStrategyUsesTheModelsOwnOutputAndItsClassMapping() throws Exception {
        // The CLS-only tiny model returns 48 values per image: read as the logits of 48 classes.
        Path model = TinyModels.headModel(shared.resolve("head"));
        List<Long> ids = IntStream.range(0, 48).mapToObj(i -> 9_000_000L + i).toList();
        Path out = shared.resolve("head-out");
        PredictJob.Summary s = predict(headConf(model, out), 2);
        assertThat(s.plotsPredicted()).isEqualTo(7);
        assertThat(submittedSpecies(out)).isNotEmpty().allMatch(ids::contains);
        for (JsonNode plot : OutputFiles.jsonLines(out.resolve("predictions"))) {
            List<Long> tops = new ArrayList<>();
            for (JsonNode tile : plot.path("tiles")) {
                tops.add(tile.path("species_ids").get(0).asLong());
            }
            List<Long> expected = tops.stream().distinct().toList();
            List<Long> species = new ArrayList<>();
            plot.path("species_ids").forEach(n -> species.add(n.asLong()));
            assertThat(species).isEqualTo(expected);
        }
    }

    @Test
    void streamingModeCommitsSubmissionPartsAtCheckpoints() throws Exception {
        Path batch = shared.resolve("batch-for-streaming");
        predict(conf(plots, batch, "grid-argmax"), 1);
        Path out = shared.resolve("streaming");
        Configuration conf = conf(plots, out, "grid-argmax");
        conf.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200);
        PredictJob.Summary s = new PredictJob(PredictJob.Settings.from(conf)).run(env);
        assertThat(s.submission()).isNull();
        assertThat(out.resolve("submission.csv")).doesNotExist();
        Set<String> rows = new HashSet<>();
        for (Path part : OutputFiles.files(out.resolve("submission"), ".csv")) {
            List<String> lines = Files.readAllLines(part);
            assertThat(lines.get(0)).isEqualTo("plot_id;species_ids");
            rows.addAll(lines.subList(1, lines.size()));
        }
        List<String> expected = Files.readAllLines(batch.resolve("submission.csv"));
        assertThat(rows).containsExactlyInAnyOrderElementsOf(expected.subList(1, expected.size()));
        assertThat(OutputFiles.jsonLines(out.resolve("predictions"))).hasSize(7);
    }

    @Test
    void badOptionsFailAtStartNamingTheOption() throws Exception {
        Path out = shared.resolve("never");
        Configuration noClassifier = conf(plots, out, "grid-argmax");
        noClassifier.removeConfig(PredictOptions.CLASSIFIER);
        assertThatThrownBy(() -> PredictJob.Settings.from(noClassifier))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--classifier (predict.classifier)");
        Configuration notAClassifier = conf(plots, out, "grid-argmax");
        notAClassifier.set(PredictOptions.CLASSIFIER, plots.toString());
        assertThatThrownBy(() -> PredictJob.Settings.from(notAClassifier))
                .hasMessageContaining("--classifier")
                .hasMessageContaining("not a classifier directory");
        Configuration strategy = conf(plots, out, "vote");
        assertThatThrownBy(() -> PredictJob.Settings.from(strategy))
                .hasMessageContaining("--strategy (predict.strategy): vote")
                .hasMessageContaining("grid-argmax");
        Configuration topL = conf(plots, out, "grid-topk");
        topL.set(PredictOptions.TOP_L, 11);
        assertThatThrownBy(() -> PredictJob.Settings.from(topL)).hasMessageContaining("--top-l");
        Configuration grids = conf(plots, out, "multiscale");
        grids.set(PredictOptions.GRIDS, "1,2,x");
        assertThatThrownBy(() -> PredictJob.Settings.from(grids)).hasMessageContaining("--grids");
        Configuration head = conf(plots, out, "head");
        assertThatThrownBy(() -> PredictJob.Settings.from(head))
                .hasMessageContaining("--class-mapping")
                .hasMessageContaining("no such file");
        Path corrupt = shared.resolve("corrupt/model.pt");
        Files.createDirectories(corrupt.getParent());
        Files.write(corrupt, new byte[] {'P', 'K', 3, 4, 9, 9, 9, 9, 9, 9});
        Configuration badModel = conf(plots, out, "grid-argmax");
        badModel.set(PredictOptions.MODEL, corrupt.toString());
        assertThatThrownBy(() -> PredictJob.Settings.from(badModel))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageContaining("--model (predict.model): " + corrupt)
                .hasMessageContaining("not a usable model");
        // The DCT classifier needs the token matrix; the CLS-only model cannot give it.
        Configuration clsOnly = conf(plots, out, "grid-argmax");
        clsOnly.set(PredictOptions.MODEL, TinyModels.clsOnly().toString());
        assertThatThrownBy(() -> PredictJob.Settings.from(clsOnly))
                .hasMessageContaining("--model (predict.model)")
                .hasMessageContaining("token matrix");
        // A head model whose logits do not match its class mapping.
        Path headModel = shared.resolve("bad-head/model.pt");
        Files.createDirectories(headModel.getParent());
        Files.copy(
                TinyModels.clsOnly(), headModel, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(headModel.resolveSibling("class_mapping.txt"), List.of("1", "2", "3"));
        Configuration headConf = conf(plots, out, "head");
        headConf.removeConfig(PredictOptions.CLASSIFIER);
        headConf.set(PredictOptions.MODEL, headModel.toString());
        assertThatThrownBy(() -> PredictJob.Settings.from(headConf))
                .hasMessageContaining("--class-mapping (predict.class-mapping)")
                .hasMessageContaining("lists 3 classes but " + headModel + " returns 48 values");
        Configuration into = conf(plots, plots.resolve("out"), "grid-argmax");
        assertThatThrownBy(() -> PredictJob.Settings.from(into)).hasMessageContaining("--output");
    }
}
