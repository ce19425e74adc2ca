package org.plantclef.embed;

import org.plantclef.image.ImageDecoder;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;
import org.plantclef.record.EmbeddingRecord;
import org.plantclef.record.ImageRecord;

/** Embeds a whole image record (compressed bytes, decoded in the operator). */
public final class ImageAdapter implements EmbedAdapter<ImageRecord, EmbeddingRecord> {

    private static final long serialVersionUID = 1L;

    private final long maxPixels;
    private transient ImageDecoder decoder;

    public ImageAdapter(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    @Override
    public void open() {
        decoder = new ImageDecoder(maxPixels);
    }

    @Override
    public RgbImage image(ImageRecord record) throws InvalidImageException {
        return decoder.decode(record.data());
    }

    @Override
    public EmbeddingRecord output(ImageRecord record, Embedding embedding) {
        return new EmbeddingRecord(
                record.imageName(),
                record.speciesId(),
                record.plotId(),
                null,
                embedding.cls(),
                embedding.dct());
    }

    @Override
    public String source(ImageRecord record) {
        return record.path();
    }
}
