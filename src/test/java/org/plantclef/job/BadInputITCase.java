package org.plantclef.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.embed.TinyModels;
import org.plantclef.image.ImageEncoder;
import org.plantclef.testutil.BadInputs;
import org.plantclef.testutil.BadInputs.ImageCase;
import org.plantclef.testutil.Fixtures;
import org.plantclef.testutil.MiniClusters;
import org.plantclef.testutil.OutputFiles;

/**
 * Every job over the generated bad-input corpus ({@link BadInputs}, as files and as Parquet rows,
 * plus broken Parquet files): each valid record gives exactly one output, each invalid one exactly
 * one dead letter with a reason, bounded jobs finish, a streaming job keeps running, and the counts
 * add up (input = output + dead letters).
 */
class BadInputITCase {

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = MiniClusters.extension();

    private static final long SPECIES = 1355868L;

    /** The 3×3 grid of grid-argmax (and of the head strategy). */
    private static final int GRID = 3;

    /** Broken Parquet files, each refused whole with one dead letter. */
    private static final List<String> BAD_FILES =
            List.of(
                    "names-only.parquet",
                    "data-as-text.parquet",
                    "truncated.parquet",
                    "random.parquet",
                    "empty.parquet");

    /** Bad rows of readable Parquet files, by what their dead letter's source or reason says. */
    private static final List<String> BAD_ROWS =
            List.of(
                    "row has no image_name",
                    "row 'no-data.jpg' has no data",
                    "row 'text-species-bad.jpg' has species_id 'Acer campestre'",
                    "jpeg-baseline.jpg (copy 2 of 2) duplicate ");

    @TempDir static Path tmp;
    static List<ImageCase> cases;
    static Path species;
    static Path plots;
    static Path parquet;
    static Path headModel;

    @BeforeAll
    static void writeCorpus() throws Exception {
        cases = BadInputs.images();
        species = tmp.resolve("species");
        plots = tmp.resolve("plots");
        for (ImageCase c : cases) {
            Fixtures.write(species.resolve(SPECIES + "/" + c.name()), c.data());
            Fixtures.write(plots.resolve(c.name()), c.data());
        }
        parquet = tmp.resolve("parquet");
        writeParquetCorpus(parquet);
        headModel = TinyModels.headModel(tmp.resolve("head"));
    }

    /**
     * images.parquet holds every corpus case as a row, then a row without image_name, one without
     * data and a second row named jpeg-baseline.jpg; species-as-text.parquet has a species_id that
     * is not a number; the others are broken files.
     */
    private static void writeParquetCorpus(Path dir) throws Exception {
        Schema schema =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .optionalBytes("data")
                        .optionalLong("species_id")
                        .endRecord();
        List<GenericRecord> rows = new ArrayList<>();
        for (ImageCase c : cases) {
            rows.add(row(schema, c.name(), c.data(), SPECIES));
        }
        rows.add(row(schema, null, photo(1), SPECIES));
        rows.add(row(schema, "no-data.jpg", null, SPECIES));
        rows.add(row(schema, "jpeg-baseline.jpg", photo(2), SPECIES));
        Path images = Fixtures.parquet(dir.resolve("images.parquet"), schema, rows);

        Schema textSpecies =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .optionalBytes("data")
                        .optionalString("species_id")
                        .endRecord();
        Fixtures.parquet(
                dir.resolve("species-as-text.parquet"),
                textSpecies,
                List.of(
                        row(textSpecies, "text-species-ok.jpg", photo(3), String.valueOf(SPECIES)),
                        row(textSpecies, "text-species-bad.jpg", photo(4), "Acer campestre")));

        Schema namesOnly =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .endRecord();
        GenericRecord name = new GenericData.Record(namesOnly);
        name.put("image_name", "x.jpg");
        Fixtures.parquet(dir.resolve("names-only.parquet"), namesOnly, List.of(name));

        Schema dataAsText =
                SchemaBuilder.record("spark_schema")
                        .fields()
                        .optionalString("image_name")
                        .optionalString("data")
                        .endRecord();
        GenericRecord text = new GenericData.Record(dataAsText);
        text.put("image_name", "y.jpg");
        text.put("data", "/9j/4AAQSkZJRgABAQ");
        Fixtures.parquet(dir.resolve("data-as-text.parquet"), dataAsText, List.of(text));

        byte[] whole = Files.readAllBytes(images);
        Files.write(dir.resolve("truncated.parquet"), Arrays.copyOf(whole, whole.length / 2));
        byte[] random = new byte[5000];
        new Random(7).nextBytes(random);
        Files.write(dir.resolve("random.parquet"), random);
        Files.write(dir.resolve("empty.parquet"), new byte[0]);
    }

    private static GenericRecord row(Schema schema, String name, byte[] data, Object species) {
        GenericRecord row = new GenericData.Record(schema);
        row.put("image_name", name);
        row.put("data", data == null ? null : ByteBuffer.wrap(data));
        row.put("species_id", species);
        return row;
    }

