package org.plantclef.embed;

/**
 * A model's raw output for a batch, as plain Java: {@code [B, T, D]} tokens (CLS first) or {@code
 * [B, D]} CLS embeddings, row-major.
 */
public record ModelOutput(float[] data, long[] shape) {

    /** Whether the model returned the whole token matrix. */
    public boolean isTokens() {
        return shape.length == 3;
    }

    public int batch() {
        return (int) shape[0];
    }

    /** Embedding width D. */
    public int dim() {
        return (int) shape[shape.length - 1];
    }

    /** Tokens per image T (1 for a CLS-only model). */
    public int tokens() {
        return isTokens() ? (int) shape[1] : 1;
    }
}
