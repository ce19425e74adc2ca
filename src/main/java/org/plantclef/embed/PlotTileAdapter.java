package org.plantclef.embed;

import org.plantclef.image.RgbImage;
import org.plantclef.record.TileEmbedding;
import org.plantclef.record.TileRecord;

/** Embeds one tile of a plot photo for prediction, keeping where it lies in the plot. */
public final class PlotTileAdapter implements EmbedAdapter<TileRecord, TileEmbedding> {

    private static final long serialVersionUID = 1L;

    @Override
    public RgbImage image(TileRecord tile) {
        return new RgbImage(tile.width(), tile.height(), tile.rgb());
    }

    @Override
    public TileEmbedding output(TileRecord tile, Embedding embedding) {
        return new TileEmbedding(
                tile.plotId(),
                tile.imageName(),
                tile.gridSize(),
                tile.tileIndex(),
                tile.tilesInPlot(),
                embedding.cls(),
                embedding.dct());
    }

    @Override
    public String source(TileRecord tile) {
        return tile.imageName()
                + "#tile"
                + tile.gridSize()
                + "x"
                + tile.gridSize()
                + "-"
                + tile.tileIndex();
    }
}
