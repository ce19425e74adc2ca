package org.plantclef.embed;

/**
 * The DCT features of DS@GT: the unnormalised 2-D type-II DCT of a whole token matrix (tokens ×
 * dims), of which the top-left {@code k × k} coefficients are kept, row-major.
 *
 * <p>Unnormalised means scipy's {@code dctn(x, type=2, norm=None)} (and torch-dct's default):
 *
 * <pre>
 * X[k1, k2] = 4 * sum_{n1 < N1} sum_{n2 < N2} x[n1, n2]
 *                 * cos(pi * k1 * (2 n1 + 1) / (2 N1)) * cos(pi * k2 * (2 n2 + 1) / (2 N2))
 * </pre>
 *
 * Only the kept coefficients are computed, separably: O(N1 * N2 * k) instead of a full transform.
 */
public final class Dct {

    /** The number of coefficients per axis DS@GT keeps: 8 × 8 = 64 features. */
    public static final int DEFAULT_K = 8;

    private final int rows;
    private final int cols;
    private final int k;
    private final double[] rowBasis; // [k][rows]
    private final double[] colBasis; // [k][cols]

    /** A transform for {@code rows × cols} matrices keeping {@code k × k} coefficients. */
    public Dct(int rows, int cols, int k) {
        if (rows < 1 || cols < 1 || k < 1 || k > rows || k > cols) {
            throw new IllegalArgumentException(
                    "need 1 <= k <= rows, cols; was k=" + k + " for " + rows + "x" + cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.k = k;
        this.rowBasis = basis(rows, k);
        this.colBasis = basis(cols, k);
    }

    private static double[] basis(int n, int k) {
        double[] b = new double[k * n];
        for (int f = 0; f < k; f++) {
            for (int i = 0; i < n; i++) {
                b[f * n + i] = 2 * Math.cos(Math.PI * f * (2 * i + 1) / (2.0 * n));
            }
        }
        return b;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /**
     * The top-left {@code k × k} coefficients of the matrix held row-major in {@code x} from {@code
     * offset} ({@code rows * cols} values), row-major.
     */
    public float[] topLeft(float[] x, int offset) {
        if (offset < 0 || offset + rows * cols > x.length) {
            throw new IllegalArgumentException("matrix out of bounds");
        }
        // Along the columns first: y[n1][k2] = sum_n2 x[n1][n2] * basis_cols[k2][n2].
        double[] y = new double[rows * k];
        for (int n1 = 0; n1 < rows; n1++) {
            int row = offset + n1 * cols;
            for (int k2 = 0; k2 < k; k2++) {
                double sum = 0;
                int base = k2 * cols;
                for (int n2 = 0; n2 < cols; n2++) {
                    sum += x[row + n2] * colBasis[base + n2];
                }
                y[n1 * k + k2] = sum;
            }
        }
        float[] out = new float[k * k];
        for (int k1 = 0; k1 < k; k1++) {
            int base = k1 * rows;
            for (int k2 = 0; k2 < k; k2++) {
                double sum = 0;
                for (int n1 = 0; n1 < rows; n1++) {
                    sum += y[n1 * k + k2] * rowBasis[base + n1];
                }
                out[k1 * k + k2] = (float) sum;
            }
        }
        return out;
    }
}
