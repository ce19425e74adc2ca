package org.plantclef.aggregate;

import java.util.List;

/** The strategies by name, and the parameters they share. */
public final class Strategies {

    public static final String FULL = "full";
    public static final String GRID_ARGMAX = "grid-argmax";
    public static final String GRID_TOPK = "grid-topk";
    public static final String MULTISCALE = "multiscale";
    public static final String HEAD = "head";

    /** Every strategy name, in the order the README explains them. */
    public static final List<String> NAMES =
            List.of(FULL, GRID_ARGMAX, GRID_TOPK, MULTISCALE, HEAD);

    /** Largest N of an N×N grid. */
    public static final int MAX_GRID = 16;

    private Strategies() {}

    /**
     * What the strategies are configured with.
     *
     * @param grid N of the N×N grid (grid-argmax, grid-topk, head)
     * @param grids the grids of multiscale
     * @param topN species kept per plot; null for the strategy's default (20 for full, 5 else)
     * @param topK species per tile (grid-topk, multiscale)
     * @param topL species kept per tile out of its top K (grid-topk)
     * @param minProb tile probabilities below this add nothing (every strategy)
     * @param threshold multiscale: least summed score; 0 for top n
     */
    public record Parameters(
            int grid,
            int[] grids,
            Integer topN,
            int topK,
            int topL,
            float minProb,
            float threshold) {

        /** The defaults of the paper (grid 3, K 10, L 5) and multiscale over 1..4. */
        public static Parameters defaults() {
            return new Parameters(3, new int[] {1, 2, 3, 4}, null, 10, 5, 0f, 0f);
        }
    }

    /** The default number of species per plot of {@code name}: 20 for full, 5 for the others. */
    public static int defaultTopN(String name) {
        return FULL.equals(name) ? 20 : 5;
    }

    /**
     * The strategy called {@code name}.
     *
     * @throws IllegalArgumentException for an unknown name or parameters out of range
     */
    public static Strategy create(String name, Parameters p) {
        int topN = p.topN() != null ? p.topN() : defaultTopN(name);
        return switch (name) {
            case FULL -> new FullImage(topN, p.minProb());
            case GRID_ARGMAX -> new GridArgmax(p.grid(), p.minProb());
            case GRID_TOPK -> new GridTopK(p.grid(), p.topK(), p.topL(), topN, p.minProb());
            case MULTISCALE ->
                    new MultiScale(p.grids(), p.topK(), topN, p.threshold(), p.minProb());
            case HEAD -> new ModelHead(p.grid(), p.minProb());
            default ->
                    throw new IllegalArgumentException(
                            "unknown strategy '" + name + "'; one of " + String.join(", ", NAMES));
        };
    }

    static void checkGrid(int grid) {
        if (grid < 1 || grid > MAX_GRID) {
            throw new IllegalArgumentException("grid must be in 1.." + MAX_GRID + ", was " + grid);
        }
    }

    static void checkTopN(int topN) {
        if (topN < 1) {
            throw new IllegalArgumentException("top-n must be at least 1, was " + topN);
        }
    }
}
