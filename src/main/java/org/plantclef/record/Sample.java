package org.plantclef.record;

/**
 * One training sample: an image's feature vector, its species, and which side of the split it is.
 */
public record Sample(String imageName, long speciesId, float[] features, boolean validation) {}
