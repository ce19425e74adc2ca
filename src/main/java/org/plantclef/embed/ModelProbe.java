package org.plantclef.embed;

import java.util.Arrays;
import java.util.List;
import org.plantclef.image.RgbImage;

/**
 * Loads a model once on the client and runs one blank image through it, so that a missing, corrupt
 * or wrong model (or natives that do not load) fails the command at start, with the file named,
 * instead of every subtask failing later.
 *
 * @param dim the width of what the model returns per image (embedding D, or the logit count)
 * @param dct whether DCT features came out (the model returns the token matrix)
 */
public record ModelProbe(int dim, boolean dct) {

    /**
     * @throws IllegalArgumentException saying what is wrong with the model
     */
    public static ModelProbe of(EmbedderSpec spec) {
        EmbedderSpec one =
                new EmbedderSpec(
                        spec.modelFile(),
                        spec.imageSize(),
                        1,
                        Device.CPU,
                        spec.threads(),
                        spec.dct(),
                        spec.cacheDir(),
                        spec.head());
        try (DjlEmbedder embedder = DjlEmbedder.open(one, 0)) {
            List<Embedding> out =
                    embedder.embed(List.of(RgbImage.blank(spec.imageSize(), spec.imageSize())));
            Embedding e = out.get(0);
            for (float v : e.cls()) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(
                            "it returns non-finite values for a blank image: "
                                    + Arrays.toString(Arrays.copyOf(e.cls(), 4))
                                    + "...");
                }
            }
            return new ModelProbe(e.cls().length, e.dct() != null);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot run it on a " + spec.imageSize() + "px image: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.toString() : m.lines().findFirst().orElse(m);
    }
}
