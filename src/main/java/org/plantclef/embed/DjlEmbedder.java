package org.plantclef.embed;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.plantclef.image.RgbImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DINOv2 on DJL's PyTorch engine: a TorchScript file, or a timm safetensors checkpoint run as
 * {@link NativeVit} blocks. Owns one model and one predictor: open one per thread (per Flink
 * subtask) and close it. Batches are padded to the fixed batch size so the model always sees one
 * shape.
 */
public final class DjlEmbedder implements Embedder {

    private static final Logger LOG = LoggerFactory.getLogger(DjlEmbedder.class);

    private final EmbedderSpec spec;
    private final Preprocessor preprocessor;
    private final Model model;
    private final Predictor<Batch, ModelOutput> predictor;
    private final ai.djl.Device device;
    private Dct dct;

    /** A batch of preprocessed images: {@code count} CHW tensors of side {@code size}. */
    public record Batch(float[] data, int count, int size) {}

    private DjlEmbedder(
            EmbedderSpec spec,
            Model model,
            Predictor<Batch, ModelOutput> predictor,
            ai.djl.Device device) {
        this.spec = spec;
        this.preprocessor = new Preprocessor(spec.imageSize());
        this.model = model;
        this.predictor = predictor;
        this.device = device;
    }

    /**
     * Loads the model of {@code spec}.
     *
     * @param gpuIndex the GPU to use when running on GPU (Flink's external resource, or the subtask
     *     index; taken modulo the GPU count)
     * @throws IllegalArgumentException when the model file is missing, or a GPU is required and
     *     none is usable
     */
    public static DjlEmbedder open(EmbedderSpec spec, int gpuIndex) {
        DjlEnvironment.prepare(spec.threads(), spec.cacheDir());
        Path file = Path.of(spec.modelFile()).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model file " + file + " does not exist");
        }
        Engine engine = Engine.getEngine("PyTorch");
        int gpus = engine.getGpuCount();
        ai.djl.Device device;
        switch (spec.device()) {
            case CPU -> device = ai.djl.Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException(
                            "device GPU requested, but the PyTorch engine sees no GPU (with only"
                                    + " the pytorch-native-cpu natives a GPU machine runs on CPU;"
                                    + " see README, GPU)");
                }
                device = ai.djl.Device.gpu(Math.floorMod(gpuIndex, gpus));
            }
            default ->
                    device =
                            gpus > 0
                                    ? ai.djl.Device.gpu(Math.floorMod(gpuIndex, gpus))
                                    : ai.djl.Device.cpu();
        }
        Model model =
                spec.isCheckpoint() ? nativeModel(spec, file, device) : torchScript(file, device);
        LOG.info(
                "Loaded {} on {} (engine {} {}, {} GPU(s) visible, batch {}, input {}px)",
                file,
                device,
                engine.getEngineName(),
                engine.getVersion(),
                gpus,
                spec.batchSize(),
                spec.imageSize());
        try {
            return new DjlEmbedder(spec, model, model.newPredictor(new RawTranslator()), device);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** A TorchScript file through DJL's model loading. */
    private static Model torchScript(Path file, ai.djl.Device device) {
        String name = file.getFileName().toString();
        Criteria<Batch, ModelOutput> criteria =
                Criteria.builder()
                        .setTypes(Batch.class, ModelOutput.class)
                        .optEngine("PyTorch")
                        .optModelPath(file.getParent())
                        .optModelName(
                                name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name)
                        .optDevice(device)
                        .optTranslator(new RawTranslator())
                        .build();
        try {
            return criteria.loadModel();
        } catch (ModelNotFoundException | MalformedModelException e) {
            throw new IllegalArgumentException(
                    "cannot load model " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model " + file, e);
        }
    }

    /** A safetensors checkpoint as {@link NativeVit} blocks, its weights on {@code device}. */
    private static Model nativeModel(EmbedderSpec spec, Path file, ai.djl.Device device) {
        Model model = Model.newInstance(file.getFileName().toString(), device, "PyTorch");
        try {
            model.setBlock(
                    NativeVit.load(
                            file,
                            spec.head() ? NativeVit.Output.LOGITS : NativeVit.Output.TOKENS,
                            model.getNDManager()));
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Most batches {@link #warmUp} runs. */
    static final int WARM_UP_BATCHES = 2;

    /** After a warm-up batch, no other starts once this much time is spent. */
    static final long WARM_UP_BUDGET_MILLIS = 1000;

    /**
     * Runs batches of zeros so that the first real batch runs at full speed: TorchScript profiles
     * the graph on its first call and optimises it on the second, and libtorch and oneDNN allocate
     * their buffers and pick their kernels for the shape. Measured here: the tiny model's first
     * batch takes ~55 ms, its second ~10, then ~2; a ViT-B/14 at 224 px 1.45 s, 1.32, then 1.18. So
     * a second batch runs only while the warm-up has spent under {@value #WARM_UP_BUDGET_MILLIS}
     * ms: a big model on a CPU gains little from it and would pay a whole batch (15 s at 518 px).
     * Warm-up batches are full-sized, as every batch the model sees is.
     *
     * @return the milliseconds each warm-up batch took
     */
    public long[] warmUp() {
        float[] zeros = new float[spec.batchSize() * preprocessor.imageFloats()];
        long[] millis = new long[WARM_UP_BATCHES];
        long spent = 0;
        int batches = 0;
        while (batches < WARM_UP_BATCHES && (batches == 0 || spent < WARM_UP_BUDGET_MILLIS)) {
            long start = System.nanoTime();
            run(zeros, spec.batchSize(), spec.imageSize());
            millis[batches] = (System.nanoTime() - start) / 1_000_000;
            spent += millis[batches];
            batches++;
        }
        millis = Arrays.copyOf(millis, batches);
        LOG.info(
                "Warmed up {} with {} batch(es) of {}: {} ms",
                spec.modelFile(),
                batches,
                spec.batchSize(),
                Arrays.toString(millis));
        return millis;
    }

    /** The device the model actually runs on. */
    public ai.djl.Device device() {
        return device;
    }

    public EmbedderSpec spec() {
        return spec;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    @Override
    public int imageSize() {
        return spec.imageSize();
    }

    @Override
    public List<Embedding> embed(List<RgbImage> images) {
        List<Embedding> out = new ArrayList<>(images.size());
        int batch = spec.batchSize();
        float[] data = new float[batch * preprocessor.imageFloats()];
        for (int start = 0; start < images.size(); start += batch) {
            int count = Math.min(batch, images.size() - start);
            Arrays.fill(data, count * preprocessor.imageFloats(), data.length, 0f);
            for (int i = 0; i < count; i++) {
                preprocessor.into(images.get(start + i), data, i);
            }
            out.addAll(embedPreprocessed(data, count));
        }
        return out;
    }

    /**
     * Embeddings of {@code count} preprocessed images held in a full batch buffer of {@code
     * batchSize} slots (the slots after {@code count} are padding).
     */
    public List<Embedding> embedPreprocessed(float[] batch, int count) {
        ModelOutput output = run(batch, spec.batchSize(), spec.imageSize());
        if (spec.dct() && !output.isTokens()) {
            throw new IllegalStateException(
                    "DCT features need a model that returns the token matrix [B, T, D]; "
                            + spec.modelFile()
                            + " returns "
                            + Arrays.toString(output.shape()));
        }
        List<Embedding> out = new ArrayList<>(count);
        int tokens = output.tokens();
        int dim = output.dim();
        int perImage = tokens * dim;
        for (int i = 0; i < count; i++) {
            float[] cls = Arrays.copyOfRange(output.data(), i * perImage, i * perImage + dim);
            float[] features = null;
            if (spec.dct() && output.isTokens()) {
                if (dct == null || dct.rows() != tokens || dct.cols() != dim) {
                    dct = new Dct(tokens, dim, Dct.DEFAULT_K);
                }
                features = dct.topLeft(output.data(), i * perImage);
            }
            out.add(new Embedding(cls, features));
        }
        return out;
    }

    /** The raw model output for {@code count} CHW images of side {@code size}. */
    public ModelOutput run(float[] batch, int count, int size) {
        ModelOutput output;
        try {
            output = predictor.predict(new Batch(batch, count, size));
        } catch (TranslateException e) {
            throw new IllegalStateException("model inference failed: " + e.getMessage(), e);
        }
        long[] shape = output.shape();
        if ((shape.length != 2 && shape.length != 3) || shape[0] != count) {
            throw new IllegalStateException(
                    spec.modelFile()
                            + " returned "
                            + Arrays.toString(shape)
                            + " for a batch of "
                            + count
                            + "; expected tokens [B, T, D] or CLS [B, D]");
        }
        return output;
    }

    @Override
    public void close() {
        predictor.close();
        model.close();
    }

    /** Float tensor in, plain arrays out; nothing DJL escapes it. */
    private static final class RawTranslator implements NoBatchifyTranslator<Batch, ModelOutput> {
        @Override
        public NDList processInput(TranslatorContext ctx, Batch input) {
            int floats = input.count() * 3 * input.size() * input.size();
            float[] data =
                    input.data().length == floats
                            ? input.data()
                            : Arrays.copyOf(input.data(), floats);
            NDArray array =
                    ctx.getNDManager()
                            .create(data, new Shape(input.count(), 3, input.size(), input.size()));
            return new NDList(array);
        }

        @Override
        public ModelOutput processOutput(TranslatorContext ctx, NDList list) {
            NDArray out = list.get(0);
            if (out.getDataType() != DataType.FLOAT32) {
                // Never from BFLOAT16 here: that cast aborts the JVM in DJL 0.36; models cast
                // inside.
                out = out.toType(DataType.FLOAT32, false);
            }
            return new ModelOutput(out.toFloatArray(), out.getShape().getShape());
        }
    }
}
