package org.plantclef.record;

/**
 * A trained linear classifier on its way from the training operator to the client: weights {@code
 * [C][D]} row-major, bias, the species of each class, and the training summary as JSON.
 */
public record TrainedClassifier(
        float[] weight, float[] bias, long[] species, int dim, String infoJson) {}
