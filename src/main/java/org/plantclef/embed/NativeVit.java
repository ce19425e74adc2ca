package org.plantclef.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.plantclef.classify.Safetensors;
import org.plantclef.image.Interpolation;
import org.plantclef.image.Resizer;

/**
 * timm's {@code vit_*_patch14_reg4_dinov2} (the PlantCLEF 2024 model's architecture) as DJL blocks
 * on the PyTorch engine, with its weights read from a safetensors checkpoint under timm's own key
 * names: no Python export. Follows timm 0.9.16's {@code VisionTransformer} for this configuration:
 *
 * <ul>
 *   <li>patch embedding: a 14×14 convolution of stride 14 ({@code patch_embed.proj});
 *   <li>the learned position embedding covers the patches only ({@code no_embed_class}); an input
 *       whose patch grid differs from the checkpoint's gets it resampled as timm's {@code
 *       resample_abs_pos_embed} does (bicubic, antialiased, a = -0.5);
 *   <li>then the class token and the register tokens ({@code cls_token}, {@code reg_token}) are put
 *       in front;
 *   <li>pre-norm blocks: {@code x + ls1(attn(norm1(x)))}, {@code x + ls2(mlp(norm2(x)))} with fused
 *       qkv attention (scale head_dim^-0.5 on q), exact (erf) GELU, LayerScale {@code gamma};
 *   <li>a final LayerNorm ({@code norm}, eps 1e-6), and the optional {@code head} on the class
 *       token.
 * </ul>
 *
 * Sizes come from the tensors (S, B, L, g and anything else), the number of heads from the
 * checkpoint's metadata {@code num_heads} or else as every DINOv2 has it: 64 dimensions per head.
 */
public final class NativeVit extends AbstractBlock {

    /** What the block returns. */
    public enum Output {
        /**
         * The normed tokens {@code [B, 1 + registers + N, D]}: CLS first, as a TorchScript model.
         */
        TOKENS,
        /** The head's logits on the class token {@code [B, classes]}. */
        LOGITS
    }

    /**
     * The architecture read from a checkpoint.
     *
     * @param grid the side of the patch grid the position embedding was trained at
     * @param classes the head's outputs, 0 without a head
     */
    public record Config(
            int dim,
            int depth,
            int heads,
            int patch,
            int grid,
            int registers,
            int mlpHidden,
            boolean layerScale,
            int classes) {}

    private static final float EPS = 1e-6f;
    private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\.(.+)");

    private final Config config;
    private final Output output;
    private final Map<String, Parameter> weights = new LinkedHashMap<>();
    private final float[] posEmbed;
    private final Map<Long, NDArray> resampled = new HashMap<>();

    private NativeVit(Config config, Output output, float[] posEmbed) {
        this.config = config;
        this.output = output;
        this.posEmbed = posEmbed;
    }

    public Config config() {
        return config;
    }

