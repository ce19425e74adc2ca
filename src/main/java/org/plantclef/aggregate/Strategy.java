package org.plantclef.aggregate;

import java.io.Serializable;
import java.util.List;
import org.plantclef.record.ScoredTile;

/**
 * How the tiles of one plot photo become the plot's species: which grids the photo is cut into, how
 * many top species each tile must carry, and how the tiles' species are combined.
 */
public interface Strategy extends Serializable {

    /** The name users give on the command line ({@code grid-argmax}). */
    String name();

    /** The N of every N×N grid to cut (1 = the whole image), ascending. */
    int[] grids();

    /** How many top species (with probabilities) each tile must carry to the aggregator. */
    int speciesPerTile();

    /**
     * The plot's species.
     *
     * @param tiles the plot's tiles, ordered by grid size then tile index; may be fewer than the
     *     photo has when a plot timed out
     */
    Ranking aggregate(List<ScoredTile> tiles);
}
