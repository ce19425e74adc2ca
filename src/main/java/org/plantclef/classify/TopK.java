package org.plantclef.classify;

/** The k largest values of a score vector, without sorting all of it. */
public final class TopK {

    private TopK() {}

    /**
     * The indices of the {@code k} largest {@code scores}, largest first; equal scores keep the
     * lower index first. Fewer than k when there are fewer scores. NaN scores are never picked.
     */
    public static int[] indices(float[] scores, int k) {
        int n = Math.min(k, scores.length);
        int[] best = new int[n];
        int size = 0;
        for (int i = 0; i < scores.length; i++) {
            float v = scores[i];
            if (Float.isNaN(v) || (size == n && v <= scores[best[n - 1]])) {
                continue;
            }
            int at = size == n ? n - 1 : size++;
            // Insertion into the sorted prefix; strict comparison keeps earlier indices first.
            while (at > 0 && scores[best[at - 1]] < v) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        if (size < n) {
            int[] shorter = new int[size];
            System.arraycopy(best, 0, shorter, 0, size);
            return shorter;
        }
        return best;
    }
}
