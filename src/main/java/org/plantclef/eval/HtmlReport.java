package org.plantclef.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.Interpolation;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.Resizer;
import org.plantclef.image.RgbImage;

/**
 * A self-contained HTML page (images inlined) comparing strategies: the score table, then a few
 * plots drawn with their grid, each tile labelled with the species it predicts (green when the plot
 * holds it, red when not), the true species, and every strategy's prediction.
 */
public final class HtmlReport {

    /** One strategy's run: its scores and where its per-plot JSON Lines are. */
    public record Run(String strategy, Evaluation evaluation, Path predictionsDir) {}

    /** A tile as the JSON Lines record it: grid, index, and its top species with probability. */
    public record TileView(int grid, int index, long species, double probability) {}

    /** A plot as the JSON Lines record it. */
    public record PlotView(String plotId, List<Long> species, List<TileView> tiles) {}

    private HtmlReport() {}

    /** Reads every {@code *.jsonl} file of a predict run: plot id → its prediction. */
    public static Map<String, PlotView> readPredictions(Path dir) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, PlotView> out = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files =
                    walk.filter(p -> p.getFileName().toString().endsWith(".jsonl"))
                            .filter(p -> !p.getFileName().toString().startsWith("."))
                            .sorted()
                            .toList();
        }
        for (Path file : files) {
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node = mapper.readTree(line);
                    List<Long> species = new ArrayList<>();
                    node.path("species_ids").forEach(n -> species.add(n.asLong()));
                    List<TileView> tiles = new ArrayList<>();
                    for (JsonNode t : node.path("tiles")) {
                        JsonNode ids = t.path("species_ids");
                        tiles.add(
                                new TileView(
                                        t.path("grid").asInt(),
                                        t.path("index").asInt(),
                                        ids.size() == 0 ? -1 : ids.get(0).asLong(),
                                        ids.size() == 0
                                                ? 0
                                                : t.path("probabilities").get(0).asDouble()));
                    }
                    String plot = node.path("plot_id").asText();
                    out.put(plot, new PlotView(plot, species, tiles));
                }
            }
        }
        return out;
    }

    /**
     * Writes the report.
     *
     * @param runs the strategies, in table order
     * @param drawn the strategy whose tiles are drawn on the photos (a single-grid one)
     * @param truth plot id → true species
     * @param photos plot id → photo file, for the plots to draw (in order)
     * @param names species id → a name to show next to it (may be empty)
     */
    public static void write(
            Path file,
            String title,
            List<Run> runs,
            String drawn,
            Map<String, List<Long>> truth,
            Map<String, Path> photos,
            Map<Long, String> names)
            throws IOException {
        Map<String, Map<String, PlotView>> predictions = new LinkedHashMap<>();
        for (Run run : runs) {
            predictions.put(run.strategy(), readPredictions(run.predictionsDir()));
        }
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(escape(title))
                .append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #bbb;padding:4px 10px;text-align:right}")
                .append("th:first-child,td:first-child{text-align:left}\n")
                .append(".best{font-weight:bold;background:#e8f5e9}\n")
                .append(".plot{display:flex;gap:2em;margin:2em 0;align-items:flex-start}\n")
                .append(".photo{position:relative;display:inline-block}")
                .append(".photo img{display:block}\n")
                .append(".tile{position:absolute;box-sizing:border-box;border:1px solid")
                .append(" rgba(255,255,255,.8)}\n")
                .append(".tile span{position:absolute;left:2px;top:2px;font-size:11px;")
                .append("padding:1px 3px;border-radius:3px;color:#fff}\n")
                .append(".hit{background:rgba(46,125,50,.85)}.miss{background:rgba(198,40,40,.85)}")
                .append(".none{background:rgba(97,97,97,.85)}\n")
                .append("ul{margin:.2em 0;padding-left:1.2em}.ok{color:#2e7d32}.bad{color:#c62828}")
                .append("\n</style></head><body>\n<h1>")
                .append(escape(title))
                .append("</h1>\n");
        scoreTable(h, runs);
        h.append("<h2>Plots</h2>\n<p>Tiles of <b>")
                .append(escape(drawn))
                .append("</b>: each tile's most probable species and its probability; green when")
                .append(" the plot holds that species, red when it does not.</p>\n");
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        for (Map.Entry<String, Path> photo : photos.entrySet()) {
            String plot = photo.getKey();
            List<Long> actual = truth.getOrDefault(plot, List.of());
            h.append("<div class=\"plot\"><div><h3>").append(escape(plot)).append("</h3>");
            drawPlot(h, decoder, photo.getValue(), predictions.get(drawn), plot, actual, names);
            h.append("</div><div><h4>Truth</h4><ul>");
            for (long s : actual) {
                h.append("<li>").append(label(s, names)).append("</li>");
            }
            h.append("</ul>");
            for (Map.Entry<String, Map<String, PlotView>> e : predictions.entrySet()) {
                PlotView view = e.getValue().get(plot);
                h.append("<h4>").append(escape(e.getKey())).append("</h4><ul>");
                if (view == null || view.species().isEmpty()) {
                    h.append("<li class=\"bad\">(nothing)</li>");
                } else {
                    for (long s : view.species()) {
                        boolean ok = actual.contains(s);
                        h.append("<li class=\"")
                                .append(ok ? "ok" : "bad")
                                .append("\">")
                                .append(ok ? "&#10003; " : "&#10007; ")
                                .append(label(s, names))
                                .append("</li>");
                    }
                }
                h.append("</ul>");
            }
            h.append("</div></div>\n");
        }
        h.append("</body></html>\n");
        Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    }

    private static void scoreTable(StringBuilder h, List<Run> runs) {
        double[] best = new double[3];
        for (Run r : runs) {
            best[0] = Math.max(best[0], r.evaluation().macroF1PerPlot());
            best[1] = Math.max(best[1], r.evaluation().macroF1PerSpecies());
            best[2] = Math.max(best[2], r.evaluation().microF1());
        }
        h.append("<h2>Scores</h2>\n<table><tr><th>Strategy</th><th>Macro F1 per plot</th>")
                .append("<th>Macro F1 per species</th><th>Micro F1</th>")
                .append("<th>Micro precision</th><th>Micro recall</th></tr>\n");
        for (Run r : runs) {
            Evaluation e = r.evaluation();
            double[] v = {e.macroF1PerPlot(), e.macroF1PerSpecies(), e.microF1()};
            h.append("<tr><td>").append(escape(r.strategy())).append("</td>");
            for (int i = 0; i < 3; i++) {
                h.append(v[i] == best[i] ? "<td class=\"best\">" : "<td>")
                        .append(String.format(Locale.ROOT, "%.4f", v[i]))
                        .append("</td>");
            }
            h.append(String.format(Locale.ROOT, "<td>%.4f</td>", e.microPrecision()))
                    .append(String.format(Locale.ROOT, "<td>%.4f</td>", e.microRecall()))
                    .append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void drawPlot(
            StringBuilder h,
            ImageDecoder decoder,
            Path photo,
            Map<String, PlotView> drawn,
            String plot,
            List<Long> actual,
            Map<Long, String> names)
            throws IOException {
        RgbImage image;
        try {
            image = decoder.decode(Files.readAllBytes(photo));
        } catch (InvalidImageException e) {
            h.append("<p>(").append(escape(e.getMessage())).append(")</p>");
            return;
        }
        int width = Math.min(480, image.width());
        int height = (int) Math.round((double) image.height() * width / image.width());
        RgbImage small = Resizer.resize(image, width, height, Interpolation.AREA);
        String data = Base64.getEncoder().encodeToString(ImageEncoder.jpeg(small, 0.85f));
        h.append("<div class=\"photo\" style=\"width:")
                .append(width)
                .append("px;height:")
                .append(height)
                .append("px\"><img alt=\"")
                .append(escape(plot))
                .append("\" src=\"data:image/jpeg;base64,")
                .append(data)
                .append("\">");
        PlotView view = drawn == null ? null : drawn.get(plot);
        if (view != null) {
            for (TileView t : view.tiles()) {
                // The grid of DESIGN.md: tiles of w/N x h/N, remainder on the right and bottom.
                double tw = (double) (image.width() / t.grid()) * width / image.width();
                double th = (double) (image.height() / t.grid()) * height / image.height();
                int row = t.index() / t.grid();
                int col = t.index() % t.grid();
                String css =
                        t.species() < 0 ? "none" : actual.contains(t.species()) ? "hit" : "miss";
                h.append(
                                String.format(
                                        Locale.ROOT,
                                        "<div class=\"tile\" style=\"left:%.1fpx;top:%.1fpx;"
                                                + "width:%.1fpx;height:%.1fpx\">",
                                        col * tw,
                                        row * th,
                                        tw,
                                        th))
                        .append("<span class=\"")
                        .append(css)
                        .append("\" title=\"")
                        .append(
                                t.species() < 0
                                        ? ""
                                        : escape(
                                                t.species()
                                                        + " "
                                                        + names.getOrDefault(t.species(), "")))
                        .append("\">")
                        .append(t.species() < 0 ? "-" : Long.toString(t.species()))
                        .append(String.format(Locale.ROOT, " %.2f", t.probability()))
                        .append("</span></div>");
            }
        }
        h.append("</div>");
    }

    private static String label(long species, Map<Long, String> names) {
        String name = names.get(species);
        return species + (name == null ? "" : " <i>" + escape(name) + "</i>");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
