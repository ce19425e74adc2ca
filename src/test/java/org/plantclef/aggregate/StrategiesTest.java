package org.plantclef.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.plantclef.record.ScoredTile;

/** Hand-computed examples of every strategy. */
class StrategiesTest {

    /** A tile of a {@code grid}×{@code grid} grid with (species, probability) pairs, best first. */
    static ScoredTile tile(int grid, int index, Object... pairs) {
        long[] species = new long[pairs.length / 2];
        float[] p = new float[pairs.length / 2];
        for (int i = 0; i < species.length; i++) {
            species[i] = ((Number) pairs[2 * i]).longValue();
            p[i] = ((Number) pairs[2 * i + 1]).floatValue();
        }
        return new ScoredTile("plot", "plot.jpg", grid, index, grid * grid, species, p);
    }

    @Test
    void gridArgmaxKeepsTileOrderAndTheFirstAppearance() {
        List<ScoredTile> tiles =
                List.of(
                        tile(2, 0, 30, 0.6, 10, 0.3),
                        tile(2, 1, 10, 0.9, 30, 0.1),
                        tile(2, 2, 30, 0.8, 20, 0.2),
                        tile(2, 3, 20, 0.5, 10, 0.4));
        Ranking r = new GridArgmax(2, 0f).aggregate(tiles);
        // Tiles' argmax: 30, 10, 30, 20 -> 30, 10, 20; scores are each species' best tile.
        assertThat(r.species()).containsExactly(30, 10, 20);
        assertThat(r.scores()).containsExactly(0.8f, 0.9f, 0.5f);
    }

    @Test
    void gridArgmaxMinProbDropsUnsureTiles() {
        List<ScoredTile> tiles =
                List.of(tile(2, 0, 30, 0.35), tile(2, 1, 10, 0.9), tile(2, 2, 40, 0.2));
        assertThat(new GridArgmax(2, 0.4f).aggregate(tiles).species()).containsExactly(10);
        assertThat(new GridArgmax(2, 0f).aggregate(tiles).species()).containsExactly(30, 10, 40);
    }

    @Test
    void gridTopKSortsFlattensDedupesAndCuts() {
        // K=3, L=2: each tile's top 2 are kept.
        List<ScoredTile> tiles =
                List.of(
                        tile(2, 0, 1, 0.5, 2, 0.3, 3, 0.2),
                        tile(2, 1, 2, 0.6, 4, 0.25, 1, 0.1),
                        tile(2, 2, 5, 0.3, 1, 0.29, 6, 0.2),
                        tile(2, 3, 6, 0.7, 7, 0.05, 1, 0.01));
        // Picks: (1,.5) (2,.3) (2,.6) (4,.25) (5,.3) (1,.29) (6,.7) (7,.05)
        // Sorted: 6 .7, 2 .6, 1 .5, 2 .3, 5 .3, 1 .29, 4 .25, 7 .05 (2 before 5: tile order)
        // Deduped: 6, 2, 1, 5, 4, 7 -> first 4.
        Ranking r = new GridTopK(2, 3, 2, 4, 0f).aggregate(tiles);
        assertThat(r.species()).containsExactly(6, 2, 1, 5);
        assertThat(r.scores()).containsExactly(0.7f, 0.6f, 0.5f, 0.3f);
        // Species 3 (third in tile 0) was never a pick with L=2; with L=3 it is.
        assertThat(new GridTopK(2, 3, 3, 10, 0f).aggregate(tiles).species())
                .containsExactly(6, 2, 1, 5, 4, 3, 7);
        assertThat(new GridTopK(2, 3, 2, 10, 0.28f).aggregate(tiles).species())
                .containsExactly(6, 2, 1, 5);
    }

    @Test
    void gridTopKTiesKeepTileOrder() {
        List<ScoredTile> tiles =
                List.of(tile(2, 0, 9, 0.5), tile(2, 1, 3, 0.5), tile(2, 2, 9, 0.5));
        assertThat(new GridTopK(2, 10, 5, 5, 0f).aggregate(tiles).species()).containsExactly(9, 3);
    }

