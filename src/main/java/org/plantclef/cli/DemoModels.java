package org.plantclef.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.plantclef.classify.TileScorer;
import org.plantclef.synth.SpeciesLook;
import org.plantclef.synth.SyntheticDataset;

/**
 * The demo's models, shipped in the jar (written by {@code notebooks/train_demo_model.py}): a tiny
 * DINOv2 trained on synthetic species of other seeds than the demo's (the embedding model), and the
 * same backbone with a head fine-tuned on the default demo dataset's species (for the head
 * strategy), with its class mapping.
 */
record DemoModels(Path embedding, Path head, Path classMapping) {

    static final String RESOURCES = "/models/demo-dinov2/";

    /** Copies the models out of the jar into {@code dir}, where DJL can load them. */
    static DemoModels extract(Path dir) throws IOException {
        Files.createDirectories(dir);
        return new DemoModels(
                copy(dir, "demo-dinov2.pt"),
                copy(dir, "demo-dinov2-head.pt"),
                copy(dir, "class_mapping.txt"));
    }

    private static Path copy(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = DemoModels.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException(RESOURCES + name + " is missing from the jar");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /**
     * Whether the head model's classes are species of {@code data}: true for the default demo
     * dataset it was fine-tuned on, false after --seed or --species changed the species.
     */
    boolean headFits(SyntheticDataset.Result data) throws IOException {
        Set<Long> species = new HashSet<>();
        for (SpeciesLook look : data.species()) {
            species.add(look.speciesId());
        }
        List<Long> classes = TileScorer.readClassMapping(classMapping);
        return species.containsAll(classes) && classes.size() == species.size();
    }
}
