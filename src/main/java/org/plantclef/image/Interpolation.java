package org.plantclef.image;

/** How {@link Resizer} computes an output pixel from the input pixels under it. */
public enum Interpolation {
    /**
     * Area averaging: each output pixel is the mean of the input area it covers, partial pixels
     * weighted by their overlap (OpenCV's {@code INTER_AREA} for downscaling). The reference's
     * choice for the 128×128 training crops: no aliasing, no ringing.
     */
    AREA,
    /**
     * Bicubic convolution (a = -0.5) widened by the scale factor when downscaling, as PIL's {@code
     * Image.resize(..., BICUBIC)} and timm's eval transforms do.
     */
    BICUBIC
}
