package org.anoscan.nn;

import java.util.Random;
import java.util.SplittableRandom;

/** Seeded parameter initialisation (DCGAN: weights N(0, 0.02), batch-norm gamma N(1, 0.02)). */
public final class Init {
    private final Random random;

    public Init(long seed) {
        this.random = new Random(seed);
    }

    public float[] normal(int n, double mean, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (mean + std * random.nextGaussian());
        return a;
    }

    /** A standard normal draw by Box-Muller (SplittableRandom has no nextGaussian in Java 17). */
    public static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
