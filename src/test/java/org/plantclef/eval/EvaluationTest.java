package org.plantclef.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-computed cases of the paper's three F1 scores. */
class EvaluationTest {

    private static Map<String, List<Long>> rows(Object... plotsAndLists) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (int i = 0; i < plotsAndLists.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<Long> species = (List<Long>) plotsAndLists[i + 1];
            out.put((String) plotsAndLists[i], species);
        }
        return out;
    }

    private static final Map<String, List<Long>> TRUTH =
            rows("P1", List.of(1L, 2L, 3L), "P2", List.of(2L, 4L), "P3", List.of(5L));

    @Test
    void handComputed() {
        // P1: {1,2,6} vs {1,2,3}: TP 2 FP 1 FN 1 -> F1 2/3, P 2/3, R 2/3
        // P2: {4} vs {2,4}:      TP 1 FP 0 FN 1 -> F1 2/3, P 1,   R 1/2
        // P3: missing (empty):   TP 0 FP 0 FN 1 -> F1 0,   P 0,   R 0
        Evaluation e = Evaluation.of(rows("P1", List.of(1L, 2L, 6L), "P2", List.of(4L)), TRUTH);
        assertThat(e.plots()).isEqualTo(3);
        assertThat(e.plotsPredicted()).isEqualTo(2);
        assertThat(e.macroF1PerPlot()).isCloseTo(4.0 / 9, within(1e-12));
        assertThat(e.macroPrecisionPerPlot()).isCloseTo(5.0 / 9, within(1e-12));
        assertThat(e.macroRecallPerPlot()).isCloseTo(7.0 / 18, within(1e-12));
        // Micro: TP 3, FP 1, FN 3 -> 6 / 10
        assertThat(e.microF1()).isCloseTo(0.6, within(1e-12));
        assertThat(e.microPrecision()).isCloseTo(0.75, within(1e-12));
        assertThat(e.microRecall()).isCloseTo(0.5, within(1e-12));
        // Species F1: 1 -> 1 (P1), 2 -> 2/3 (found in P1, missed in P2), 3 -> 0, 4 -> 1,
        // 5 -> 0 (missed), 6 -> 0 (false): (1 + 2/3 + 1) / 6 = 4/9.
        assertThat(e.macroF1PerSpecies()).isCloseTo(4.0 / 9, within(1e-12));
        assertThat(e.species())
                .extracting(Evaluation.SpeciesScore::speciesId)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        Evaluation.SpeciesScore two = e.species().get(1);
        assertThat(two.truePositives()).isEqualTo(1);
        assertThat(two.falseNegatives()).isEqualTo(1);
        assertThat(two.f1()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(e.speciesCsv())
                .startsWith("species_id;support;true_positives;false_positives;false_negatives;")
                .contains("\n2;2;1;0;1;1.000000;0.500000;0.666667\n")
                .contains("\n6;0;0;1;0;0.000000;0.000000;0.000000\n");
    }

    @Test
    void perfectPredictionsScoreOneEverywhere() {
        Evaluation e = Evaluation.of(TRUTH, TRUTH);
        assertThat(e.macroF1PerPlot()).isEqualTo(1.0);
        assertThat(e.macroF1PerSpecies()).isEqualTo(1.0);
        assertThat(e.microF1()).isEqualTo(1.0);
        assertThat(e.microPrecision()).isEqualTo(1.0);
        assertThat(e.microRecall()).isEqualTo(1.0);
        assertThat(e.summary()).contains("Macro F1 per plot:    1.0000");
    }

    @Test
    void emptyPredictionsScoreZero() {
        Evaluation e =
                Evaluation.of(rows("P1", List.of(), "P2", List.of(), "P3", List.of()), TRUTH);
        assertThat(e.macroF1PerPlot()).isZero();
        assertThat(e.microF1()).isZero();
        assertThat(e.macroF1PerSpecies()).isZero();
        assertThat(e.plotsPredicted()).isEqualTo(3);
    }

    @Test
    void duplicateSpeciesInARowCountOnce() {
        Evaluation e = Evaluation.of(rows("P3", List.of(5L, 5L)), rows("P3", List.of(5L)));
        assertThat(e.macroF1PerPlot()).isEqualTo(1.0);
        assertThat(e.microF1()).isEqualTo(1.0);
    }

    @Test
    void unknownPlotsAreAnErrorListingThem() {
        assertThatThrownBy(
                        () ->
                                Evaluation.of(
                                        rows("P1", List.of(1L), "X9", List.of(), "A0", List.of()),
                                        TRUTH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 predicted plot(s) are not in the ground truth: A0, X9");
    }
}
