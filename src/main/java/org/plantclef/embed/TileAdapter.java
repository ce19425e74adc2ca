package org.plantclef.embed;

import org.plantclef.image.RgbImage;
import org.plantclef.record.EmbeddingRecord;
import org.plantclef.record.TileRecord;

/** Embeds one tile of a plot photo (pixels already cut by {@link TileFunction}). */
public final class TileAdapter implements EmbedAdapter<TileRecord, EmbeddingRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public RgbImage image(TileRecord tile) {
        return new RgbImage(tile.width(), tile.height(), tile.rgb());
    }

    @Override
    public EmbeddingRecord output(TileRecord tile, Embedding embedding) {
        return new EmbeddingRecord(
                tile.imageName(),
                null,
                tile.plotId(),
                tile.tileIndex(),
                embedding.cls(),
                embedding.dct());
    }

    @Override
    public String source(TileRecord tile) {
        return tile.imageName() + "#tile" + tile.tileIndex();
    }
}
