package org.plantclef.aggregate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.plantclef.record.ScoredTile;

/**
 * The paper's best strategy: per tile of an N×N grid the most probable species; the plot's species
 * are the tiles' species in tile order, duplicates removed keeping the first appearance. A tile
 * whose best species is below {@code minProb} adds nothing (bare ground, a path, a frame). Each
 * species' score is its highest probability over the tiles that chose it.
 */
public class GridArgmax implements Strategy {

    private static final long serialVersionUID = 1L;

    private final int grid;
    private final float minProb;

    public GridArgmax(int grid, float minProb) {
        Strategies.checkGrid(grid);
        this.grid = grid;
        this.minProb = minProb;
    }

    @Override
    public String name() {
        return Strategies.GRID_ARGMAX;
    }

    @Override
    public int[] grids() {
        return new int[] {grid};
    }

    @Override
    public int speciesPerTile() {
        return 1;
    }

    @Override
    public Ranking aggregate(List<ScoredTile> tiles) {
        Map<Long, Float> chosen = new LinkedHashMap<>();
        for (ScoredTile tile : tiles) {
            if (tile.species().length == 0 || tile.probabilities()[0] < minProb) {
                continue;
            }
            chosen.merge(tile.species()[0], tile.probabilities()[0], Math::max);
        }
        Ranking.Builder out = new Ranking.Builder();
        chosen.forEach(out::add);
        return out.build();
    }
}