    private static byte[] photo(long seed) {
        return ImageEncoder.jpeg(BadInputs.noise(96, 64, 100 + seed), 0.9f);
    }

    private static List<String> names(List<ImageCase> list) {
        return list.stream().map(ImageCase::name).toList();
    }

    private static List<ImageCase> decoding() {
        return cases.stream().filter(ImageCase::decodes).toList();
    }

    private static List<ImageCase> refusedAt(int grid) {
        return cases.stream().filter(c -> !c.tiles(grid)).toList();
    }

    /** Rows of the Parquet corpus: every case, 3 extra in images.parquet, 2 in the other file. */
    private static int parquetRows() {
        return cases.size() + 3 + 2;
    }

    /**
     * Each of {@code refused} has exactly one dead letter (named by its source), as have the bad
     * Parquet rows and files when {@code withParquet}; there are no others; each has a reason.
     */
    private static void assertOneDeadLetterEach(
            List<JsonNode> letters, List<ImageCase> refused, boolean withParquet) {
        List<String> sources = letters.stream().map(l -> l.path("source").asText()).toList();
        for (ImageCase c : refused) {
            assertThat(sources)
                    .as("dead letters of %s", c)
                    .filteredOn(s -> s.endsWith("/" + c.name()) || s.endsWith("#" + c.name()))
                    .hasSize(1);
        }
        int expected = refused.size();
        if (withParquet) {
            for (String file : BAD_FILES) {
                assertThat(sources).as(file).filteredOn(s -> s.endsWith("/" + file)).hasSize(1);
            }
            List<String> described =
                    letters.stream()
                            .map(l -> l.path("source").asText() + " " + l.path("reason").asText())
                            .toList();
            for (String row : BAD_ROWS) {
                assertThat(described).as(row).filteredOn(s -> s.contains(row)).hasSize(1);
            }
            expected += BAD_FILES.size() + BAD_ROWS.size();
        }
        assertThat(letters).hasSize(expected);
        assertThat(letters)
                .allSatisfy(
                        l -> {
                            assertThat(l.path("reason").asText()).isNotBlank();
                            assertThat(l.path("stage").asText()).isNotBlank();
                        });
    }

    private static IngestJob.Summary ingest(Path input, Path out) throws Exception {
        Configuration conf = new Configuration();
        conf.set(IngestOptions.INPUT, input.toString());
        conf.set(IngestOptions.OUTPUT, out.toString());
        conf.set(IngestOptions.SQUARE_SIZE, 32);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return new IngestJob(IngestJob.Settings.from(conf)).run(env);
    }

    @Test
    void ingestOfImageFilesWritesEveryValidImageAndOneDeadLetterPerBadFile() throws Exception {
        Path out = tmp.resolve("ingest-files");
        IngestJob.Summary summary = ingest(species, out);

        List<String> written =
                OutputFiles.parquetRows(out).stream()
                        .map(r -> r.get("image_name").toString())
                        .toList();
        assertThat(written).containsExactlyInAnyOrderElementsOf(names(decoding()));
        List<ImageCase> refused = cases.stream().filter(c -> !c.decodes()).toList();
        assertOneDeadLetterEach(
                OutputFiles.jsonLines(out.resolve("_dead_letters")), refused, false);
        assertThat(summary.imagesWritten() + summary.deadLetters()).isEqualTo(cases.size());
    }

    @Test
    void ingestOfBrokenParquetRefusesBadFilesAndRowsAndReadsTheRest() throws Exception {
        Path out = tmp.resolve("ingest-parquet");
        IngestJob.Summary summary = ingest(parquet, out);

        List<String> written =
                OutputFiles.parquetRows(out).stream()
                        .map(r -> r.get("image_name").toString())
                        .toList();
        List<String> expected = new ArrayList<>(names(decoding()));
        expected.add("text-species-ok.jpg");
        assertThat(written).containsExactlyInAnyOrderElementsOf(expected);
        List<ImageCase> refused = cases.stream().filter(c -> !c.decodes()).toList();
        assertOneDeadLetterEach(OutputFiles.jsonLines(out.resolve("_dead_letters")), refused, true);
        assertThat(summary.imagesWritten() + summary.deadLetters())
                .isEqualTo(parquetRows() + BAD_FILES.size());
    }

