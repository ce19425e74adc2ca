package org.plantclef.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.plantclef.record.ScoredTile;

/**
 * Beyond the paper: the photo is cut at several scales (1×1, 2×2, 3×3, 4×4 by default), and every
 * tile's probabilities (its top K species) are summed per species over all tiles of all scales.
 * Large plants score at the coarse scales, small patches at the fine ones. The plot's species are
 * those whose sum reaches {@code threshold}, best first; with no threshold, the top n. Tile
 * probabilities below {@code minProb} are not added.
 *
 * <p>A species' sum is in "tiles' worth" of probability: 1.0 is one tile entirely sure of it.
 */
public final class MultiScale implements Strategy {

    private static final long serialVersionUID = 1L;

    private final int[] grids;
    private final int topK;
    private final int topN;
    private final float threshold;
    private final float minProb;

    /**
     * @param threshold the least summed score kept; 0 or less keeps the top n instead
     */
    public MultiScale(int[] grids, int topK, int topN, float threshold, float minProb) {
        if (grids.length == 0) {
            throw new IllegalArgumentException("multiscale needs at least one grid");
        }
        int[] sorted = grids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            Strategies.checkGrid(sorted[i]);
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("grid " + sorted[i] + " is given twice");
            }
        }
        Strategies.checkTopN(topN);
        if (topK < 1) {
            throw new IllegalArgumentException("K must be at least 1, was " + topK);
        }
        this.grids = sorted;
        this.topK = topK;
        this.topN = topN;
        this.threshold = threshold;
        this.minProb = minProb;
    }

    @Override
    public String name() {
        return Strategies.MULTISCALE;
    }

    @Override
    public int[] grids() {
        return grids.clone();
    }

    @Override
    public int speciesPerTile() {
        return topK;
    }

    @Override
    public Ranking aggregate(List<ScoredTile> tiles) {
        Map<Long, Double> sums = new HashMap<>();
        for (ScoredTile tile : tiles) {
            int keep = Math.min(topK, tile.species().length);
            for (int i = 0; i < keep; i++) {
                float p = tile.probabilities()[i];
                if (p >= minProb) {
                    sums.merge(tile.species()[i], (double) p, Double::sum);
                }
            }
        }
        List<Map.Entry<Long, Double>> ranked = new ArrayList<>(sums.entrySet());
        ranked.sort(
                Map.Entry.<Long, Double>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()));
        Ranking.Builder out = new Ranking.Builder();
        for (Map.Entry<Long, Double> e : ranked) {
            if (threshold > 0 ? e.getValue() < threshold : out.size() == topN) {
                break;
            }
            out.add(e.getKey(), e.getValue().floatValue());
        }
        return out.build();
    }
}
