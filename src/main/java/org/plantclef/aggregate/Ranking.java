package org.plantclef.aggregate;

import java.util.ArrayList;
import java.util.List;

/** Species in a strategy's order, each with its score. */
public record Ranking(long[] species, float[] scores) {

    public int size() {
        return species.length;
    }

    /** Collects species and scores in order. */
    static final class Builder {
        private final List<Long> species = new ArrayList<>();
        private final List<Float> scores = new ArrayList<>();

        void add(long speciesId, float score) {
            species.add(speciesId);
            scores.add(score);
        }

        int size() {
            return species.size();
        }

        Ranking build() {
            long[] s = new long[species.size()];
            float[] p = new float[scores.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = species.get(i);
                p[i] = scores.get(i);
            }
            return new Ranking(s, p);
        }
    }
}
