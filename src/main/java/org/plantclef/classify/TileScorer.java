package org.plantclef.classify;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.plantclef.record.TileEmbedding;

/**
 * Turns a tile's embedding into class probabilities: our linear classifier on the CLS or DCT
 * features, or the softmax of a model's own head. Serialisable as paths only; {@link #open} loads
 * what it needs inside each subtask.
 */
public interface TileScorer extends Serializable {

    /** Loads the classifier or class mapping. */
    void open() throws IOException;

    /** The probability of every class. */
    float[] probabilities(TileEmbedding tile);

    /** The species id of class {@code index}. */
    long speciesOf(int index);

    /** Whether it needs the DCT features of the token matrix. */
    boolean needsDct();

    /** Our linear classifier from a classifier directory. */
    static TileScorer classifier(String dir, String feature) {
        return new ClassifierScorer(dir, feature);
    }

    /** The model's own head: its output is the logits, {@code classMapping} names the classes. */
    static TileScorer head(String classMapping) {
        return new HeadScorer(classMapping);
    }

    /** Reads a class mapping: one species id per line, in logit order. */
    static List<Long> readClassMapping(Path file) throws IOException {
        List<Long> species = new ArrayList<>();
        int line = 0;
        for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            line++;
            String t = text.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                species.add(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + line + ": '" + t + "' is not a species id");
            }
        }
        if (species.isEmpty()) {
            throw new IOException(file + " lists no species");
        }
        return species;
    }

    /** Linear classifier on the CLS or DCT column. */
    final class ClassifierScorer implements TileScorer {
        private static final long serialVersionUID = 1L;
        private final String dir;
        private final boolean dct;
        private transient Classifier classifier;

        ClassifierScorer(String dir, String feature) {
            this.dir = dir;
            this.dct = "dct".equals(feature);
        }

        @Override
        public void open() throws IOException {
            classifier = Classifier.load(Path.of(dir));
        }

        @Override
        public float[] probabilities(TileEmbedding tile) {
            float[] x = dct ? tile.dct() : tile.cls();
            if (x == null || x.length != classifier.dim()) {
                throw new IllegalArgumentException(
                        "the classifier in "
                                + dir
                                + " takes "
                                + classifier.dim()
                                + " "
                                + (dct ? "DCT" : "CLS")
                                + " features, but the model gives "
                                + (x == null ? "none" : x.length)
                                + ": was it trained on this model's embeddings?");
            }
            return classifier.probabilities(x);
        }

        @Override
        public long speciesOf(int index) {
            return classifier.labels().speciesOf(index);
        }

        @Override
        public boolean needsDct() {
            return dct;
        }
    }

    /** Softmax over a model's logits. */
    final class HeadScorer implements TileScorer {
        private static final long serialVersionUID = 1L;
        private final String classMapping;
        private transient long[] species;

        HeadScorer(String classMapping) {
            this.classMapping = classMapping;
        }

        @Override
        public void open() throws IOException {
            species =
                    readClassMapping(Path.of(classMapping)).stream()
                            .mapToLong(Long::longValue)
                            .toArray();
        }

        @Override
        public float[] probabilities(TileEmbedding tile) {
            float[] z = tile.cls();
            if (z.length != species.length) {
                throw new IllegalArgumentException(
                        "the model returns "
                                + z.length
                                + " values per image but "
                                + classMapping
                                + " lists "
                                + species.length
                                + " classes: is it the logits model?");
            }
            float[] p = z.clone();
            Classifier.softmaxInPlace(p);
            return p;
        }

        @Override
        public long speciesOf(int index) {
            return species[index];
        }

        @Override
        public boolean needsDct() {
            return false;
        }
    }
}
