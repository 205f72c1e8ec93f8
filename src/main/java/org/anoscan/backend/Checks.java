package org.anoscan.backend;

import org.anoscan.tensor.Shape;
import org.anoscan.tensor.Tensor;

/** Argument checks shared by backends: every message names the op and the shapes involved. */
public final class Checks {
    private Checks() {}

    /** The tensor is open and belongs to this backend. */
    public static void usable(String op, String name, Tensor t, Backend backend) {
        if (t == null) throw new IllegalArgumentException(op + ": " + name + " is null");
        if (t.isClosed()) throw new IllegalStateException(op + ": " + name + " " + t.shape() + " is closed");
        if (t.backend() != backend) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape() + " belongs to backend " + t.backend().name()
                    + ", not " + backend.name());
        }
    }

    public static void rank4(String op, String name, Shape s) {
        if (s.rank() != 4) throw new IllegalArgumentException(op + ": " + name + " must be NCHW (rank 4), got " + s);
    }

    public static void sameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": shapes differ: " + a.shape() + " vs " + b.shape());
        }
    }

    public static void shape(String op, String name, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must be " + expected + ", got " + t.shape());
        }
    }

    /** A per-channel vector [C] (or any shape of C elements) for an NCHW tensor with C channels. */
    public static void channels(String op, String name, Tensor t, int c) {
        if (t.size() != c) throw new IllegalArgumentException(op + ": " + name + " must have " + c + " elements, got " + t.shape());
    }
}