    @Test
    void fullImageTakesTheTopN() {
        List<ScoredTile> tiles = List.of(tile(1, 0, 4, 0.5, 2, 0.3, 8, 0.15, 1, 0.05));
        assertThat(new FullImage(3, 0f).aggregate(tiles).species()).containsExactly(4, 2, 8);
        assertThat(new FullImage(20, 0.1f).aggregate(tiles).species()).containsExactly(4, 2, 8);
        assertThat(new FullImage(1, 0f).grids()).containsExactly(1);
        assertThat(new FullImage(20, 0f).speciesPerTile()).isEqualTo(20);
    }

    @Test
    void multiScaleSumsOverEveryTileOfEveryScale() {
        List<ScoredTile> tiles =
                List.of(
                        tile(1, 0, 1, 0.6, 2, 0.4),
                        tile(2, 0, 2, 0.9, 1, 0.1),
                        tile(2, 1, 3, 0.5, 1, 0.5),
                        tile(2, 2, 2, 0.7, 3, 0.3),
                        tile(2, 3, 4, 0.95, 1, 0.05));
        // Sums: 1: .6+.1+.5+.05 = 1.25; 2: .4+.9+.7 = 2.0; 3: .5+.3 = .8; 4: .95
        Ranking top = new MultiScale(new int[] {2, 1}, 10, 3, 0f, 0f).aggregate(tiles);
        assertThat(top.species()).containsExactly(2, 1, 4);
        assertThat(top.scores()[0]).isCloseTo(2.0f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(top.scores()[1]).isCloseTo(1.25f, org.assertj.core.data.Offset.offset(1e-6f));
        Ranking threshold = new MultiScale(new int[] {1, 2}, 10, 3, 0.9f, 0f).aggregate(tiles);
        assertThat(threshold.species()).containsExactly(2, 1, 4);
        assertThat(new MultiScale(new int[] {1, 2}, 10, 3, 1.0f, 0f).aggregate(tiles).species())
                .containsExactly(2, 1);
        // min-prob: only .6, .9, .5, .5, .7, .95 count -> 2: 1.6, 4: .95, 3: .5, 1: 1.1
        assertThat(new MultiScale(new int[] {1, 2}, 10, 4, 0f, 0.5f).aggregate(tiles).species())
                .containsExactly(2, 1, 4, 3);
        assertThat(new MultiScale(new int[] {2, 1}, 10, 3, 0f, 0f).grids()).containsExactly(1, 2);
    }

    @Test
    void headAggregatesLikeGridArgmax() {
        List<ScoredTile> tiles =
                List.of(tile(2, 0, 7, 0.6), tile(2, 1, 5, 0.9), tile(2, 2, 7, 0.8));
        Strategy head = Strategies.create("head", Strategies.Parameters.defaults());
        assertThat(head.name()).isEqualTo("head");
        assertThat(head.aggregate(tiles).species()).containsExactly(7, 5);
    }

    @Test
    void emptyTilesGiveAnEmptyPlot() {
        for (String name : Strategies.NAMES) {
            Strategy s = Strategies.create(name, Strategies.Parameters.defaults());
            assertThat(s.aggregate(List.of(tile(3, 0))))
                    .as(name)
                    .extracting(Ranking::size)
                    .isEqualTo(0);
        }
    }

    @Test
    void factoryDefaultsAndRefusals() {
        Strategies.Parameters d = Strategies.Parameters.defaults();
        assertThat(Strategies.create("full", d).speciesPerTile()).isEqualTo(20);
        assertThat(Strategies.create("grid-argmax", d).grids()).containsExactly(3);
        assertThat(Strategies.create("grid-topk", d).speciesPerTile()).isEqualTo(10);
        assertThat(Strategies.create("multiscale", d).grids()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> Strategies.create("vote", d))
                .hasMessageContaining("unknown strategy 'vote'")
                .hasMessageContaining("grid-argmax");
        assertThatThrownBy(() -> new GridTopK(3, 2, 3, 5, 0f)).hasMessageContaining("L <= K");
        assertThatThrownBy(() -> new MultiScale(new int[] {2, 2}, 10, 5, 0f, 0f))
                .hasMessageContaining("twice");
    }
}
