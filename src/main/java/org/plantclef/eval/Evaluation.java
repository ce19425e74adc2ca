package org.plantclef.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.core.fs.Path;
import org.plantclef.io.Submission;

/**
 * The PlantCLEF 2024 scores of a set of predictions against the ground truth (DS@GT paper, section
 * 3.4), computed over the plots of the ground truth:
 *
 * <ul>
 *   <li><b>Macro F1 per plot</b>: the mean over plots of the F1 between the plot's true and
 *       predicted species sets. A plot missing from the predictions, or predicted empty, scores 0
 *       (both sets empty would score 1).
 *   <li><b>Macro F1 per species</b>: the mean, over every species in the truth or the predictions,
 *       of that species' F1 across plots ({@code 2TP / (2TP + FP + FN)}).
 *   <li><b>Micro F1</b>: {@code 2TP / (2TP + FP + FN)} with TP, FP, FN counted over all (plot,
 *       species) pairs.
 * </ul>
 *
 * Also the macro precision and recall per plot and the micro precision and recall, and a
 * per-species table. Predictions for a plot the truth does not know are an error listing them: they
 * mean the wrong truth file or a plot id mangled on the way.
 */
public record Evaluation(
        int plots,
        int plotsPredicted,
        double macroF1PerPlot,
        double macroPrecisionPerPlot,
        double macroRecallPerPlot,
        double macroF1PerSpecies,
        double microF1,
        double microPrecision,
        double microRecall,
        List<SpeciesScore> species) {

    /** One species' counts over the plots, and its scores. */
    public record SpeciesScore(
            long speciesId, int truePositives, int falsePositives, int falseNegatives) {

        /** Plots that truly hold the species. */
        public int support() {
            return truePositives + falseNegatives;
        }

        public double precision() {
            int predicted = truePositives + falsePositives;
            return predicted == 0 ? 0 : (double) truePositives / predicted;
        }

        public double recall() {
            int actual = truePositives + falseNegatives;
            return actual == 0 ? 0 : (double) truePositives / actual;
        }

        public double f1() {
            return Evaluation.f1(truePositives, falsePositives, falseNegatives);
        }
    }

    /** {@code 2TP / (2TP + FP + FN)}; 1 when there is nothing to find and nothing found. */
    static double f1(int tp, int fp, int fn) {
        int denominator = 2 * tp + fp + fn;
        return denominator == 0 ? 1.0 : 2.0 * tp / denominator;
    }

    /** Reads both files (submission format) and scores them. */
    public static Evaluation of(Path predictions, Path truth) throws IOException {
        return of(Submission.read(predictions), Submission.read(truth));
    }

    /**
     * Scores {@code predictions} against {@code truth} (plot id → species ids).
     *
     * @throws IllegalArgumentException when predictions name plots the truth does not have
     */
    public static Evaluation of(
            Map<String, List<Long>> predictions, Map<String, List<Long>> truth) {
        List<String> unknown = new ArrayList<>();
        for (String plot : new TreeSet<>(predictions.keySet())) {
            if (!truth.containsKey(plot)) {
                unknown.add(plot);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    unknown.size()
                            + " predicted plot(s) are not in the ground truth: "
                            + String.join(", ", unknown.subList(0, Math.min(20, unknown.size())))
                            + (unknown.size() > 20 ? ", ..." : ""));
        }
        if (truth.isEmpty()) {
            throw new IllegalArgumentException("the ground truth lists no plots");
        }
        Map<Long, int[]> perSpecies = new TreeMap<>(); // tp, fp, fn
        double sumF1 = 0;
        double sumP = 0;
        double sumR = 0;
        int tp = 0;
        int fp = 0;
        int fn = 0;
        int predicted = 0;
        for (Map.Entry<String, List<Long>> row : truth.entrySet()) {
            Set<Long> actual = new LinkedHashSet<>(row.getValue());
            List<Long> given = predictions.get(row.getKey());
            Set<Long> guess = given == null ? Set.of() : new LinkedHashSet<>(given);
            if (given != null) {
                predicted++;
            }
            Set<Long> hit = new HashSet<>(guess);
            hit.retainAll(actual);
            int plotTp = hit.size();
            int plotFp = guess.size() - plotTp;
            int plotFn = actual.size() - plotTp;
            sumF1 += f1(plotTp, plotFp, plotFn);
            sumP += guess.isEmpty() ? (actual.isEmpty() ? 1 : 0) : (double) plotTp / guess.size();
            sumR += actual.isEmpty() ? 1 : (double) plotTp / actual.size();
            tp += plotTp;
            fp += plotFp;
            fn += plotFn;
            for (long s : guess) {
                perSpecies.computeIfAbsent(s, k -> new int[3])[actual.contains(s) ? 0 : 1]++;
            }
            for (long s : actual) {
                if (!guess.contains(s)) {
                    perSpecies.computeIfAbsent(s, k -> new int[3])[2]++;
                }
            }
        }
        List<SpeciesScore> species = new ArrayList<>();
        double sumSpecies = 0;
        for (Map.Entry<Long, int[]> e : perSpecies.entrySet()) {
            int[] c = e.getValue();
            SpeciesScore score = new SpeciesScore(e.getKey(), c[0], c[1], c[2]);
            species.add(score);
            sumSpecies += score.f1();
        }
        int n = truth.size();
        int pairs = tp + fp;
        int actualPairs = tp + fn;
        return new Evaluation(
                n,
                predicted,
                sumF1 / n,
                sumP / n,
                sumR / n,
                species.isEmpty() ? 1.0 : sumSpecies / species.size(),
                f1(tp, fp, fn),
                pairs == 0 ? 0 : (double) tp / pairs,
                actualPairs == 0 ? 0 : (double) tp / actualPairs,
                List.copyOf(species));
    }

    /** The per-species table as {@code ;}-separated CSV, species ascending. */
    public String speciesCsv() {
        StringBuilder out =
                new StringBuilder(
                        "species_id;support;true_positives;false_positives;false_negatives;"
                                + "precision;recall;f1\n");
        for (SpeciesScore s : species) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%d;%d;%d;%d;%d;%.6f;%.6f;%.6f\n",
                            s.speciesId(),
                            s.support(),
                            s.truePositives(),
                            s.falsePositives(),
                            s.falseNegatives(),
                            s.precision(),
                            s.recall(),
                            s.f1()));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "Evaluation[plots=%d, predicted=%d, macroF1PerPlot=%.4f, macroF1PerSpecies=%.4f,"
                        + " microF1=%.4f, species=%d]",
                plots,
                plotsPredicted,
                macroF1PerPlot,
                macroF1PerSpecies,
                microF1,
                species.size());
    }

    /** A few lines for a terminal. */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "Plots: %d in the truth, %d predicted%n"
                        + "Macro F1 per plot:    %.4f  (precision %.4f, recall %.4f)%n"
                        + "Macro F1 per species: %.4f  (%d species)%n"
                        + "Micro F1:             %.4f  (precision %.4f, recall %.4f)%n",
                plots,
                plotsPredicted,
                macroF1PerPlot,
                macroPrecisionPerPlot,
                macroRecallPerPlot,
                macroF1PerSpecies,
                species.size(),
                microF1,
                microPrecision,
                microRecall);
    }
}
