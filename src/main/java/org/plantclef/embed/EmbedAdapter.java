package org.plantclef.embed;

import java.io.Serializable;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;

/**
 * How the batching operator handles one kind of input record: the pixels to embed, what to emit
 * with the embedding, and how to name the record in a dead letter.
 */
public interface EmbedAdapter<IN, OUT> extends Serializable {

    /** Called once per subtask before any record. */
    default void open() {}

    /** The pixels of {@code record}. */
    RgbImage image(IN record) throws InvalidImageException;

    OUT output(IN record, Embedding embedding);

    /** The file or record name a dead letter carries. */
    String source(IN record);
}
