package org.plantclef.job;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.plantclef.image.ImageDecoder;
import org.plantclef.image.ImageEncoder;
import org.plantclef.image.ImageOps;
import org.plantclef.image.Interpolation;
import org.plantclef.image.InvalidImageException;
import org.plantclef.image.RgbImage;
import org.plantclef.io.DeadLetters;
import org.plantclef.record.DeadLetter;
import org.plantclef.record.ImageRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each image and replaces its bytes by the JPEG of its centre square resized to {@code
 * size}×{@code size} (the training crop), or, with size 0, keeps the original bytes once they are
 * known to decode. Images that do not decode go to the dead letters with the reason.
 */
public final class SquareCropFunction extends ProcessFunction<ImageRecord, ImageRecord> {

    private static final Logger LOG = LoggerFactory.getLogger(SquareCropFunction.class);

    private static final long serialVersionUID = 1L;

    private final int size;
    private final Interpolation interpolation;
    private final float jpegQuality;
    private final long maxPixels;
    private transient ImageDecoder decoder;

    /**
     * @param size side of the stored square, 0 to keep the original bytes
     * @param jpegQuality in (0, 1]
     */
    public SquareCropFunction(
            int size, Interpolation interpolation, float jpegQuality, long maxPixels) {
        this.size = size;
        this.interpolation = interpolation;
        this.jpegQuality = jpegQuality;
        this.maxPixels = maxPixels;
    }

    @Override
    public void open(OpenContext openContext) {
        decoder = new ImageDecoder(maxPixels);
    }

    @Override
    public void processElement(ImageRecord image, Context ctx, Collector<ImageRecord> out) {
        RgbImage decoded;
        try {
            decoded = decoder.decode(image.data());
        } catch (InvalidImageException e) {
            ctx.output(DeadLetters.TAG, DeadLetter.of(image.path(), "decode", e.getMessage()));
            return;
        }
        if (size == 0) {
            out.collect(image);
            return;
        }
        byte[] jpeg;
        try {
            jpeg =
                    ImageEncoder.jpeg(
                            ImageOps.squareCrop(decoded, size, interpolation), jpegQuality);
        } catch (RuntimeException e) {
            // Not the image's fault, but one record must not stop the job: keep it, with why.
            LOG.error("Cannot crop or encode {}", image.path(), e);
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetter.of(image.path(), "crop", "cannot crop or encode: " + e));
            return;
        }
        out.collect(image.withData(jpeg));
    }
}
