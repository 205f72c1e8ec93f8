package org.anoscan.backend.cpu;

import java.util.Arrays;

/**
 * Image <-> column-matrix copies of one sample, on Java arrays (the kernels move whole images and
 * column tiles between native memory and arrays with bulk copies: the loops here then run without
 * per-element buffer checks, about twice as fast as on direct buffers). Column rows start at
 * colOff + r*ld, so the columns of several samples sit side by side in one matrix (one wide GEMM for
 * a batch tile). The in-bounds range of every kernel tap is computed once, so the inner loops have
 * no bounds tests.
 */
final class Im2Col {
    private Im2Col() {}

    /** Writes the columns of the image at img[imgOff..] into col (padding reads as 0). */
    static void im2col(ConvGeometry g, float[] img, int imgOff, float[] col, int colOff, int ld) {
        final int s = g.stride(), pad = g.pad(), h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow();
        int row = colOff;
        for (int ch = 0; ch < g.c(); ch++) {
            int plane = imgOff + ch * h * w;
            for (int ki = 0; ki < g.kh(); ki++) {
                int oyLo = firstInside(pad, ki, s, oh), oyHi = endInside(h, pad, ki, s, oh);
                for (int kj = 0; kj < g.kw(); kj++, row += ld) {
                    int oxLo = firstInside(pad, kj, s, ow), oxHi = endInside(w, pad, kj, s, ow);
                    int n = oxHi - oxLo;
                    Arrays.fill(col, row, row + oyLo * ow, 0f);
                    for (int oy = oyLo; oy < oyHi; oy++) {
                        int dst = row + oy * ow;
                        int src = plane + (oy * s - pad + ki) * w + oxLo * s - pad + kj;
                        for (int i = 0; i < oxLo; i++) col[dst + i] = 0f;
                        if (s == 1) {
                            System.arraycopy(img, src, col, dst + oxLo, n);
                        } else {
                            for (int i = 0, d = dst + oxLo; i < n; i++, src += s) col[d + i] = img[src];
                        }
                        for (int i = oxHi; i < ow; i++) col[dst + i] = 0f;
                    }
                    Arrays.fill(col, row + oyHi * ow, row + oh * ow, 0f);
                }
            }
        }
    }

    /** Adds the columns in col back onto the image at img[imgOff..] (the adjoint of im2col); padding is dropped. */
    static void col2im(ConvGeometry g, float[] col, int colOff, int ld, float[] img, int imgOff) {
        final int s = g.stride(), pad = g.pad(), h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow();
        int row = colOff;
        for (int ch = 0; ch < g.c(); ch++) {
            int plane = imgOff + ch * h * w;
            for (int ki = 0; ki < g.kh(); ki++) {
                int oyLo = firstInside(pad, ki, s, oh), oyHi = endInside(h, pad, ki, s, oh);
                for (int kj = 0; kj < g.kw(); kj++, row += ld) {
                    int oxLo = firstInside(pad, kj, s, ow), oxHi = endInside(w, pad, kj, s, ow);
                    int n = oxHi - oxLo;
                    for (int oy = oyLo; oy < oyHi; oy++) {
                        int src = row + oy * ow + oxLo;
                        int dst = plane + (oy * s - pad + ki) * w + oxLo * s - pad + kj;
                        if (s == 1) {
                            for (int i = 0; i < n; i++) img[dst + i] += col[src + i];
                        } else {
                            for (int i = 0; i < n; i++, dst += s) img[dst] += col[src + i];
                        }
                    }
                }
            }
        }
    }

    /** Smallest output index o with o*s - pad + k >= 0 (at most out). */
    static int firstInside(int pad, int k, int s, int out) {
        int need = pad - k;
        return need <= 0 ? 0 : Math.min(out, (need + s - 1) / s);
    }

    /** One past the largest output index o with o*s - pad + k < size (at least firstInside). */
    static int endInside(int size, int pad, int k, int s, int out) {
        int last = size - 1 + pad - k;
        int end = last < 0 ? 0 : Math.min(out, last / s + 1);
        return Math.max(end, firstInside(pad, k, s, out));
    }
}
