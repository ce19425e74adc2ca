package org.plantclef.embed;

import java.io.Serializable;

/** Opens an {@link Embedder} inside a subtask; what an operator is given instead of a model. */
@FunctionalInterface
public interface EmbedderFactory extends Serializable {

    /**
     * @param gpuIndex the GPU this subtask should use, if it uses one
     */
    Embedder open(int gpuIndex);

    /**
     * The DJL embedder of {@code spec}, warmed up, from this JVM's {@link SharedEmbedders}: a
     * restarted subtask takes the model its predecessor loaded.
     */
    static EmbedderFactory djl(EmbedderSpec spec) {
        return gpuIndex -> SharedEmbedders.acquire(spec, gpuIndex);
    }
}
