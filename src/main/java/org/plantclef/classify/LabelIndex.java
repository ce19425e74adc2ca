package org.plantclef.classify;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The class index of the classifier: species with at least {@code minImages} images (training and
 * validation together, so the index does not depend on the split), ordered by image count
 * descending, then species id ascending. It depends only on the counts, so the same data always
 * gives the same index, whatever the parallelism or the input order.
 */
public final class LabelIndex {

    private final List<Long> species;
    private final Map<Long, Integer> index;

    private LabelIndex(List<Long> species) {
        this.species = List.copyOf(species);
        this.index = new HashMap<>();
        for (int i = 0; i < species.size(); i++) {
            index.put(species.get(i), i);
        }
    }

    /** The index of the species in {@code counts} (species id → images) with enough images. */
    public static LabelIndex of(Map<Long, Long> counts, long minImages) {
        List<Map.Entry<Long, Long>> kept = new ArrayList<>();
        for (Map.Entry<Long, Long> e : counts.entrySet()) {
            if (e.getValue() >= minImages) {
                kept.add(e);
            }
        }
        kept.sort(
                Comparator.comparing((Map.Entry<Long, Long> e) -> e.getValue())
                        .reversed()
                        .thenComparing(Map.Entry::getKey));
        return new LabelIndex(kept.stream().map(Map.Entry::getKey).toList());
    }

    /** An index with exactly these species, in this order (as read from species.txt). */
    public static LabelIndex ofOrdered(List<Long> species) {
        return new LabelIndex(species);
    }

    /** The class of {@code speciesId}, or -1 when it was filtered out. */
    public int classOf(long speciesId) {
        Integer i = index.get(speciesId);
        return i == null ? -1 : i;
    }

    public long speciesOf(int classIndex) {
        return species.get(classIndex);
    }

    public int size() {
        return species.size();
    }

    /** Species ids in class order. */
    public List<Long> species() {
        return species;
    }
}
