package org.anoscan.tensor;

import java.util.Arrays;

/** An immutable tensor shape. Tensors are NCHW; lower-rank shapes ([N], [N, D]) are allowed. */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape of the given dimensions; every dimension must be positive. */
    public static Shape of(int... dims) {
        if (dims.length == 0) throw new IllegalArgumentException("Shape: at least one dimension is needed");
        for (int d : dims) {
            if (d <= 0) throw new IllegalArgumentException("Shape: dimensions must be positive, got " + Arrays.toString(dims));
        }
        long n = 1;
        for (int d : dims) n *= d;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("Shape: too many elements in " + Arrays.toString(dims));
        return new Shape(dims.clone());
    }

    public int rank() { return dims.length; }

    public int dim(int i) { return dims[i]; }

    public int[] dims() { return dims.clone(); }

    /** N: the first dimension. */
    public int n() { return dims[0]; }

    /** C of an NCHW shape. */
    public int c() { requireRank4(); return dims[1]; }

    public int h() { requireRank4(); return dims[2]; }

    public int w() { requireRank4(); return dims[3]; }

    /** Number of elements. */
    public int size() {
        int n = 1;
        for (int d : dims) n *= d;
        return n;
    }

    /** Number of elements per sample (all dimensions but the first). */
    public int perSample() {
        return size() / dims[0];
    }

    /** The same shape with another first dimension. */
    public Shape withN(int n) {
        int[] d = dims.clone();
        d[0] = n;
        return of(d);
    }

    private void requireRank4() {
        if (dims.length != 4) throw new IllegalStateException("Shape " + this + " is not NCHW");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(dims); }

    @Override
    public String toString() { return Arrays.toString(dims); }
}