    /**
     * Reads {@code file} and builds the model with its weights on {@code manager}.
     *
     * @throws IllegalArgumentException naming the file and what does not fit
     */
    public static NativeVit load(Path file, Output output, NDManager manager) {
        Map<String, Safetensors.Tensor> tensors;
        Map<String, String> metadata;
        try {
            tensors = Safetensors.read(file);
            metadata = Safetensors.metadata(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        try {
            return of(tensors, metadata, output, manager);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The model of {@code tensors} (timm key names), weights created on {@code manager}. */
    public static NativeVit of(
            Map<String, Safetensors.Tensor> tensors,
            Map<String, String> metadata,
            Output output,
            NDManager manager) {
        Config config = config(tensors, metadata);
        if (output == Output.LOGITS && config.classes() == 0) {
            throw new IllegalArgumentException(
                    "the checkpoint has no head (head.weight): it gives embeddings, not logits");
        }
        NativeVit vit = new NativeVit(config, output, tensors.get("pos_embed").data());
        List<String> expected = expectedKeys(config);
        TreeSet<String> unexpected = new TreeSet<>(tensors.keySet());
        expected.forEach(unexpected::remove);
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException(
                    "tensors that are not part of a vit_*_reg4_dinov2 (an other architecture, or"
                            + " a checkpoint not converted to timm's names?): "
                            + abbreviate(unexpected));
        }
        for (String key : expected) {
            Safetensors.Tensor t = tensors.get(key);
            if (t == null) {
                throw new IllegalArgumentException("missing tensor " + key);
            }
            // DJL creates an array over a direct ByteBuffer, aligned as the JVM pleases; a copy
            // made by libtorch's allocator is 64-byte aligned, as MKL's GEMM wants it (the
            // TorchScript path's weights are too).
            NDArray staged = manager.create(t.data(), new Shape(t.shape()));
            NDArray array = staged.duplicate();
            staged.close();
            Parameter p =
                    Parameter.builder()
                            .setName(key)
                            .setType(
                                    key.endsWith("bias")
                                            ? Parameter.Type.BIAS
                                            : Parameter.Type.WEIGHT)
                            .optArray(array)
                            .optRequiresGrad(false)
                            .build();
            vit.weights.put(key, vit.addParameter(p));
        }
        vit.checkShapes();
        return vit;
    }

    /** Sizes from the tensors' shapes; heads from the metadata or 64 per head. */
    static Config config(Map<String, Safetensors.Tensor> tensors, Map<String, String> metadata) {
        Safetensors.Tensor proj = require(tensors, "patch_embed.proj.weight");
        long[] p = proj.shape();
        if (p.length != 4 || p[1] != 3 || p[2] != p[3]) {
            throw new IllegalArgumentException(
                    "patch_embed.proj.weight has shape "
                            + java.util.Arrays.toString(p)
                            + ", expected [D, 3, P, P]");
        }
        int dim = (int) p[0];
        int patch = (int) p[2];
        long[] pos = require(tensors, "pos_embed").shape();
        long positions = pos.length == 3 ? pos[1] : -1;
        int grid = (int) Math.round(Math.sqrt(Math.max(positions, 0)));
        if (pos.length != 3 || pos[2] != dim || (long) grid * grid != positions) {
            throw new IllegalArgumentException(
                    "pos_embed has shape "
                            + java.util.Arrays.toString(pos)
                            + ": only position embeddings over a square patch grid without the"
                            + " class token (timm's no_embed_class, the reg4 DINOv2 models) are"
                            + " supported");
        }
        int registers = 0;
        if (tensors.containsKey("reg_token")) {
            registers = (int) dimension(tensors, "reg_token", 3, 1);
        }
        int depth = 0;
        for (String key : tensors.keySet()) {
            Matcher m = BLOCK_KEY.matcher(key);
            if (m.matches()) {
                depth = Math.max(depth, Integer.parseInt(m.group(1)) + 1);
            }
        }
        if (depth == 0) {
            throw new IllegalArgumentException("no transformer blocks (blocks.N.*)");
        }
        int hidden = (int) dimension(tensors, "blocks.0.mlp.fc1.weight", 2, 0);
        boolean layerScale = tensors.containsKey("blocks.0.ls1.gamma");
        int classes =
                tensors.containsKey("head.weight")
                        ? (int) dimension(tensors, "head.weight", 2, 0)
                        : 0;
        int heads;
        String given = metadata.get("num_heads");
        if (given != null) {
            try {
                heads = Integer.parseInt(given.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "metadata num_heads '" + given + "' is no number");
            }
        } else {
            heads = dim / 64;
        }
        if (heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException(
                    "cannot split "
                            + dim
                            + " dimensions into "
                            + heads
                            + " heads (set the checkpoint's num_heads metadata)");
        }
        return new Config(dim, depth, heads, patch, grid, registers, hidden, layerScale, classes);
    }

    /** Dimension {@code axis} of a tensor that must have {@code rank} dimensions. */
    private static long dimension(
            Map<String, Safetensors.Tensor> tensors, String key, int rank, int axis) {
        long[] shape = require(tensors, key).shape();
        if (shape.length != rank) {
            throw new IllegalArgumentException(
                    key
                            + " has shape "
                            + java.util.Arrays.toString(shape)
                            + ", expected "
                            + rank
                            + " dimensions");
        }
        return shape[axis];
    }

    private static Safetensors.Tensor require(Map<String, Safetensors.Tensor> tensors, String key) {
        Safetensors.Tensor t = tensors.get(key);
        if (t == null) {
            throw new IllegalArgumentException(
                    "missing tensor "
                            + key
                            + " (not a timm ViT checkpoint? it holds "
                            + abbreviate(new TreeSet<>(tensors.keySet()))
                            + ")");
        }
        return t;
    }

    private static String abbreviate(TreeSet<String> keys) {
        List<String> list = new ArrayList<>(keys);
        return list.size() <= 8
                ? list.toString()
                : list.subList(0, 8) + " and " + (list.size() - 8) + " more";
    }

    private static List<String> expectedKeys(Config c) {
        List<String> keys = new ArrayList<>();
        keys.add("cls_token");
        if (c.registers() > 0) {
            keys.add("reg_token");
        }
        keys.add("pos_embed");
        keys.add("patch_embed.proj.weight");
        keys.add("patch_embed.proj.bias");
        for (int i = 0; i < c.depth(); i++) {
            String b = "blocks." + i + ".";
            for (String k :
                    List.of(
                            "norm1.weight",
                            "norm1.bias",
                            "attn.qkv.weight",
                            "attn.qkv.bias",
                            "attn.proj.weight",
                            "attn.proj.bias",
                            "norm2.weight",
                            "norm2.bias",
                            "mlp.fc1.weight",
                            "mlp.fc1.bias",
                            "mlp.fc2.weight",
                            "mlp.fc2.bias")) {
                keys.add(b + k);
            }
            if (c.layerScale()) {
                keys.add(b + "ls1.gamma");
                keys.add(b + "ls2.gamma");
            }
        }
        keys.add("norm.weight");
        keys.add("norm.bias");
        if (c.classes() > 0) {
            keys.add("head.weight");
            keys.add("head.bias");
        }
        return keys;
    }

    /** Every tensor has the shape the configuration implies, or the message names it. */
    private void checkShapes() {
        int d = config.dim();
        Map<String, Shape> want = new LinkedHashMap<>();
        want.put("cls_token", new Shape(1, 1, d));
        if (config.registers() > 0) {
            want.put("reg_token", new Shape(1, config.registers(), d));
        }
        want.put("patch_embed.proj.bias", new Shape(d));
        for (int i = 0; i < config.depth(); i++) {
            String b = "blocks." + i + ".";
            want.put(b + "norm1.weight", new Shape(d));
            want.put(b + "norm1.bias", new Shape(d));
            want.put(b + "attn.qkv.weight", new Shape(3L * d, d));
            want.put(b + "attn.qkv.bias", new Shape(3L * d));
            want.put(b + "attn.proj.weight", new Shape(d, d));
            want.put(b + "attn.proj.bias", new Shape(d));
            want.put(b + "norm2.weight", new Shape(d));
            want.put(b + "norm2.bias", new Shape(d));
            want.put(b + "mlp.fc1.weight", new Shape(config.mlpHidden(), d));
            want.put(b + "mlp.fc1.bias", new Shape(config.mlpHidden()));
            want.put(b + "mlp.fc2.weight", new Shape(d, config.mlpHidden()));
            want.put(b + "mlp.fc2.bias", new Shape(d));
            if (config.layerScale()) {
                want.put(b + "ls1.gamma", new Shape(d));
                want.put(b + "ls2.gamma", new Shape(d));
            }
        }
        want.put("norm.weight", new Shape(d));
        want.put("norm.bias", new Shape(d));
        if (config.classes() > 0) {
            want.put("head.weight", new Shape(config.classes(), d));
            want.put("head.bias", new Shape(config.classes()));
        }
        for (Map.Entry<String, Shape> e : want.entrySet()) {
            Shape got = weights.get(e.getKey()).getArray().getShape();
            if (!got.equals(e.getValue())) {
                throw new IllegalArgumentException(
                        e.getKey() + " has shape " + got + ", expected " + e.getValue());
            }
        }
    }

    private NDArray w(ParameterStore store, String key, NDArray like) {
        return store.getValue(weights.get(key), like.getDevice(), false);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        // Inference only: no autograd bookkeeping on any op (GradMode is per thread in libtorch).
        boolean grad = JniUtils.isGradMode();
        if (grad) {
            JniUtils.setGradMode(false);
        }
        try {
            return forward(store, inputs.singletonOrThrow());
        } finally {
            if (grad) {
                JniUtils.setGradMode(true);
            }
        }
    }

    private NDList forward(ParameterStore store, NDArray images) {
        long batch = images.getShape().get(0);
        int gh = (int) (images.getShape().get(2) / config.patch());
        int gw = (int) (images.getShape().get(3) / config.patch());
        if (images.getShape().get(2) % config.patch() != 0
                || images.getShape().get(3) % config.patch() != 0) {
            throw new IllegalArgumentException(
                    "input "
                            + images.getShape()
                            + " is not a whole number of "
                            + config.patch()
                            + " px patches: use an image size that is a multiple of "
                            + config.patch()
                            + " (518 for the PlantCLEF model)");
        }
        if (gh < 1 || gw < 1) {
            throw new IllegalArgumentException(
                    "input "
                            + images.getShape()
                            + " is smaller than one "
                            + config.patch()
                            + "px patch");
        }
        int d = config.dim();
        Shape stride = new Shape(config.patch(), config.patch());
        NDArray x =
                Conv2d.conv2d(
                                images,
                                w(store, "patch_embed.proj.weight", images),
                                w(store, "patch_embed.proj.bias", images),
                                stride,
                                new Shape(0, 0),
                                new Shape(1, 1),
                                1)
                        .singletonOrThrow();
        x = x.reshape(batch, d, (long) gh * gw).transpose(0, 2, 1);
        x = x.add(positions(store, images, gh, gw));
        // An op's result belongs to its first operand's manager: the broadcasts of the weights
        // are moved to this call's, or every batch would leave them on the model's.
        NDManager call = images.getManager();
        NDList tokens = new NDList();
        NDArray cls = w(store, "cls_token", images).broadcast(batch, 1, d);
        cls.attach(call);
        tokens.add(cls);
        if (config.registers() > 0) {
            NDArray reg = w(store, "reg_token", images).broadcast(batch, config.registers(), d);
            reg.attach(call);
            tokens.add(reg);
        }
        tokens.add(x);
        x = NDArrays.concat(tokens, 1);
        for (int i = 0; i < config.depth(); i++) {
            // A block frees its intermediates as it goes; its input is freed here, so that no
            // more than one block's activations are alive at a time.
            NDArray next = block(store, x, "blocks." + i + ".");
            x.close();
            x = next;
        }
        x = layerNorm(store, x, "norm.");
        if (output == Output.TOKENS) {
            return new NDList(x);
        }
        NDArray first = x.get(":, 0, :");
        return Linear.linear(first, w(store, "head.weight", x), w(store, "head.bias", x));
    }

    /** The position embedding for a {@code gh}×{@code gw} grid, resampled once per grid. */
    private NDArray positions(ParameterStore store, NDArray like, int gh, int gw) {
        NDArray trained = w(store, "pos_embed", like);
        if (gh == config.grid() && gw == config.grid()) {
            return trained;
        }
        long key = ((long) gh << 32) | gw;
        synchronized (resampled) {
            NDArray cached = resampled.get(key);
            if (cached == null || !cached.getDevice().equals(like.getDevice())) {
                if (cached != null) {
                    cached.close();
                }
                float[] grid =
                        Resizer.resampleChannelsLast(
                                posEmbed,
                                config.grid(),
                                config.grid(),
                                config.dim(),
                                gh,
                                gw,
                                Interpolation.BICUBIC);
                // On the model's manager (the weight's own), which lives as long as the model.
                NDManager model = weights.get("pos_embed").getArray().getManager();
                cached =
                        model.create(grid, new Shape(1, (long) gh * gw, config.dim()))
                                .toDevice(like.getDevice(), false);
                resampled.put(key, cached);
            }
            return cached;
        }
    }

    private NDArray layerNorm(ParameterStore store, NDArray x, String prefix) {
        return LayerNorm.layerNorm(
                        x,
                        new Shape(config.dim()),
                        w(store, prefix + "weight", x),
                        w(store, prefix + "bias", x),
                        EPS)
                .singletonOrThrow();
    }

    private NDArray linear(ParameterStore store, NDArray x, String prefix) {
        return Linear.linear(x, w(store, prefix + "weight", x), w(store, prefix + "bias", x))
                .singletonOrThrow();
    }

    /**
     * One pre-norm block. Every intermediate is closed as soon as it has been used, as TorchScript
     * frees them: holding them until the end of the block or the batch costs fresh memory (page
     * faults) for every op.
     */
    private NDArray block(ParameterStore store, NDArray x, String prefix) {
        NDArray normed = layerNorm(store, x, prefix + "norm1.");
        NDArray mid = attention(store, normed, prefix + "attn.");
        normed.close();
        if (config.layerScale()) {
            mid.muli(w(store, prefix + "ls1.gamma", x));
        }
        mid.addi(x); // x + ls1(attn(norm1(x))), in the attention output's own memory
        normed = layerNorm(store, mid, prefix + "norm2.");
        NDArray h = linear(store, normed, prefix + "mlp.fc1.");
        normed.close();
        h = consume(h, Activation.gelu(h));
        h = consume(h, linear(store, h, prefix + "mlp.fc2."));
        if (config.layerScale()) {
            h.muli(w(store, prefix + "ls2.gamma", x));
        }
        h.addi(mid);
        mid.close();
        return h;
    }

    /** {@code result}, after closing {@code used}. */
    private static NDArray consume(NDArray used, NDArray result) {
        used.close();
        return result;
    }

    private NDArray attention(ParameterStore store, NDArray x, String prefix) {
        Shape shape = x.getShape();
        long b = shape.get(0);
        long n = shape.get(1);
        int heads = config.heads();
        int headDim = config.dim() / heads;
        NDArray qkv =
                linear(store, x, prefix + "qkv.")
                        .reshape(b, n, 3, heads, headDim)
                        .transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0).mul((float) Math.pow(headDim, -0.5));
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray kt = k.transpose(0, 1, 3, 2);
        // The score matrices grow with the square of the tokens (725 MB for a batch of 8 at
        // 518 px): computed a few images at a time they stay in a cache-friendly size, with
        // the same arithmetic per row.
        long perImage = (long) heads * n * n * Float.BYTES;
        long chunk = Math.max(1, Math.min(b, scoreBytes / perImage));
        NDArray mixed;
        if (chunk >= b) {
            mixed = attend(q, kt, v);
        } else {
            NDList parts = new NDList();
            for (long from = 0; from < b; from += chunk) {
                String rows = from + ":" + Math.min(b, from + chunk);
                NDArray qs = q.get(rows);
                NDArray ks = kt.get(rows);
                NDArray vs = v.get(rows);
                parts.add(attend(qs, ks, vs));
                qs.close();
                ks.close();
                vs.close();
            }
            mixed = NDArrays.concat(parts, 0);
            parts.close();
        }
        q.close();
        kt.close();
        k.close();
        v.close();
        qkv.close();
        NDArray merged = mixed.transpose(0, 2, 1, 3);
        NDArray flat = merged.reshape(b, n, config.dim());
        merged.close();
        mixed.close();
        NDArray out = linear(store, flat, prefix + "proj.");
        flat.close();
        return out;
    }

    /** Largest score matrix computed at once, by default. */
    static final long SCORE_BYTES = 64L << 20;

    private long scoreBytes = SCORE_BYTES;

    /** Sets the largest score matrix computed at once (tests force the chunked path). */
    void setScoreBytes(long bytes) {
        this.scoreBytes = bytes;
    }

    /** softmax(q kᵀ) v for one slice of the batch. */
    private static NDArray attend(NDArray q, NDArray kt, NDArray v) {
        NDArray scores = q.matMul(kt);
        scores = consume(scores, scores.softmax(-1));
        NDArray mixed = scores.matMul(v);
        scores.close();
        return mixed;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long n = (in.get(2) / config.patch()) * (in.get(3) / config.patch());
        return new Shape[] {
            output == Output.TOKENS
                    ? new Shape(in.get(0), 1 + config.registers() + n, config.dim())
                    : new Shape(in.get(0), config.classes())
        };
    }
}
