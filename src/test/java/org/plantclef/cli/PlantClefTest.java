package org.plantclef.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's parsing and errors; nothing here starts Flink. */
class PlantClefTest {

    @TempDir Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                PlantClef.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheCommands() {
        Run run = run("--help");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("demo", "synth", "ingest", "embed", "train", "bench");
    }

    @Test
    void everyCommandHasHelpWithItsOptionsAndDefaults() {
        Run run = run("ingest", "--help");
        assertThat(run.code()).isZero();
        assertThat(run.out())
                .contains("--input=PATH", "--square-size=N", "Default: 128", "--parallelism", "-D");
        assertThat(run("synth", "--help").out()).contains("--species=N", "Default: 8");
        assertThat(run("demo", "--help").out()).contains("--output", "plantclef-demo");
    }

    @Test
    void unknownFlagIsOneLineNamingIt() {
        Run run = run("ingest", "--input", "x", "--sqare-size", "3");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("'--sqare-size'").contains("plantclef ingest --help");
    }

    @Test
    void webUiPortIsChecked() {
        Run run = run("embed", "--input", "x", "--web-ui", "99999");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--web-ui").contains("99999");
    }

    @Test
    void unknownCommandIsRefused() {
        Run run = run("serve");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("'serve'");
    }

    @Test
    void evaluatePrintsTheThreeScoresAndWritesTheSpeciesTable() throws Exception {
        Path truth = tmp.resolve("truth.csv");
        Files.writeString(truth, "plot_id;species_ids\nP1;[1, 2, 3]\nP2;[2, 4]\nP3;[5]\n");
        Path predictions = tmp.resolve("predictions.csv");
        Files.writeString(predictions, "plot_id;species_ids\nP1;[1, 2, 6]\nP2;[4]\n");
        Path table = tmp.resolve("out/species.csv");
        Run run =
                run(
                        "evaluate",
                        "--predictions",
                        predictions.toString(),
                        "--truth",
                        truth.toString(),
                        "--species-csv",
                        table.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("Plots: 3 in the truth, 2 predicted")
                .contains("Macro F1 per plot:    0.4444")
                .contains("Macro F1 per species: 0.4444  (6 species)")
                .contains("Micro F1:             0.6000  (precision 0.7500, recall 0.5000)");
        assertThat(Files.readAllLines(table)).hasSize(7);

        Run same = run("evaluate", "--predictions", truth.toString(), "--truth", truth.toString());
        assertThat(same.out()).contains("Macro F1 per plot:    1.0000");

        Files.writeString(predictions, "plot_id;species_ids\nP1;[1]\nQ7;[2]\n");
        Run unknown =
                run(
                        "evaluate",
                        "--predictions",
                        predictions.toString(),
                        "--truth",
                        truth.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err())
                .contains("--predictions (evaluate.predictions)")
                .contains("not in the ground truth: Q7");
        Run missing =
                run(
                        "evaluate",
                        "--predictions",
                        tmp.resolve("nope.csv").toString(),
                        "--truth",
                        truth.toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--predictions").contains("no such file");
    }

    @Test
    void invalidValueNamesTheFlagAndTheKey() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Run run =
                run(
                        "ingest",
                        "--input",
                        in.toString(),
                        "--output",
                        tmp.resolve("out").toString(),
                        "--square-size",
                        "-4");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().strip())
                .isEqualTo(
                        "plantclef ingest: Invalid value for --square-size (ingest.square-size):"
                                + " -4; must be in 0..4096");

        Run notANumber =
                run("ingest", "--input", in.toString(), "--output", "o", "--max-pixels", "lots");
        assertThat(notANumber.err())
                .contains("Invalid value for --max-pixels (ingest.max-pixels): lots");

        Run badEnum = run("ingest", "--input", in.toString(), "--output", "o", "--layout", "tree");
        assertThat(badEnum.err()).contains("--layout (ingest.layout): tree");
    }

    @Test
    void missingRequiredOptionIsNamed() {
        Run run = run("ingest", "--output", tmp.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option --input (ingest.input)");
    }

    @Test
    void missingInputIsNamed() {
        Run run = run("ingest", "--input", tmp.resolve("nope").toString(), "--output", "o");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--input (ingest.input)").contains("does not exist");
    }

    @Test
    void badParallelismIsNamed() {
        Run run = run("ingest", "--input", tmp.toString(), "--output", "o", "--parallelism", "0");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--parallelism: 0");
    }

    @Test
    void unparsableFlinkOptionIsOneLineNamingTheKey() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Run run =
                run(
                        "ingest",
                        "--input",
                        in.toString(),
                        "--output",
                        tmp.resolve("out").toString(),
                        "-Dparallelism.default=abc");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("Could not parse value 'abc' for key 'parallelism.default'");
    }

