package org.plantclef.synth;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.RgbImage;
import org.plantclef.io.Csv;
import org.plantclef.io.ImageParquet;
import org.plantclef.io.Submission;

/**
 * A deterministic, PlantCLEF-like synthetic dataset: single-plant training photos of S species in
 * the PlantCLEF directory layout with a metadata CSV, and vegetation-plot photos in which several
 * species grow in different regions, with the ground truth in the submission format.
 *
 * <pre>
 * root/
 *   train/&lt;species_id&gt;/&lt;sha1-like&gt;.jpg   single plants, varied pose, scale, ground, light
 *   train_metadata.csv                       ';'-separated, PlantCLEF 2024 columns
 *   plots/&lt;plot_id&gt;.jpg                   quadrats, 2..5 species each in their own cells
 *   plots_ground_truth.csv                   plot_id;species_ids  e.g. SYN-P001-A1-20240601;[1355868, 1392608]
 * </pre>
 *
 * Each species has a fixed look (shape, colour, accent, texture, number of parts, size), chosen so
 * that species differ in several of them at once; everything else is random per image. The same
 * spec and seed give the same bytes.
 */
public final class SyntheticDataset {

    /**
     * How much to generate.
     *
     * @param species number of species
     * @param imagesPerSpecies training photos per species
     * @param plots number of plot photos
     * @param trainSize nominal side of a training photo (each is 85..115% of it per side)
     * @param plotWidth plot photo width
     * @param plotHeight plot photo height
     * @param maxSpeciesPerPlot most species in one plot (at least 2 are always there)
     * @param seed random seed
     */
    public record Spec(
            int species,
            int imagesPerSpecies,
            int plots,
            int trainSize,
            int plotWidth,
            int plotHeight,
            int maxSpeciesPerPlot,
            long seed) {

        /** The default: small enough for the end-to-end demo on two cores. */
        public static Spec defaults() {
            return new Spec(8, 30, 12, 256, 768, 576, 4, 42);
        }

        public Spec {
            check(species >= 2 && species <= 60, "species", species, "2..60");
            check(imagesPerSpecies >= 1, "images-per-species", imagesPerSpecies, "1 or more");
            check(plots >= 0, "plots", plots, "0 or more");
            check(trainSize >= 32 && trainSize <= 4096, "train-size", trainSize, "32..4096");
            check(plotWidth >= 96 && plotWidth <= 8192, "plot-width", plotWidth, "96..8192");
            check(plotHeight >= 96 && plotHeight <= 8192, "plot-height", plotHeight, "96..8192");
            check(
                    maxSpeciesPerPlot >= 2 && maxSpeciesPerPlot <= Math.min(species, 9),
                    "max-species-per-plot",
                    maxSpeciesPerPlot,
                    "2..min(species, 9)");
        }

        private static void check(boolean ok, String what, int value, String range) {
            if (!ok) {
                throw new InvalidSpecException(what, value, range);
            }
        }
    }

    /** A spec value out of range; {@link #field} is the kebab-case name of the spec field. */
    public static final class InvalidSpecException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String field;

