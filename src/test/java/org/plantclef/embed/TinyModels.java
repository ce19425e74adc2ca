package org.plantclef.embed;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tiny scripted models under src/test/resources/models (see notebooks/make_tiny_models.py). */
public final class TinyModels {

    private TinyModels() {}

    /** Returns tokens [B, 1 + 4 + N, 48]. */
    public static Path tokens() {
        return resource("/models/tiny-dinov2/tiny-dinov2.pt");
    }

    /** Returns CLS [B, 48]. */
    public static Path clsOnly() {
        return resource("/models/tiny-dinov2-cls/tiny-dinov2-cls.pt");
    }

    /** timm's vit_*_reg4_dinov2 at a tiny size, as a safetensors checkpoint (F32). */
    public static Path vit() {
        return resource("/models/tiny-vit-reg4/tiny-vit-reg4.safetensors");
    }

    /** The same checkpoint with its weights in F16 or BF16 ({@code "f16"}, {@code "bf16"}). */
    public static Path vit(String halfType) {
        return resource("/models/tiny-vit-reg4/tiny-vit-reg4-" + halfType + ".safetensors");
    }

    /** The same weights as TorchScript (returns tokens). */
    public static Path vitTorchScript() {
        return resource("/models/tiny-vit-reg4/tiny-vit-reg4.pt");
    }

    /** The same model exported to run in bfloat16 (export_torchscript.py --bf16). */
    public static Path vitBf16TorchScript() {
        return resource("/models/tiny-vit-reg4/tiny-vit-reg4-bf16.pt");
    }

    /**
     * A model for the head strategy that needs no classifier: the CLS-only tiny model, whose 48
     * outputs are read as logits, copied to {@code dir/model.pt} with a {@code class_mapping.txt}
     * of species 9000000..9000047 next to it.
     *
     * @return the model file
     */
    public static Path headModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path model = dir.resolve("model.pt");
        Files.copy(clsOnly(), model);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            ids.add(String.valueOf(9_000_000 + i));
        }
        Files.write(dir.resolve("class_mapping.txt"), ids);
        return model;
    }

    public static EmbedderSpec spec(Path model, int size, int batch, boolean dct) {
        return new EmbedderSpec(model.toString(), size, batch, Device.CPU, 1, dct, null);
    }

    /**
     * The resource as a file DJL can load: itself when it is a file, else (inside a jar, as
     * Failsafe runs against the packaged jar) a temporary copy.
     */
    private static synchronized Path resource(String name) {
        try {
            URL url = TinyModels.class.getResource(name);
            if (url == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy = COPIES.resolve(name.substring(1));
            if (!Files.exists(copy)) {
                Files.createDirectories(copy.getParent());
                try (InputStream in = url.openStream()) {
                    Files.copy(in, copy);
                }
            }
            return copy;
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot read test resource " + name, e);
        }
    }

    private static final Path COPIES = temporaryDirectory();

    private static Path temporaryDirectory() {
        try {
            Path dir = Files.createTempDirectory("plantclef-models");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixed input of make_tiny_models.py: sin(0.01 * (b*1000 + c*100 + y*10 + x)). */
    public static float[] formulaInput(int batch, int size) {
        float[] out = new float[batch * 3 * size * size];
        int i = 0;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        out[i++] = (float) Math.sin(0.01 * (b * 1000 + c * 100 + y * 10 + x));
                    }
                }
            }
        }
        return out;
    }
}
