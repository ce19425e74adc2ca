package org.plantclef.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.testutil.Fixtures;

/** Plot ids and species names come from file names and CSVs: nothing of them may run as HTML. */
class HtmlReportTest {

    @TempDir Path dir;

    @Test
    void idsAndNamesAreEscapedEverywhere() throws Exception {
        String plot = "<script>alert(1)</script>\"onmouseover=\"x";
        Path predictions = Files.createDirectories(dir.resolve("predictions"));
        Files.writeString(
                predictions.resolve("p.jsonl"),
                "{\"plot_id\":\"<script>alert(1)</script>\\\"onmouseover=\\\"x\","
                        + "\"species_ids\":[7],\"tiles\":[{\"grid\":1,\"index\":0,"
                        + "\"species_ids\":[7],\"probabilities\":[0.9]}]}\n");
        Path photo = Fixtures.write(dir.resolve("photo.jpg"), Fixtures.jpeg(40, 30, 0x336699));
        Evaluation e = Evaluation.of(Map.of(plot, List.of(7L)), Map.of(plot, List.of(7L)));
        Path report = dir.resolve("report.html");
        HtmlReport.write(
                report,
                "<b>title</b>",
                List.of(new HtmlReport.Run("grid-argmax", e, predictions)),
                "grid-argmax",
                Map.of(plot, List.of(7L)),
                Map.of(plot, photo),
                Map.of(7L, "Viola <img src=x onerror=alert(2)>"));
        String html = Files.readString(report);
        assertThat(html)
                .doesNotContain("<script>")
                .doesNotContain("<img src=x")
                .doesNotContain("<b>title</b>")
                .doesNotContain("\"onmouseover=\"x")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=&quot;x")
                .contains("Viola &lt;img src=x onerror=alert(2)&gt;");
    }
}