        InvalidSpecException(String field, int value, String range) {
            super(value + "; must be " + range);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Where the generated parts are. */
    public record Layout(Path root, Path train, Path trainMetadata, Path plots, Path groundTruth) {
        public static Layout under(Path root) {
            return new Layout(
                    root,
                    root.resolve("train"),
                    root.resolve("train_metadata.csv"),
                    root.resolve("plots"),
                    root.resolve("plots_ground_truth.csv"));
        }
    }

    /** One plot: its id and the species in it, ascending. */
    public record Plot(String plotId, List<Long> speciesIds) {}

    /** What was generated. */
    public record Result(
            Layout layout, List<SpeciesLook> species, int trainImages, List<Plot> plots) {}

    private static final String[] GENERA = {
        "Achillea", "Bellis", "Campanula", "Dianthus", "Erica", "Festuca", "Galium", "Hieracium",
        "Iris", "Juncus", "Knautia", "Lotus", "Medicago", "Nardus", "Orchis", "Plantago",
        "Ranunculus", "Salvia", "Trifolium", "Urtica", "Veronica", "Viola"
    };
    private static final String[] EPITHETS = {
        "alpina", "borealis", "campestris", "dentata", "elegans", "fragilis", "glauca", "hirta",
        "incana", "lutea", "montana", "nivalis", "officinalis", "pratensis", "repens", "sylvestris",
        "tenuis", "vulgaris"
    };
    private static final String[] FAMILIES = {
        "Asteraceae",
        "Fabaceae",
        "Poaceae",
        "Rosaceae",
        "Lamiaceae",
        "Ranunculaceae",
        "Plantaginaceae",
        "Caryophyllaceae"
    };
    private static final String[] ORGANS = {"leaf", "flower", "whole", "fruit"};

    private SyntheticDataset() {}

    /** The species looks for {@code spec}: fixed by the seed, distinct from each other. */
    public static List<SpeciesLook> species(Spec spec) {
        Random random = new Random(spec.seed());
        SpeciesLook.Shape[] shapes = SpeciesLook.Shape.values();
        SpeciesLook.Texture[] textures = SpeciesLook.Texture.values();
        List<Long> ids = new ArrayList<>(new TreeSet<>(distinctIds(spec.species(), random)));
        List<SpeciesLook> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        // Hues evenly spaced around the wheel, then shuffled: neighbours in id differ in colour.
        List<Integer> hueSlots = new ArrayList<>();
        for (int i = 0; i < spec.species(); i++) {
            hueSlots.add(i);
        }
        Collections.shuffle(hueSlots, random);
        for (int i = 0; i < spec.species(); i++) {
            float hue = (hueSlots.get(i) + 0.3f * random.nextFloat()) / spec.species();
            float saturation = 0.55f + 0.4f * random.nextFloat();
            float value = 0.6f + 0.35f * random.nextFloat();
            Color color = Color.getHSBColor(hue, saturation, value);
            Color accent =
                    Color.getHSBColor((hue + 0.35f + 0.3f * random.nextFloat()) % 1f, 0.8f, 0.95f);
            String name;
            do {
                name =
                        GENERA[random.nextInt(GENERA.length)]
                                + " "
                                + EPITHETS[random.nextInt(EPITHETS.length)];
            } while (names.contains(name));
            names.add(name);
            out.add(
                    new SpeciesLook(
                            ids.get(i),
                            name,
                            FAMILIES[random.nextInt(FAMILIES.length)],
                            shapes[i % shapes.length],
                            color,
                            accent,
                            textures[(i / shapes.length + i) % textures.length],
                            4 + random.nextInt(6),
                            0.55 + 0.45 * random.nextDouble()));
        }
        return out;
    }

    private static List<Long> distinctIds(int n, Random random) {
        TreeSet<Long> ids = new TreeSet<>();
        while (ids.size() < n) {
            ids.add(1355868L + random.nextInt(400_000));
        }
        return new ArrayList<>(ids);
    }

    /** Writes the dataset under {@code root} (created if needed). */
    public static Result generate(Path root, Spec spec) throws IOException {
        Layout layout = Layout.under(root);
        Files.createDirectories(layout.train());
        Files.createDirectories(layout.plots());
        List<SpeciesLook> species = species(spec);
        Random random = new Random(spec.seed() * 31 + 7);

        int trainImages = 0;
        try (Writer csv = Files.newBufferedWriter(layout.trainMetadata(), StandardCharsets.UTF_8)) {
            List<String> header = new ArrayList<>();
            header.add(ImageParquet.IMAGE_NAME);
            header.add(ImageParquet.SPECIES_ID);
            header.addAll(ImageParquet.PLANTCLEF_2024_METADATA);
            // PlantCLEF 2024 column order: image_name;organ;species_id;obs_id;...
            header.remove(ImageParquet.SPECIES_ID);
            header.add(2, ImageParquet.SPECIES_ID);
            csv.write(String.join(";", header));
            csv.write('\n');
            long observation = 1_000_000L + random.nextInt(1_000_000);
            for (SpeciesLook look : species) {
                Path dir = layout.train().resolve(Long.toString(look.speciesId()));
                Files.createDirectories(dir);
                for (int i = 0; i < spec.imagesPerSpecies(); i++) {
                    String name = sha1Like(random) + ".jpg";
                    Files.write(dir.resolve(name), trainImage(look, spec, random));
                    csv.write(metadataRow(header, name, look, observation++, random));
                    csv.write('\n');
                    trainImages++;
                }
            }
        }

        List<Plot> plots = new ArrayList<>();
        for (int p = 0; p < spec.plots(); p++) {
            String plotId =
                    String.format(
                            Locale.ROOT,
                            "SYN-P%03d-%s%d-2024%02d%02d",
                            p + 1,
                            (char) ('A' + random.nextInt(4)),
                            1 + random.nextInt(9),
                            5 + random.nextInt(4),
                            1 + random.nextInt(28));
            List<SpeciesLook> present = new ArrayList<>(species);
            Collections.shuffle(present, random);
            int k = 2 + random.nextInt(spec.maxSpeciesPerPlot() - 1);
            present = present.subList(0, k);
            Files.write(layout.plots().resolve(plotId + ".jpg"), plotImage(present, spec, random));
            plots.add(
                    new Plot(
                            plotId,
                            present.stream().map(SpeciesLook::speciesId).sorted().toList()));
        }
        try (Writer gt = Files.newBufferedWriter(layout.groundTruth(), StandardCharsets.UTF_8)) {
            gt.write("plot_id;species_ids\n");
            for (Plot plot : plots) {
                gt.write(plot.plotId() + ";" + speciesList(plot.speciesIds()) + "\n");
            }
        }
        return new Result(layout, species, trainImages, plots);
    }

    /** {@code [1363875, 1392608]}: the PlantCLEF submission list format. */
    public static String speciesList(List<Long> ids) {
        return Submission.list(ids);
    }

    private static byte[] trainImage(SpeciesLook look, Spec spec, Random random) {
        int w = (int) (spec.trainSize() * (0.85 + 0.3 * random.nextDouble()));
        int h = (int) (spec.trainSize() * (0.85 + 0.3 * random.nextDouble()));
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = PlantPainter.graphics(image);
        PlantPainter.ground(g, 0, 0, w, h, random);
        int side = Math.min(w, h);
        double r = side * 0.42 * look.scale() * (0.75 + 0.35 * random.nextDouble());
        double cx = w / 2.0 + (random.nextDouble() - 0.5) * side * 0.2;
        double cy = h / 2.0 + (random.nextDouble() - 0.5) * side * 0.2;
        if (random.nextInt(4) == 0) { // a smaller second plant of the same species nearby
            double r2 = r * 0.45;
            PlantPainter.plant(
                    g,
                    look,
                    cx + (random.nextBoolean() ? r : -r) * 0.9,
                    cy + (random.nextBoolean() ? r : -r) * 0.9,
                    r2,
                    random.nextDouble() * 2 * Math.PI,
                    random);
        }
        PlantPainter.plant(g, look, cx, cy, r, random.nextDouble() * 2 * Math.PI, random);
        g.dispose();
        PlantPainter.light(image, random);
        return jpeg(image, 0.88f + 0.08f * random.nextFloat());
    }

    private static byte[] plotImage(List<SpeciesLook> present, Spec spec, Random random) {
        int w = spec.plotWidth();
        int h = spec.plotHeight();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = PlantPainter.graphics(image);
        PlantPainter.ground(g, 0, 0, w, h, random);
        // Species grow in patches: the plot is a 3x3 field of cells, each species gets one or
        // two cells of its own; the other cells stay bare.
        List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
        Collections.shuffle(cells, random);
        int next = 0;
        double cellW = w / 3.0;
        double cellH = h / 3.0;
        for (SpeciesLook look : present) {
            int patches = next + present.size() < 9 && random.nextBoolean() ? 2 : 1;
            for (int p = 0; p < patches && next < cells.size(); p++) {
                int cell = cells.get(next++);
                double x0 = (cell % 3) * cellW;
                double y0 = (cell / 3) * cellH;
                int plants = 1 + random.nextInt(3);
                for (int i = 0; i < plants; i++) {
                    double r =
                            Math.min(cellW, cellH)
                                    * (plants == 1 ? 0.38 : 0.26)
                                    * (0.7 + 0.3 * look.scale());
                    double cx = x0 + r + random.nextDouble() * Math.max(1, cellW - 2 * r);
                    double cy = y0 + r + random.nextDouble() * Math.max(1, cellH - 2 * r);
                    PlantPainter.plant(
                            g, look, cx, cy, r, random.nextDouble() * 2 * Math.PI, random);
                }
            }
        }
        g.dispose();
        PlantPainter.light(image, random);
        return jpeg(image, 0.9f);
    }

    private static byte[] jpeg(BufferedImage image, float quality) {
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return ImageEncoder.jpeg(new RgbImage(image.getWidth(), image.getHeight(), rgb), quality);
    }

    private static String metadataRow(
            List<String> header, String name, SpeciesLook look, long observation, Random random) {
        List<String> values = new ArrayList<>();
        for (String column : header) {
            values.add(
                    switch (column) {
                        case "image_name" -> name;
                        case "organ" -> ORGANS[random.nextInt(ORGANS.length)];
                        case "species_id" -> Long.toString(look.speciesId());
                        case "obs_id" -> Long.toString(observation);
                        case "license" -> "cc-by-sa";
                        case "partner" -> "";
                        case "author" -> "plantclef-flink synth";
                        case "altitude" ->
                                String.format(
                                        Locale.ROOT, "%.1f", 200 + 1800 * random.nextDouble());
                        case "latitude" ->
                                String.format(Locale.ROOT, "%.5f", 43 + 5 * random.nextDouble());
                        case "longitude" ->
                                String.format(Locale.ROOT, "%.5f", 1 + 9 * random.nextDouble());
                        case "gbif_species_id" -> Long.toString(look.speciesId() + 3_000_000L);
                        case "species" -> look.name();
                        case "genus" -> look.genus();
                        case "family" -> look.family();
                        case "dataset" -> "synthetic";
                        case "publisher" -> "plantclef-flink";
                        case "references" -> "";
                        case "url" -> "";
                        case "learn_tag" -> random.nextInt(10) == 0 ? "val" : "train";
                        case "image_backup_url" -> "";
                        default -> "";
                    });
        }
        return values.stream().map(v -> Csv.quote(v, ';')).collect(Collectors.joining(";"));
    }

    private static String sha1Like(Random random) {
        byte[] bytes = new byte[20];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
