package org.anoscan.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The OpenBLAS calls of the CPU backend, on native buffers addressed by float offsets. OpenBLAS is
 * set single-threaded once: the backend threads in Java over the batch, and threading inside
 * OpenBLAS too would oversubscribe the cores. (openblas_nolapack: the BLAS-only binding, a much
 * smaller JNI library than the full one, over the same libopenblas.)
 */
final class Blas {
    static {
        openblas_nolapack.blas_set_num_threads(1);
    }

    private Blas() {}

    /** Loads OpenBLAS and applies the threading setting; harmless to call again. */
    static void init() {
        // the static initialiser does the work
    }

    /** Row-major C[m,n] = op(A)[m,k] * op(B)[k,n] + beta*C, each matrix at a float offset of its pointer. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      FloatPointer a, long aOff, int lda, FloatPointer b, long bOff, int ldb,
                      float beta, FloatPointer c, long cOff, int ldc) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    }

    /** y[0..n) += x[0..n). */
    static void addInto(int n, FloatPointer x, FloatPointer y) {
        openblas_nolapack.cblas_saxpy(n, 1f, x, 1, y, 1);
    }

    /** A non-owning pointer offset floats into p (no allocation, no deallocator). */
    private static FloatPointer at(FloatPointer p, long offset) {
        return offset == 0 ? p : new FloatPointer(p).position(p.position() + offset);
    }
}
