package org.plantclef.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trained linear classifier, scored in plain Java: {@code p = act(W x + b)} with act the softmax
 * (NLL) or the sigmoid (BCE, ASL). Loaded from a classifier directory: {@code weights.safetensors}
 * ({@code weight [C, D]}, {@code bias [C]}), {@code species.txt}, {@code classifier.json}.
 */
public final class Classifier {

    public static final String WEIGHTS = "weights.safetensors";
    public static final String SPECIES = "species.txt";
    public static final String INFO = "classifier.json";

    private final float[] weight; // [C][D] row-major
    private final float[] bias;
    private final int classes;
    private final int dim;
    private final LabelIndex labels;
    private final LossKind loss;
    private final String feature;

    public Classifier(
            float[] weight, float[] bias, LabelIndex labels, LossKind loss, String feature) {
        this.classes = bias.length;
        if (classes == 0 || weight.length % classes != 0) {
            throw new IllegalArgumentException(
                    "weight of " + weight.length + " values does not fit " + classes + " classes");
        }
        if (labels.size() != classes) {
            throw new IllegalArgumentException(
                    labels.size() + " species for " + classes + " classes");
        }
        this.dim = weight.length / classes;
        this.weight = weight;
        this.bias = bias;
        this.labels = labels;
        this.loss = loss;
        this.feature = feature;
    }

    /** Loads a classifier directory, naming the file at fault when something is wrong. */
    public static Classifier load(Path dir) throws IOException {
        Map<String, Safetensors.Tensor> tensors =
                Safetensors.read(Files.readAllBytes(dir.resolve(WEIGHTS)));
        Safetensors.Tensor w = tensors.get("weight");
        Safetensors.Tensor b = tensors.get("bias");
        if (w == null || b == null || w.shape().length != 2 || b.shape().length != 1) {
            throw new IOException(dir.resolve(WEIGHTS) + " needs weight [C, D] and bias [C]");
        }
        List<Long> species = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(SPECIES), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                species.add(Long.parseLong(line.trim()));
            }
        }
        JsonNode info = new ObjectMapper().readTree(dir.resolve(INFO).toFile());
        return new Classifier(
                w.data(),
                b.data(),
                LabelIndex.ofOrdered(species),
                LossKind.valueOf(info.path("loss").asText("NLL")),
                info.path("feature").asText("cls"));
    }

    public int classes() {
        return classes;
    }

    public int dim() {
        return dim;
    }

    public LabelIndex labels() {
        return labels;
    }

    public LossKind loss() {
        return loss;
    }

    /** The embedding column it was trained on: {@code cls} or {@code dct}. */
    public String feature() {
        return feature;
    }

    public float[] weight() {
        return weight;
    }

    public float[] bias() {
        return bias;
    }

    /** The logits {@code W x + b}. */
    public float[] logits(float[] x) {
        if (x.length != dim) {
            throw new IllegalArgumentException("expected " + dim + " features, got " + x.length);
        }
        float[] out = new float[classes];
        for (int c = 0; c < classes; c++) {
            int row = c * dim;
            float sum = bias[c];
            for (int d = 0; d < dim; d++) {
                sum += weight[row + d] * x[d];
            }
            out[c] = sum;
        }
        return out;
    }

    /** Replaces logits {@code z} by their softmax, computed stably (max subtracted). */
    public static void softmaxInPlace(float[] z) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) Math.exp(z[i] - max);
            sum += z[i];
        }
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) (z[i] / sum);
        }
    }

    /** Class probabilities: softmax for NLL, per-class sigmoid for BCE and ASL. */
    public float[] probabilities(float[] x) {
        float[] z = logits(x);
        if (loss.softmax()) {
            softmaxInPlace(z);
        } else {
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) (1 / (1 + Math.exp(-z[i])));
            }
        }
        return z;
    }
}
