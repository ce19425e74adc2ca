package org.plantclef.embed;

import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * What an operator needs to open its own {@link DjlEmbedder} in each subtask: small, serialisable,
 * no loaded resource (a model captured on the client would be shipped, or fail to be).
 *
 * @param modelFile the TorchScript file ({@code .pt}), or a timm vit_*_reg4_dinov2 checkpoint
 *     ({@code .safetensors}) run natively
 * @param imageSize side of the square model input (518 for the PlantCLEF ViT-B/14)
 * @param batchSize fixed batch size; shorter batches are padded, as PyTorch re-optimises per shape
 * @param device where to run
 * @param threads PyTorch intra-op threads per JVM, 0 for PyTorch's default
 * @param dct whether to compute the 64 DCT coefficients of the token matrix
 * @param cacheDir where DJL extracts the native libraries (DJL_CACHE_DIR), null for its default
 * @param head for a safetensors checkpoint: return its head's logits (the head strategy) instead of
 *     the tokens; a TorchScript file returns what it returns
 */
public record EmbedderSpec(
        String modelFile,
        int imageSize,
        int batchSize,
        Device device,
        int threads,
        boolean dct,
        @Nullable String cacheDir,
        boolean head)
        implements Serializable {

    /** A spec for the model's embeddings (not its head). */
    public EmbedderSpec(
            String modelFile,
            int imageSize,
            int batchSize,
            Device device,
            int threads,
            boolean dct,
            @Nullable String cacheDir) {
        this(modelFile, imageSize, batchSize, device, threads, dct, cacheDir, false);
    }

    /** Whether the model file is a safetensors checkpoint, run as {@link NativeVit}. */
    public boolean isCheckpoint() {
        return isCheckpoint(modelFile);
    }

    /** Whether {@code modelFile} names a safetensors checkpoint. */
    public static boolean isCheckpoint(String modelFile) {
        return modelFile.toLowerCase(java.util.Locale.ROOT).endsWith(".safetensors");
    }

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
