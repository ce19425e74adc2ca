package org.plantclef.embed;

import javax.annotation.Nullable;

/**
 * The embedding of one image: the CLS token, and the 64 DCT coefficients of the whole token matrix
 * when asked for (and when the model returns tokens, not CLS alone).
 */
public record Embedding(float[] cls, @Nullable float[] dct) {}
