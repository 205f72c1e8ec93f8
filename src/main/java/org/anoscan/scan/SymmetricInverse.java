package org.anoscan.scan;

/** The inverse of a symmetric positive definite matrix by its Cholesky factor, in double. */
final class SymmetricInverse {
    private SymmetricInverse() {}

    /** @throws IllegalArgumentException when the matrix is not positive definite */
    static double[][] of(double[][] a) {
        int n = a.length;
        double[][] l = cholesky(a);
        // L^-1 by forward substitution, then A^-1 = L^-T L^-1
        double[][] li = new double[n][n];
        for (int c = 0; c < n; c++) {
            li[c][c] = 1 / l[c][c];
            for (int i = c + 1; i < n; i++) {
                double s = 0;
                for (int k = c; k < i; k++) s -= l[i][k] * li[k][c];
                li[i][c] = s / l[i][i];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = i; k < n; k++) s += li[k][i] * li[k][j];
                inv[i][j] = inv[j][i] = s;
            }
        }
        return inv;
    }

    /** The lower triangular L with L L^T = a. @throws IllegalArgumentException when a is not positive definite */
    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                if (i == j) {
                    if (!(s > 0)) throw new IllegalArgumentException("covariance is not positive definite (pivot " + s + " at " + i + ")");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }
}
