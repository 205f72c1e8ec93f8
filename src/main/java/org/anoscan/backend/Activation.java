package org.anoscan.backend;

/** Element-wise activations. LeakyReLU uses slope 0.2, as in DCGAN. */
public enum Activation {
    RELU, LEAKY_RELU, TANH, SIGMOID;

    public static final float LEAKY_SLOPE = 0.2f;
}
