package org.plantclef.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.record.PlotPrediction;

class SubmissionTest {

    @TempDir Path dir;

    private static PlotPrediction prediction(String plot, long... species) {
        return new PlotPrediction(
                plot,
                plot + ".jpg",
                "grid-argmax",
                species,
                new float[species.length],
                9,
                9,
                List.of());
    }

    private static byte[] expected() throws Exception {
        try (InputStream in =
                SubmissionTest.class.getResourceAsStream("/submission/expected-3-plots.csv")) {
            return in.readAllBytes();
        }
    }

    @Test
    void threePlotsMatchTheHandWrittenFileByteForByte() throws Exception {
        Path file = dir.resolve("submission.csv");
        try (var harness =
                new OneInputStreamOperatorTestHarness<PlotPrediction, Void>(
                        new SubmissionWriter(file.toString()))) {
            harness.setup(BasicTypeInfo.VOID_TYPE_INFO.createSerializer(null));
            harness.open();
            // Arrival order is not plot order; species keep the strategy's order.
            harness.processElement(prediction("OPTMix-0542-P2-20190604"), 1);
            harness.processElement(prediction("CBN-PdlC-A1-20130807", 1363875, 1392608), 2);
            harness.processElement(prediction("CBN-Pla-B2-20160722", 1395063), 3);
            assertThat(file).doesNotExist();
            harness.endInput();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected());
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .containsExactly("submission.csv");
        }
    }

    @Test
    void aPlotPredictedTwiceGetsOneRowWithBothSpecies() throws Exception {
        Path file = dir.resolve("s.csv");
        try (var harness =
                new OneInputStreamOperatorTestHarness<PlotPrediction, Void>(
                        new SubmissionWriter(file.toString()))) {
            harness.setup(BasicTypeInfo.VOID_TYPE_INFO.createSerializer(null));
            harness.open();
            harness.processElement(prediction("P", 3, 1), 1);
            harness.processElement(prediction("P", 2, 3), 2);
            harness.endInput();
        }
        assertThat(Files.readString(file)).isEqualTo("plot_id;species_ids\nP;[3, 1, 2]\n");
    }

    @Test
    void readsWhatItWritesAndQuotedLists() throws Exception {
        Path file = dir.resolve("in.csv");
        Files.write(file, expected());
        Map<String, List<Long>> rows =
                Submission.read(new org.apache.flink.core.fs.Path(file.toUri()));
        assertThat(rows)
                .containsExactly(
                        Map.entry("CBN-PdlC-A1-20130807", List.of(1363875L, 1392608L)),
                        Map.entry("CBN-Pla-B2-20160722", List.of(1395063L)),
                        Map.entry("OPTMix-0542-P2-20190604", List.of()));
        Files.writeString(file, "plot_id;species_ids\r\nA;\"[1,2]\"\r\n\r\n");
        assertThat(Submission.read(new org.apache.flink.core.fs.Path(file.toUri())))
                .containsExactly(Map.entry("A", List.of(1L, 2L)));
    }

    @Test
    void badFilesNameTheLine() throws Exception {
        Path file = dir.resolve("bad.csv");
        org.apache.flink.core.fs.Path path = new org.apache.flink.core.fs.Path(file.toUri());
        Files.writeString(file, "plot;species\nA;[1]\n");
        assertThatThrownBy(() -> Submission.read(path))
                .hasMessageContaining("line 1")
                .hasMessageContaining("plot_id;species_ids");
        Files.writeString(file, "plot_id;species_ids\nA;[1]\nB;[2, x]\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Submission.read(path))
                .hasMessageContaining("bad.csv line 3")
                .hasMessageContaining("'x' is not a species id");
        Files.writeString(file, "plot_id;species_ids\nA;[1]\nA;[2]\n");
        assertThatThrownBy(() -> Submission.read(path))
                .hasMessageContaining("line 3")
                .hasMessageContaining("plot A appears twice");
        Files.writeString(file, "plot_id;species_ids\nA 1 2\n");
        assertThatThrownBy(() -> Submission.read(path)).hasMessageContaining("line 2");
    }
}