    @Test
    void embedOfBrokenParquetEmbedsEveryValidImageOnce() throws Exception {
        Path out = tmp.resolve("embed-parquet");
        Configuration conf = new Configuration();
        conf.set(EmbedOptions.INPUT, parquet.toString());
        conf.set(EmbedOptions.OUTPUT, out.toString());
        conf.set(EmbedOptions.MODEL, TinyModels.clsOnly().toString());
        conf.set(EmbedOptions.IMAGE_SIZE, 56);
        conf.set(EmbedOptions.BATCH_SIZE, 4);
        conf.set(EmbedOptions.THREADS, 1);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        EmbedJob.Summary summary = new EmbedJob(EmbedJob.Settings.from(conf)).run(env);

        List<String> embedded =
                OutputFiles.parquetRows(out).stream()
                        .map(r -> r.get("image_name").toString())
                        .toList();
        List<String> expected = new ArrayList<>(names(decoding()));
        expected.add("text-species-ok.jpg");
        assertThat(embedded).containsExactlyInAnyOrderElementsOf(expected);
        List<ImageCase> refused = cases.stream().filter(c -> !c.decodes()).toList();
        assertOneDeadLetterEach(OutputFiles.jsonLines(out.resolve("_dead_letters")), refused, true);
        assertThat(summary.embeddingsWritten() + summary.deadLetters())
                .isEqualTo(parquetRows() + BAD_FILES.size());
    }

    private static Configuration predictConf(Path out) {
        Configuration conf = HeadPredict.conf(headModel);
        conf.set(PredictOptions.OUTPUT, out.toString());
        return conf;
    }

    private static PredictJob.Summary predict(Configuration conf) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return new PredictJob(PredictJob.Settings.from(conf)).run(env);
    }

    private static List<String> predictedPlots(Path out) throws Exception {
        return OutputFiles.jsonLines(out.resolve("predictions")).stream()
                .map(p -> p.path("plot_id").asText())
                .toList();
    }

    @Test
    void batchPredictOfPhotoFilesScoresEveryTileablePhotoOnce() throws Exception {
        Path out = tmp.resolve("predict-files");
        Configuration conf = predictConf(out);
        conf.set(PredictOptions.INPUT, plots.toString());
        PredictJob.Summary summary = predict(conf);

        List<ImageCase> scored = cases.stream().filter(c -> c.tiles(GRID)).toList();
        assertThat(predictedPlots(out))
                .containsExactlyInAnyOrderElementsOf(scored.stream().map(ImageCase::stem).toList());
        assertThat(Files.readAllLines(out.resolve("submission.csv"))).hasSize(1 + scored.size());
        assertOneDeadLetterEach(
                OutputFiles.jsonLines(out.resolve("_dead_letters")), refusedAt(GRID), false);
        assertThat(summary.plotsIncomplete()).isZero();
        assertThat(summary.plotsPredicted() + summary.deadLetters()).isEqualTo(cases.size());
    }

    @Test
    void batchPredictOfBrokenParquetScoresEveryTileablePhotoOnce() throws Exception {
        Path out = tmp.resolve("predict-parquet");
        Configuration conf = predictConf(out);
        conf.set(PredictOptions.INPUT, parquet.toString());
        PredictJob.Summary summary = predict(conf);

        List<String> expected =
                new ArrayList<>(
                        cases.stream().filter(c -> c.tiles(GRID)).map(ImageCase::stem).toList());
        expected.add("text-species-ok");
        assertThat(predictedPlots(out)).containsExactlyInAnyOrderElementsOf(expected);
        assertOneDeadLetterEach(
                OutputFiles.jsonLines(out.resolve("_dead_letters")), refusedAt(GRID), true);
        assertThat(summary.plotsIncomplete()).isZero();
        assertThat(summary.plotsPredicted() + summary.deadLetters())
                .isEqualTo(parquetRows() + BAD_FILES.size());
    }

    @Test
    void streamingPredictOverTheCorpusKeepsRunningAndLosesNothing() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path out = tmp.resolve("predict-streaming");
        Configuration conf = predictConf(out);
        conf.set(PredictOptions.MODE, PredictOptions.Mode.STREAMING);
        conf.set(PredictOptions.WATCH, watched.toString());
        conf.set(PredictOptions.WATCH_INTERVAL, Duration.ofMillis(200));
        conf.set(PredictOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        conf.set(PredictOptions.MAX_WAIT, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        JobClient job = new PredictJob(PredictJob.Settings.from(conf)).start(env);
        try {
            for (ImageCase c : cases) {
                Path hidden = watched.resolve("." + c.name() + ".tmp");
                Files.write(hidden, c.data());
                Files.move(hidden, watched.resolve(c.name()));
            }
            int plotsExpected = (int) cases.stream().filter(c -> c.tiles(GRID)).count();
            int lettersExpected = refusedAt(GRID).size();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((predictedPlots(out).size() < plotsExpected
                            || OutputFiles.jsonLines(out.resolve("_dead_letters")).size()
                                    < lettersExpected)
                    && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            // A few more checkpoints: nothing else may appear, and the job is still running.
            Thread.sleep(1500);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(predictedPlots(out))
                    .containsExactlyInAnyOrderElementsOf(
                            cases.stream()
                                    .filter(c -> c.tiles(GRID))
                                    .map(ImageCase::stem)
                                    .toList());
            assertOneDeadLetterEach(
                    OutputFiles.jsonLines(out.resolve("_dead_letters")), refusedAt(GRID), false);
        } finally {
            job.cancel().get();
        }
    }
}
