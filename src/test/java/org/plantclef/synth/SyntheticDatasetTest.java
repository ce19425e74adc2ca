package org.plantclef.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.RgbImage;

class SyntheticDatasetTest {

    private static final SyntheticDataset.Spec SMALL =
            new SyntheticDataset.Spec(4, 6, 3, 64, 192, 144, 3, 7);

    @TempDir Path tmp;

    @Test
    void sameSeedGivesTheSameBytes() throws IOException {
        SyntheticDataset.generate(tmp.resolve("a"), SMALL);
        SyntheticDataset.generate(tmp.resolve("b"), SMALL);
        Map<String, byte[]> a = contents(tmp.resolve("a"));
        Map<String, byte[]> b = contents(tmp.resolve("b"));
        assertThat(a).hasSize(4 * 6 + 3 + 2);
        assertThat(b.keySet()).isEqualTo(a.keySet());
        a.forEach((name, bytes) -> assertThat(b.get(name)).as(name).isEqualTo(bytes));

        SyntheticDataset.generate(
                tmp.resolve("c"), new SyntheticDataset.Spec(4, 6, 3, 64, 192, 144, 3, 8));
        assertThat(contents(tmp.resolve("c")).keySet()).isNotEqualTo(a.keySet());
    }

    @Test
    void writesThePlantClefLayoutMetadataAndGroundTruth() throws Exception {
        SyntheticDataset.Result result = SyntheticDataset.generate(tmp, SMALL);
        Set<Long> ids =
                result.species().stream().map(SpeciesLook::speciesId).collect(Collectors.toSet());
        assertThat(ids).hasSize(4);
        for (long id : ids) {
            try (Stream<Path> images =
                    Files.list(tmp.resolve("train").resolve(Long.toString(id)))) {
                assertThat(images.filter(p -> p.toString().endsWith(".jpg")).count()).isEqualTo(6);
            }
        }

        List<String> csv = Files.readAllLines(result.layout().trainMetadata());
        assertThat(csv.get(0))
                .isEqualTo(
                        "image_name;organ;species_id;obs_id;license;partner;author;altitude;"
                                + "latitude;longitude;gbif_species_id;species;genus;family;dataset;"
                                + "publisher;references;url;learn_tag;image_backup_url");
        assertThat(csv).hasSize(1 + 24);
        for (String line : csv.subList(1, csv.size())) {
            String[] fields = line.split(";", -1);
            assertThat(fields).hasSize(20);
            assertThat(fields[0]).matches("[0-9a-f]{40}\\.jpg");
            assertThat(ids).contains(Long.parseLong(fields[2]));
            assertThat(Files.exists(tmp.resolve("train").resolve(fields[2]).resolve(fields[0])))
                    .isTrue();
        }

        List<String> truth = Files.readAllLines(result.layout().groundTruth());
        assertThat(truth.get(0)).isEqualTo("plot_id;species_ids");
        assertThat(truth).hasSize(4);
        for (String line : truth.subList(1, truth.size())) {
            assertThat(line).matches("SYN-P\\d{3}-[A-D]\\d-2024\\d{4};\\[\\d+(, \\d+)+\\]");
            String plotId = line.substring(0, line.indexOf(';'));
            assertThat(Files.exists(tmp.resolve("plots").resolve(plotId + ".jpg"))).isTrue();
            List<Long> species =
                    Stream.of(line.substring(line.indexOf('[') + 1, line.length() - 1).split(", "))
                            .map(Long::parseLong)
                            .toList();
            assertThat(species).hasSizeBetween(2, 3).isSorted().doesNotHaveDuplicates();
            assertThat(ids).containsAll(species);
        }
        RgbImage plot =
                new ImageDecoder()
                        .decode(
                                Files.readAllBytes(
                                        tmp.resolve("plots")
                                                .resolve(result.plots().get(0).plotId() + ".jpg")));
        assertThat(plot.width()).isEqualTo(192);
        assertThat(plot.height()).isEqualTo(144);
    }

    /**
     * Species must be told apart by their look, not by chance: even a colour histogram with a
     * nearest-centroid rule separates held-out photos well above chance (1/6).
     */
    @Test
    void speciesAreSeparableBySimpleFeatures() throws Exception {
        SyntheticDataset.Spec spec = new SyntheticDataset.Spec(6, 12, 0, 96, 192, 144, 2, 3);
        SyntheticDataset.generate(tmp, spec);
        Map<String, List<double[]>> features = new HashMap<>();
        ImageDecoder decoder = new ImageDecoder();
        try (Stream<Path> dirs = Files.list(tmp.resolve("train"))) {
            for (Path dir : dirs.toList()) {
                List<double[]> list = new ArrayList<>();
                try (Stream<Path> images = Files.list(dir)) {
                    for (Path image : images.sorted().toList()) {
                        list.add(histogram(decoder.decode(Files.readAllBytes(image))));
                    }
                }
                features.put(dir.getFileName().toString(), list);
            }
        }
        // Centroids from the first 8 photos of each species; classify the other 4.
        Map<String, double[]> centroids = new HashMap<>();
        features.forEach((species, list) -> centroids.put(species, mean(list.subList(0, 8))));
        int correct = 0;
        int total = 0;
        for (Map.Entry<String, List<double[]>> entry : features.entrySet()) {
            for (double[] f : entry.getValue().subList(8, 12)) {
                String best = null;
                double bestDistance = Double.MAX_VALUE;
                for (Map.Entry<String, double[]> c : centroids.entrySet()) {
                    double d = distance(f, c.getValue());
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = c.getKey();
                    }
                }
                correct += entry.getKey().equals(best) ? 1 : 0;
                total++;
            }
        }
        assertThat((double) correct / total).isGreaterThanOrEqualTo(0.85);
    }

    @Test
    void specRangesAreChecked() {
        assertThatThrownBy(() -> new SyntheticDataset.Spec(1, 6, 3, 64, 192, 144, 2, 7))
                .isInstanceOf(SyntheticDataset.InvalidSpecException.class)
                .hasMessage("1; must be 2..60");
        assertThatThrownBy(() -> new SyntheticDataset.Spec(3, 6, 3, 64, 192, 144, 4, 7))
                .isInstanceOf(SyntheticDataset.InvalidSpecException.class)
                .satisfies(
                        e ->
                                assertThat(((SyntheticDataset.InvalidSpecException) e).field())
                                        .isEqualTo("max-species-per-plot"));
    }

    /** A 4x4x4 RGB histogram of the saturated pixels (the plants, not the ground). */
    private static double[] histogram(RgbImage image) {
        double[] h = new double[64];
        int n = 0;
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                int r = image.get(x, y, 0);
                int g = image.get(x, y, 1);
                int b = image.get(x, y, 2);
                int max = Math.max(r, Math.max(g, b));
                int min = Math.min(r, Math.min(g, b));
                if (max - min > 60) {
                    h[(r / 64) * 16 + (g / 64) * 4 + b / 64]++;
                    n++;
                }
            }
        }
        for (int i = 0; i < h.length; i++) {
            h[i] /= Math.max(1, n);
        }
        return h;
    }

    private static double[] mean(List<double[]> list) {
        double[] m = new double[list.get(0).length];
        for (double[] f : list) {
            for (int i = 0; i < m.length; i++) {
                m[i] += f[i] / list.size();
            }
        }
        return m;
    }

    private static double distance(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Math.abs(a[i] - b[i]);
        }
        return d;
    }

    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return out;
    }
}
