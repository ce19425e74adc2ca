package org.plantclef.embed;

import java.util.List;
import org.plantclef.image.RgbImage;

/** Turns images into embeddings, a batch at a time, in plain Java. */
public interface Embedder extends AutoCloseable {

    /** Side of the square model input the images are preprocessed to. */
    int imageSize();

    /** The embeddings of {@code images}, in order. */
    List<Embedding> embed(List<RgbImage> images);

    @Override
    void close();
}
