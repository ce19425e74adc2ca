package org.plantclef.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LinearTrainerTest {

    /** {@code perClass} noisy samples around well-separated random centres. */
    static LinearTrainer.Data separable(int classes, int perClass, int dim, long seed) {
        Random random = new Random(seed);
        float[][] centres = new float[classes][dim];
        for (float[] c : centres) {
            for (int d = 0; d < dim; d++) {
                c[d] = (float) (random.nextGaussian() * 3);
            }
        }
        int n = classes * perClass;
        float[] x = new float[n * dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int d = 0; d < dim; d++) {
                x[i * dim + d] = centres[y[i]][d] + (float) (random.nextGaussian() * 0.5);
            }
        }
        return new LinearTrainer.Data(x, y, dim);
    }

    private static LinearTrainer.Params params(LossKind loss, int epochs, long seed) {
        return new LinearTrainer.Params(loss, epochs, 32, 0.01f, 100, false, seed);
    }

    @Test
    void separableDataIsLearnedToAtLeast99Percent() {
        LinearTrainer.Data train = separable(6, 120, 16, 1);
        LinearTrainer.Data val = separable(6, 40, 16, 1); // same centres (same seed), fresh noise
        LinearTrainer.Result result =
                LinearTrainer.train(train, val, 6, LinearTrainer.Params.defaults(), e -> {});
        LinearTrainer.Epoch best = result.epochs().get(result.bestEpoch() - 1);
        assertThat(best.valAccuracy()).isGreaterThanOrEqualTo(0.99);
        assertThat(result.valMacroF1()).isGreaterThanOrEqualTo(0.99);
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void everyLossDecreases(LossKind loss) {
        LinearTrainer.Data train = separable(4, 50, 8, 2);
        List<LinearTrainer.Epoch> epochs = new ArrayList<>();
        LinearTrainer.train(
                train,
                new LinearTrainer.Data(new float[0], new int[0], 8),
                4,
                params(loss, 5, 3),
                epochs::add);
        assertThat(epochs).hasSize(5);
        assertThat(epochs.get(4).trainLoss()).isLessThan(epochs.get(0).trainLoss() * 0.8);
        assertThat(epochs.get(4).trainAccuracy()).isGreaterThan(0.5); // chance: 0.25
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        LinearTrainer.Data train = separable(5, 40, 12, 4);
        LinearTrainer.Data val = separable(5, 10, 12, 5);
        LinearTrainer.Params p = new LinearTrainer.Params(LossKind.NLL, 4, 16, 0.002f, 3, true, 9);
        LinearTrainer.Result a = LinearTrainer.train(train, val, 5, p, e -> {});
        LinearTrainer.Result b = LinearTrainer.train(train, val, 5, p, e -> {});
        assertThat(b.weight()).containsExactly(a.weight());
        assertThat(b.bias()).containsExactly(a.bias());
        LinearTrainer.Result c =
                LinearTrainer.train(
                        train,
                        val,
                        5,
                        new LinearTrainer.Params(LossKind.NLL, 4, 16, 0.002f, 3, true, 10),
                        e -> {});
        assertThat(c.weight()).isNotEqualTo(a.weight());
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() {
        // Validation labels are the training labels shifted: the better it fits, the worse the
        // validation loss, so the first epoch is the best and training stops after patience.
        LinearTrainer.Data train = separable(3, 60, 8, 6);
        int[] shifted = train.y().clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = (shifted[i] + 1) % 3;
        }
        LinearTrainer.Data val = new LinearTrainer.Data(train.x(), shifted, 8);
        LinearTrainer.Result result =
                LinearTrainer.train(
                        train,
                        val,
                        3,
                        new LinearTrainer.Params(LossKind.NLL, 10, 16, 0.05f, 2, false, 1),
                        e -> {});
        assertThat(result.bestEpoch()).isEqualTo(1);
        assertThat(result.epochs()).hasSize(3);
        // The weights returned are epoch 1's: a one-epoch run with the same seed gives them.
        LinearTrainer.Result oneEpoch =
                LinearTrainer.train(
                        train,
                        val,
                        3,
                        new LinearTrainer.Params(LossKind.NLL, 1, 16, 0.05f, 2, false, 1),
                        e -> {});
        assertThat(result.weight()).containsExactly(oneEpoch.weight());
    }

    @Test
    void javaScoringEqualsTheDjlForwardPass() {
        LinearTrainer.Data train = separable(7, 20, 24, 7);
        LinearTrainer.Result result =
                LinearTrainer.train(train, train, 7, params(LossKind.NLL, 2, 1), e -> {});
        List<Long> species = new ArrayList<>();
        for (long s = 0; s < 7; s++) {
            species.add(1000 + s);
        }
        Classifier classifier =
                new Classifier(
                        result.weight(),
                        result.bias(),
                        LabelIndex.ofOrdered(species),
                        LossKind.NLL,
                        "cls");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(train.x(), new Shape(train.size(), 24));
            NDArray w = manager.create(result.weight(), new Shape(7, 24));
            NDArray b = manager.create(result.bias(), new Shape(7));
            NDArray logits = Linear.linear(x, w, b).singletonOrThrow();
            float[] djl = logits.toFloatArray();
            float[] djlProbabilities = logits.softmax(1).toFloatArray();
            for (int i = 0; i < train.size(); i++) {
                float[] java = classifier.logits(train.row(i));
                float[] p = classifier.probabilities(train.row(i));
                for (int c = 0; c < 7; c++) {
                    assertThat(java[c]).isCloseTo(djl[i * 7 + c], within(1e-4f));
                    assertThat(p[c]).isCloseTo(djlProbabilities[i * 7 + c], within(1e-5f));
                }
            }
        }
    }

    @Test
    void balancedSamplingDrawsEveryClassAlike() {
        int[] y = new int[1000];
        for (int i = 0; i < y.length; i++) {
            y[i] = i < 900 ? 0 : 1; // 90% class 0
        }
        LinearTrainer.Data data = new LinearTrainer.Data(new float[1000], y, 1);
        int[] order =
                LinearTrainer.order(
                        data,
                        new int[] {900, 100},
                        new LinearTrainer.Params(LossKind.NLL, 1, 8, 0.01f, 1, true, 3),
                        1);
        long ones = java.util.Arrays.stream(order).filter(i -> y[i] == 1).count();
        assertThat(ones).isBetween(420L, 580L);
    }

    @Test
    void sigmoidScoringOfABceClassifierEqualsDjl() {
        LinearTrainer.Data train = separable(4, 20, 10, 8);
        LinearTrainer.Result result =
                LinearTrainer.train(train, train, 4, params(LossKind.BCE, 2, 1), e -> {});
        Classifier classifier =
                new Classifier(
                        result.weight(),
                        result.bias(),
                        LabelIndex.ofOrdered(List.of(1L, 2L, 3L, 4L)),
                        LossKind.BCE,
                        "cls");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray logits =
                    Linear.linear(
                                    manager.create(train.x(), new Shape(train.size(), 10)),
                                    manager.create(result.weight(), new Shape(4, 10)),
                                    manager.create(result.bias(), new Shape(4)))
                            .singletonOrThrow();
            float[] sigmoid = logits.getNDArrayInternal().sigmoid().toFloatArray();
            for (int i = 0; i < train.size(); i++) {
                float[] p = classifier.probabilities(train.row(i));
                for (int c = 0; c < 4; c++) {
                    assertThat(p[c]).isCloseTo(sigmoid[i * 4 + c], within(1e-5f));
                }
            }
        }
    }

    @Test
    void trainsOnRowViewsIntoASharedBuffer() {
        // Rows 0..n of a buffer, taken in reverse: the same samples as the plain layout.
        LinearTrainer.Data plain = separable(3, 30, 6, 12);
        int n = plain.size();
        int[] rows = new int[n];
        int[] y = new int[n];
        float[] shuffled = new float[n * 6];
        for (int i = 0; i < n; i++) {
            int j = n - 1 - i;
            System.arraycopy(plain.x(), i * 6, shuffled, j * 6, 6);
            rows[i] = j;
            y[i] = plain.y()[i];
        }
        LinearTrainer.Data view = new LinearTrainer.Data(shuffled, y, 6, rows);
        LinearTrainer.Params p = params(LossKind.NLL, 3, 2);
        assertThat(LinearTrainer.train(view, view, 3, p, e -> {}).weight())
                .containsExactly(LinearTrainer.train(plain, plain, 3, p, e -> {}).weight());
    }

    @Test
    void aDivergingRunFailsClearly() {
        LinearTrainer.Data train = separable(3, 10, 4, 13);
        float[] huge = train.x().clone();
        huge[0] = Float.NaN;
        LinearTrainer.Data bad = new LinearTrainer.Data(huge, train.y(), 4);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> LinearTrainer.train(bad, bad, 3, params(LossKind.NLL, 3, 1), e -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("training diverged at epoch 1");
    }
}