    @Test
    void synthWritesTheDataset() {
        Run run =
                run(
                        "synth",
                        "--output",
                        tmp.resolve("data").toString(),
                        "--species",
                        "3",
                        "--images-per-species",
                        "2",
                        "--plots",
                        "1",
                        "--train-size",
                        "48",
                        "--plot-width",
                        "120",
                        "--plot-height",
                        "96",
                        "--max-species-per-plot",
                        "2");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("Generated 3 species, 6 training photos, 1 plot photos");
        assertThat(Files.exists(tmp.resolve("data/plots_ground_truth.csv"))).isTrue();
    }

    @Test
    void synthRangeErrorsNameTheFlag() {
        Run run = run("synth", "--output", tmp.toString(), "--species", "99");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--species (synth.species): 99; must be 2..60");
    }

    @Test
    void demoRefusesSomeoneElsesDirectory() throws Exception {
        Files.writeString(tmp.resolve("precious.txt"), "keep me");
        Run run = run("demo", "--output", tmp.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--output (demo.output)").contains("not empty");
        assertThat(Files.readString(tmp.resolve("precious.txt"))).isEqualTo("keep me");
    }

    @Test
    void benchPrintsTheTableWithTheRatio() {
        Run run =
                run(
                        "bench",
                        "--model",
                        org.plantclef.embed.TinyModels.tokens().toString(),
                        "--image-size",
                        "56",
                        "--batch-sizes",
                        "1;2",
                        "--device",
                        "CPU",
                        "--threads",
                        "1",
                        "--photos",
                        "2",
                        "--photo-width",
                        "128",
                        "--seconds",
                        "0.2");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("device | batch | bare model img/s | full path img/s | full/bare")
                .containsPattern(
                        "(?m)^\\s*cpu\\(\\) \\|\\s+1 \\|\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|\\s+0\\.[0-9]{3} \\|")
                .containsPattern("(?m)^\\s*cpu\\(\\) \\|\\s+2 \\|");
    }

    @Test
    void benchPipelineRunsThePredictJobAgainstTheBareModel() {
        Run run =
                run(
                        "bench",
                        "--mode",
                        "pipeline",
                        "--model",
                        org.plantclef.embed.TinyModels.tokens().toString(),
                        "--image-size",
                        "56",
                        "--batch-sizes",
                        "4",
                        "--threads",
                        "1",
                        "--photos",
                        "3",
                        "--photo-width",
                        "200",
                        "--photo-height",
                        "150",
                        "--parallelism",
                        "1",
                        "--seconds",
                        "0.2");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("N = 3 plot photos 200x150 JPEG, grids [3]")
                .contains("| steady tiles/s | steady/bare")
                .containsPattern(
                        "(?m)^\\s+1 \\|\\s+[0-9.]+ \\([0-9.]+, [0-9.]+\\) \\|\\s+[0-9.]+ \\(3\\); [0-9.]+ \\(7\\) \\|\\s+[0-9.]+ \\|"
                                + "\\s+[0-9.]+ \\|\\s+([0-9.]+|NaN) \\|\\s+([0-9.]+|NaN)$");
    }

    @Test
    void benchDecodeTimesTheTileStagePerPhoto() {
        Run run =
                run(
                        "bench",
                        "--mode",
                        "decode",
                        "--photos",
                        "2",
                        "--photo-width",
                        "300",
                        "--photo-height",
                        "200",
                        "--grids",
                        "1;3",
                        "--image-size",
                        "56",
                        "--seconds",
                        "0.2");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("2 photos 300x200 JPEG", "grids [1, 3], 10 tiles of 56px per photo")
                .contains("decode ms/photo | tiles + resize ms/photo | total ms/photo | photos/s")
                .containsPattern("(?m)^\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|\\s+[0-9.]+$");
        assertThat(run("bench", "--mode", "decode", "--grids", "0").err())
                .contains("--grids (bench.grids)");
    }

    @Test
    void benchTrainComparesTheTrainerWithAPyTorchStyleLoop() {
        Run run =
                run(
                        "bench",
                        "--mode",
                        "train",
                        "--train-dim",
                        "16",
                        "--train-classes",
                        "4",
                        "--train-samples",
                        "256",
                        "--batch-sizes",
                        "32",
                        "--threads",
                        "1");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("Linear(16, 4)", "256 samples")
                .contains("trainer samples/s | PyTorch-style DJL loop samples/s | trainer/loop")
                .containsPattern(
                        "(?m)^\\s+32 \\|\\s+[0-9]+ \\|\\s+[0-9]+ \\|\\s+[0-9.]+ \\|\\s+[0-9.]+%$");
    }
}
