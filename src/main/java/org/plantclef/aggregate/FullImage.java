package org.plantclef.aggregate;

import java.util.List;
import org.plantclef.record.ScoredTile;

/** The paper's baseline: the whole image scored once, its top-n species (n = 20 by default). */
public final class FullImage implements Strategy {

    private static final long serialVersionUID = 1L;

    private final int topN;
    private final float minProb;

    public FullImage(int topN, float minProb) {
        Strategies.checkTopN(topN);
        this.topN = topN;
        this.minProb = minProb;
    }

    @Override
    public String name() {
        return Strategies.FULL;
    }

    @Override
    public int[] grids() {
        return new int[] {1};
    }

    @Override
    public int speciesPerTile() {
        return topN;
    }

    @Override
    public Ranking aggregate(List<ScoredTile> tiles) {
        Ranking.Builder out = new Ranking.Builder();
        for (ScoredTile tile : tiles) {
            for (int i = 0; i < tile.species().length && out.size() < topN; i++) {
                if (tile.probabilities()[i] >= minProb) {
                    out.add(tile.species()[i], tile.probabilities()[i]);
                }
            }
        }
        return out.build();
    }
}
