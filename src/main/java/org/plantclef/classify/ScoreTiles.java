package org.plantclef.classify;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.plantclef.record.ScoredTile;
import org.plantclef.record.TileEmbedding;

/** Classifies a tile's embedding and keeps its top species: the record the aggregator receives. */
public final class ScoreTiles extends RichMapFunction<TileEmbedding, ScoredTile> {

    private static final long serialVersionUID = 1L;

    private final TileScorer scorer;
    private final int topK;

    /**
     * @param topK how many top species each tile carries on
     */
    public ScoreTiles(TileScorer scorer, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, was " + topK);
        }
        this.scorer = scorer;
        this.topK = topK;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        scorer.open();
    }

    @Override
    public ScoredTile map(TileEmbedding tile) {
        return score(scorer, tile, topK);
    }

    /** The scored tile of {@code tile}. */
    public static ScoredTile score(TileScorer scorer, TileEmbedding tile, int topK) {
        float[] p = scorer.probabilities(tile);
        int[] best = TopK.indices(p, topK);
        long[] species = new long[best.length];
        float[] probabilities = new float[best.length];
        for (int i = 0; i < best.length; i++) {
            species[i] = scorer.speciesOf(best[i]);
            probabilities[i] = p[best[i]];
        }
        return new ScoredTile(
                tile.plotId(),
                tile.imageName(),
                tile.gridSize(),
                tile.tileIndex(),
                tile.tilesInPlot(),
                species,
                probabilities);
    }
}
