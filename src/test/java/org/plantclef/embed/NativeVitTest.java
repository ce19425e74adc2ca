package org.plantclef.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.plantclef.classify.Safetensors;
import org.plantclef.image.RgbImage;
import org.plantclef.testutil.BadInputs;

/**
 * The native (DJL blocks) timm vit_*_reg4_dinov2 against the outputs PyTorch gave for the same
 * weights (notebooks/make_vit_fixtures.py), at the checkpoint's patch grid and at others (position
 * embedding resampled), and against the TorchScript export of the same weights.
 */
class NativeVitTest {

    private static final String DIR = "/models/tiny-vit-reg4/";

    @BeforeAll
    static void engine() {
        DjlEnvironment.prepare(1, null);
    }

    private static float[] run(Path checkpoint, NativeVit.Output output, int size) {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NativeVit vit = NativeVit.load(checkpoint, output, manager);
            NDArray x =
                    manager.create(TinyModels.formulaInput(2, size), new Shape(2, 3, size, size));
            NDArray out =
                    vit.forward(new ParameterStore(manager, false), new NDList(x), false)
                            .singletonOrThrow();
            assertThat(out.getShape().getShape())
                    .containsExactly(vit.getOutputShapes(new Shape[] {x.getShape()})[0].getShape());
            return out.toFloatArray();
        }
    }

    private static void assertClose(String what, float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        float worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf("%s: largest difference %.2e%n", what, worst);
        assertThat(worst).as("largest difference").isLessThan(1e-4f);
    }

    @ParameterizedTest(name = "input {0}px")
    @ValueSource(ints = {70, 98, 56}) // the checkpoint's 5x5 grid, 7x7 (up), 4x4 (down)
    void tokensEqualPyTorchAtAnyGrid(int size) throws Exception {
        float[] tokens = run(TinyModels.vit(), NativeVit.Output.TOKENS, size);
        assertClose(
                "tokens " + size + "px",
                tokens,
                PreprocessorTest.floats(DIR + "expected-tokens-" + size + ".f32"));
    }

    @Test
    void logitsOfTheHeadEqualPyTorch() throws Exception {
        float[] logits = run(TinyModels.vit(), NativeVit.Output.LOGITS, 70);
        assertThat(logits).hasSize(2 * 7);
        assertClose("logits", logits, PreprocessorTest.floats(DIR + "expected-logits-70.f32"));
    }

    @ParameterizedTest(name = "{0} checkpoint")
    @ValueSource(strings = {"f16", "bf16"})
    void halfPrecisionCheckpointsAreWidened(String type) throws Exception {
        float[] tokens = run(TinyModels.vit(type), NativeVit.Output.TOKENS, 70);
        assertClose(
                type, tokens, PreprocessorTest.floats(DIR + "expected-tokens-70-" + type + ".f32"));
    }

    @ParameterizedTest(name = "input {0}px")
    @ValueSource(ints = {70, 98})
    void equalsTheTorchScriptExportOfTheSameWeights(int size) {
        float[] tokens = run(TinyModels.vit(), NativeVit.Output.TOKENS, size);
        try (DjlEmbedder scripted =
                DjlEmbedder.open(TinyModels.spec(TinyModels.vitTorchScript(), size, 2, false), 0)) {
            assertClose(
                    "vs TorchScript " + size + "px",
                    tokens,
                    scripted.run(TinyModels.formulaInput(2, size), 2, size).data());
        }
    }

    /**
     * A model exported with {@code --bf16} (weights and activations in bfloat16 inside the file,
     * float32 in and out): what PyTorch computes for the same file, within bf16's rounding, and
     * each token pointing where float32's does.
     */
    @Test
    void aBfloat16ExportRunsAndAgreesWithFloat32() throws Exception {
        float[] tokens;
        try (DjlEmbedder bf16 =
                DjlEmbedder.open(
                        TinyModels.spec(TinyModels.vitBf16TorchScript(), 70, 2, false), 0)) {
            tokens = bf16.run(TinyModels.formulaInput(2, 70), 2, 70).data();
        }
        float[] python = PreprocessorTest.floats(DIR + "expected-tokens-70-bf16-run.f32");
        float[] fp32 = PreprocessorTest.floats(DIR + "expected-tokens-70.f32");
        assertThat(tokens).hasSameSizeAs(fp32);
        double largest = 0;
        for (int i = 0; i < tokens.length; i++) {
            largest = Math.max(largest, Math.abs(tokens[i] - python[i]));
        }
        // libtorch 2.7 against the 1.13 that wrote the file: the same bf16 graph, kernels that
        // may round differently in the last of bf16's 8 bits.
        assertThat(largest).as("largest difference from PyTorch's bf16 run").isLessThan(0.1);
        int dim = 32;
        double worst = 1;
        for (int t = 0; t < tokens.length / dim; t++) {
            worst = Math.min(worst, cosine(tokens, fp32, t * dim, dim));
        }
        System.out.printf(
                "bf16 export: largest difference from PyTorch's bf16 run %.2e, smallest token"
                        + " cosine to float32 %.6f%n",
                largest, worst);
        assertThat(worst).as("smallest token cosine to float32").isGreaterThan(0.999);
        assertThat(tokens).as("really computed in bf16").isNotEqualTo(fp32);
    }

    private static double cosine(float[] a, float[] b, int from, int length) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = from; i < from + length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void theEmbedderGivesTheSameEmbeddingsFromTheCheckpointAndFromTorchScript() {
        List<RgbImage> images =
                List.of(
                        BadInputs.noise(90, 70, 1),
                        BadInputs.noise(70, 70, 2),
                        BadInputs.noise(200, 120, 3));
        List<Embedding> fromCheckpoint;
        List<Embedding> fromScript;
        try (DjlEmbedder embedder =
                DjlEmbedder.open(TinyModels.spec(TinyModels.vit(), 70, 2, true), 0)) {
            fromCheckpoint = embedder.embed(images);
        }
        try (DjlEmbedder embedder =
                DjlEmbedder.open(TinyModels.spec(TinyModels.vitTorchScript(), 70, 2, true), 0)) {
            fromScript = embedder.embed(images);
        }
        for (int i = 0; i < images.size(); i++) {
            assertClose("CLS of image " + i, fromCheckpoint.get(i).cls(), fromScript.get(i).cls());
            assertClose("DCT of image " + i, fromCheckpoint.get(i).dct(), fromScript.get(i).dct());
        }
        assertThat(fromCheckpoint.get(0).cls()).hasSize(32);
        assertThat(fromCheckpoint.get(0).dct()).hasSize(64);
    }

    @Test
    void theEmbedderReturnsTheCheckpointsLogitsForTheHeadStrategy() throws Exception {
        EmbedderSpec head =
                new EmbedderSpec(
                        TinyModels.vit().toString(),
                        70,
                        2,
                        org.plantclef.embed.Device.CPU,
                        1,
                        false,
                        null,
                        true);
        try (DjlEmbedder embedder = DjlEmbedder.open(head, 0)) {
            ModelOutput out = embedder.run(TinyModels.formulaInput(2, 70), 2, 70);
            assertThat(out.shape()).containsExactly(2, 7);
            assertClose(
                    "head logits",
                    out.data(),
                    PreprocessorTest.floats(DIR + "expected-logits-70.f32"));
        }
        assertThat(ModelProbe.of(head).dim()).isEqualTo(7);
    }

    @Test
    void attentionComputedAFewImagesAtATimeGivesTheSameTokens() throws Exception {
        float[] expected = PreprocessorTest.floats(DIR + "expected-tokens-98.f32");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NativeVit vit = NativeVit.load(TinyModels.vit(), NativeVit.Output.TOKENS, manager);
            vit.setScoreBytes(1); // one image per chunk
            NDArray x = manager.create(TinyModels.formulaInput(2, 98), new Shape(2, 3, 98, 98));
            float[] tokens =
                    vit.forward(new ParameterStore(manager, false), new NDList(x), false)
                            .singletonOrThrow()
                            .toFloatArray();
            assertClose("chunked attention", tokens, expected);
        }
    }

    @Test
    void aForwardPassLeavesNothingOnTheModelsManager() {
        try (NDManager model = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NativeVit vit = NativeVit.load(TinyModels.vit(), NativeVit.Output.LOGITS, model);
            int before = -1;
            for (int size : new int[] {98, 98, 70, 98, 70}) {
                try (NDManager call = model.newSubManager()) {
                    NDArray x =
                            call.create(
                                    TinyModels.formulaInput(2, size), new Shape(2, 3, size, size));
                    vit.forward(new ParameterStore(call, false), new NDList(x), false);
                }
                int held = model.getManagedArrays().size();
                if (before >= 0) {
                    // The weights, and the position embedding resampled once for 98 px.
                    assertThat(held).as("arrays on the model's manager").isEqualTo(before);
                }
                before = held;
            }
        }
    }

    @Test
    void readsTheArchitectureFromTheTensors() throws Exception {
        Map<String, Safetensors.Tensor> tensors = Safetensors.read(TinyModels.vit());
        NativeVit.Config config = NativeVit.config(tensors, Safetensors.metadata(TinyModels.vit()));
        assertThat(config).isEqualTo(new NativeVit.Config(32, 2, 2, 14, 5, 4, 128, true, 7));
    }

    @Test
    void checkpointsOfAnotherShapeAreRefusedNamingWhatIsWrong() throws Exception {
        Map<String, Safetensors.Tensor> tensors = new HashMap<>(Safetensors.read(TinyModels.vit()));
        Map<String, String> metadata = Safetensors.metadata(TinyModels.vit());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, Safetensors.Tensor> missing = new HashMap<>(tensors);
            missing.remove("blocks.1.mlp.fc2.bias");
            assertThatThrownBy(
                            () -> NativeVit.of(missing, metadata, NativeVit.Output.TOKENS, manager))
                    .hasMessage("missing tensor blocks.1.mlp.fc2.bias");
            Map<String, Safetensors.Tensor> extra = new HashMap<>(tensors);
            extra.put("blocks.0.attn.q_norm.weight", tensors.get("norm.weight"));
            assertThatThrownBy(
                            () -> NativeVit.of(extra, metadata, NativeVit.Output.TOKENS, manager))
                    .hasMessageContaining("not part of a vit_*_reg4_dinov2")
                    .hasMessageContaining("blocks.0.attn.q_norm.weight");
            Map<String, Safetensors.Tensor> classPos = new HashMap<>(tensors);
            classPos.put(
                    "pos_embed",
                    new Safetensors.Tensor(new long[] {1, 26, 32}, new float[26 * 32]));
            assertThatThrownBy(
                            () ->
                                    NativeVit.of(
                                            classPos, metadata, NativeVit.Output.TOKENS, manager))
                    .hasMessageContaining("pos_embed has shape [1, 26, 32]");
            Map<String, Safetensors.Tensor> noHead = new HashMap<>(tensors);
            noHead.remove("head.weight");
            noHead.remove("head.bias");
            assertThatThrownBy(
                            () -> NativeVit.of(noHead, metadata, NativeVit.Output.LOGITS, manager))
                    .hasMessageContaining("no head");
            Map<String, Safetensors.Tensor> wrongQkv = new HashMap<>(tensors);
            wrongQkv.put(
                    "blocks.0.attn.qkv.bias",
                    new Safetensors.Tensor(new long[] {64}, new float[64]));
            assertThatThrownBy(
                            () ->
                                    NativeVit.of(
                                            wrongQkv, metadata, NativeVit.Output.TOKENS, manager))
                    .hasMessage("blocks.0.attn.qkv.bias has shape (64), expected (96)");
            Map<String, Safetensors.Tensor> scalarBias = new HashMap<>(tensors);
            scalarBias.put(
                    "blocks.1.norm2.bias", new Safetensors.Tensor(new long[] {1}, new float[1]));
            assertThatThrownBy(
                            () ->
                                    NativeVit.of(
                                            scalarBias, metadata, NativeVit.Output.TOKENS, manager))
                    .hasMessage("blocks.1.norm2.bias has shape (1), expected (32)");
            Map<String, Safetensors.Tensor> flatRegisters = new HashMap<>(tensors);
            flatRegisters.put(
                    "reg_token", new Safetensors.Tensor(new long[] {128}, new float[128]));
            assertThatThrownBy(
                            () ->
                                    NativeVit.of(
                                            flatRegisters,
                                            metadata,
                                            NativeVit.Output.TOKENS,
                                            manager))
                    .hasMessage("reg_token has shape [128], expected 3 dimensions");
            // An input that is not a whole number of patches is refused, not silently cropped.
            NativeVit vit = NativeVit.of(tensors, metadata, NativeVit.Output.TOKENS, manager);
            NDArray odd = manager.zeros(new Shape(1, 3, 100, 100));
            assertThatThrownBy(
                            () ->
                                    vit.forward(
                                            new ParameterStore(manager, false),
                                            new NDList(odd),
                                            false))
                    .hasMessageContaining("not a whole number of 14 px patches");
        }
    }
}
