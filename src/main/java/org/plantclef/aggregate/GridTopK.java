package org.plantclef.aggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.plantclef.record.ScoredTile;

/**
 * The paper's top-K/top-L strategy: per tile of an N×N grid the top K species (K = 10), of which
 * the top L (L = 5) are kept; all tiles' picks are flattened, sorted by probability descending
 * (ties keep tile order), duplicates removed keeping the first, and the first n (5) kept. Picks
 * below {@code minProb} are dropped first.
 */
public final class GridTopK implements Strategy {

    private static final long serialVersionUID = 1L;

    private final int grid;
    private final int topK;
    private final int topL;
    private final int topN;
    private final float minProb;

    public GridTopK(int grid, int topK, int topL, int topN, float minProb) {
        Strategies.checkGrid(grid);
        Strategies.checkTopN(topN);
        if (topK < 1 || topL < 1 || topL > topK) {
            throw new IllegalArgumentException(
                    "need 1 <= L <= K, got K=" + topK + " and L=" + topL);
        }
        this.grid = grid;
        this.topK = topK;
        this.topL = topL;
        this.topN = topN;
        this.minProb = minProb;
    }

    @Override
    public String name() {
        return Strategies.GRID_TOPK;
    }

    @Override
    public int[] grids() {
        return new int[] {grid};
    }

    @Override
    public int speciesPerTile() {
        return topK;
    }

    private record Pick(long species, float probability) {}

    @Override
    public Ranking aggregate(List<ScoredTile> tiles) {
        List<Pick> picks = new ArrayList<>();
        for (ScoredTile tile : tiles) {
            // The tile's top K, then the top L of those: with probabilities sorted, its first L.
            int keep = Math.min(Math.min(topK, topL), tile.species().length);
            for (int i = 0; i < keep; i++) {
                if (tile.probabilities()[i] >= minProb) {
                    picks.add(new Pick(tile.species()[i], tile.probabilities()[i]));
                }
            }
        }
        // List.sort is stable: equal probabilities stay in tile order.
        picks.sort(Comparator.comparingDouble((Pick p) -> p.probability()).reversed());
        Set<Long> seen = new HashSet<>();
        Ranking.Builder out = new Ranking.Builder();
        for (Pick pick : picks) {
            if (out.size() == topN) {
                break;
            }
            if (seen.add(pick.species())) {
                out.add(pick.species(), pick.probability());
            }
        }
        return out.build();
    }
}
