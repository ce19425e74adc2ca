package org.plantclef.embed;

import java.io.Serializable;

/** Opens an {@link Embedder} inside a subtask; what an operator is given instead of a model. */
@FunctionalInterface
public interface EmbedderFactory extends Serializable {

    /**
     * @param gpuIndex the GPU this subtask should use, if it uses one
     */
    Embedder open(int gpuIndex);

    /** The DJL embedder of {@code spec}. */
    static EmbedderFactory djl(EmbedderSpec spec) {
        return gpuIndex -> DjlEmbedder.open(spec, gpuIndex);
    }
}
