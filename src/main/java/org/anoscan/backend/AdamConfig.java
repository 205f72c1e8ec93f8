package org.anoscan.backend;

/**
 * Adam hyper-parameters. {@code clamp} > 0 clamps the updated values to [-clamp, clamp] (used for z
 * in the latent search); 0 disables it.
 */
public record AdamConfig(float lr, float beta1, float beta2, float eps, float clamp) {
    public AdamConfig {
        if (!(lr > 0)) throw new IllegalArgumentException("Adam: learning rate must be positive, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0)) throw new IllegalArgumentException("Adam: eps must be positive, got " + eps);
        if (!(clamp >= 0)) throw new IllegalArgumentException("Adam: clamp must be >= 0, got " + clamp);
    }

    /** DCGAN training settings: lr 2e-4, beta1 0.5, beta2 0.999. */
    public static AdamConfig dcgan() {
        return new AdamConfig(2e-4f, 0.5f, 0.999f, 1e-8f, 0f);
    }
}
