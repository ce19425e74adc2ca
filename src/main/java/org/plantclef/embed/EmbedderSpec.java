package org.plantclef.embed;

import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * What an operator needs to open its own {@link DjlEmbedder} in each subtask: small, serialisable,
 * no loaded resource (a model captured on the client would be shipped, or fail to be).
 *
 * @param modelFile the TorchScript file
 * @param imageSize side of the square model input (518 for the PlantCLEF ViT-B/14)
 * @param batchSize fixed batch size; shorter batches are padded, as PyTorch re-optimises per shape
 * @param device where to run
 * @param threads PyTorch intra-op threads per JVM, 0 for PyTorch's default
 * @param dct whether to compute the 64 DCT coefficients of the token matrix
 * @param cacheDir where DJL extracts the native libraries (DJL_CACHE_DIR), null for its default
 */
public record EmbedderSpec(
        String modelFile,
        int imageSize,
        int batchSize,
        Device device,
        int threads,
        boolean dct,
        @Nullable String cacheDir)
        implements Serializable {

    public EmbedderSpec {
        if (imageSize < 14) {
            throw new IllegalArgumentException("image size must be at least 14, was " + imageSize);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 or more, was " + threads);
        }
    }
}
