package org.anoscan.backend.cuda;

import org.anoscan.backend.Activation;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * The kernels of cuda-kernels/, queued on the backend's stream through their typed launchers
 * ({@link NativeKernels}): every argument's type is checked by javac here and by the C++ compilers below
 * (see native/README.md), and each launch's status is checked. Pointers are device pointers (null for an
 * optional one left out; {@link DevicePointers} makes them from buffers); shapes are checked by the callers.
 * Launch shapes live with the launchers (native/include/launch.cuh).
 */
final class CudaKernels {
    /** Blocks of the first BCE pass, at most. */
    static final int BCE_PARTS = 1024;
    /** Aim for at least this many blocks in per-channel reductions. */
    static final int REDUCTION_BLOCKS = 1024;
    private static final int BLOCK = 256;

    static final int ACT_NONE = 4;
    static final int MODE_SUM = 0;
    static final int MODE_STATS = 1;
    static final int MODE_BN_BWD = 2;

    private final CudaStream stream;

    CudaKernels(CudaStream stream) {
        this.stream = stream;
    }

    /** The kernels' activation code: the order of the ACT_* defines in common.cuh; null is "none". */
    static int code(Activation a) {
        if (a == null) return ACT_NONE;
        return switch (a) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case TANH -> 2;
            case SIGMOID -> 3;
        };
    }

    /** Partial sums the BCE kernel writes for n elements (one per block of its first pass), as the scratch to give it. */
    static int bceParts(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, BCE_PARTS));
    }

    /**
     * How many blocks share one channel in a per-channel reduction: enough for about
     * {@link #REDUCTION_BLOCKS} blocks in all (a few channels would leave most SMs idle), never more than
     * there are samples.
     */
    static int splitsFor(int samples, int channels) {
        int want = (REDUCTION_BLOCKS + channels - 1) / channels;
        return Math.max(1, Math.min(samples, Math.min(want, 256)));
    }

    private Pointer s() {
        return stream.handle();
    }

    private static void check(int status, String launcher) {
        CudaCheck.cuda(status, launcher);
    }

    // ---- elementwise.cu ----

    void fill(FloatPointer t, float value, long n) {
        check(NativeKernels.launch_fill_f32(t, value, n, s()), "launch_fill_f32");
    }

    void add(FloatPointer a, FloatPointer b, FloatPointer out, long n) {
        check(NativeKernels.launch_add_f32(a, b, out, n, s()), "launch_add_f32");
    }

    void absDiff(FloatPointer a, FloatPointer b, FloatPointer out, long n) {
        check(NativeKernels.launch_abs_diff_f32(a, b, out, n, s()), "launch_abs_diff_f32");
    }

    void activation(int kind, FloatPointer x, FloatPointer y, long n) {
        check(NativeKernels.launch_act_fwd_f32(kind, Activation.LEAKY_SLOPE, x, y, n, s()), "launch_act_fwd_f32");
    }

    void activationBackward(int kind, FloatPointer x, FloatPointer y, FloatPointer dy, FloatPointer dx, long n) {
        check(NativeKernels.launch_act_bwd_f32(kind, Activation.LEAKY_SLOPE, x, y, dy, dx, n, s()), "launch_act_bwd_f32");
    }

    /** y = act(x scale[c] + shift[c]) over NCHW (scale null = 1, shift null = 0); x may be y. */
    void channelAffineAct(FloatPointer x, FloatPointer scale, FloatPointer shift, int kind, FloatPointer y, long n, int channels, int hw) {
        check(NativeKernels.launch_channel_affine_act_f32(x, scale, shift, kind, Activation.LEAKY_SLOPE, y, n, channels, hw, s()),
                "launch_channel_affine_act_f32");
    }

    void scaleAlong(FloatPointer w, FloatPointer scale, FloatPointer out, long n, int channels, int inner) {
        check(NativeKernels.launch_scale_along_f32(w, scale, out, n, channels, inner, s()), "launch_scale_along_f32");
    }

    // ---- loss.cu ----

    void l1LossGrad(FloatPointer pred, FloatPointer target, FloatPointer loss, FloatPointer grad, float weight, int samples, long perSample) {
        check(NativeKernels.launch_l1_loss_grad_f32(pred, target, loss, grad, weight, samples, perSample, s()), "launch_l1_loss_grad_f32");
    }

    void l2LossGrad(FloatPointer pred, FloatPointer target, FloatPointer loss, FloatPointer grad, float weight, int samples, long perSample) {
        check(NativeKernels.launch_l2_loss_grad_f32(pred, target, loss, grad, weight, samples, perSample, s()), "launch_l2_loss_grad_f32");
    }

    /** partial: {@link #bceParts}(n) doubles of scratch. */
    void bceLogits(FloatPointer x, float target, FloatPointer grad, DoublePointer partial, FloatPointer loss, long n) {
        check(NativeKernels.launch_bce_logits_f32(x, target, grad, partial, bceParts(n), loss, n, s()), "launch_bce_logits_f32");
    }

    // ---- batchnorm.cu ----

    /** Writes [channels][splits][2] double partial sums (see channel_partials_f64 for the modes). */
    void channelPartials(int mode, FloatPointer a, FloatPointer b, FloatPointer mean, FloatPointer invstd, int samples, int channels,
                         long hw, int splits, DoublePointer partial) {
        check(NativeKernels.launch_channel_partials_f64(mode, a, b, mean, invstd, samples, channels, hw, splits, partial, s()),
                "launch_channel_partials_f64");
    }

    void channelSum(DoublePointer partial, int splits, int channels, FloatPointer out) {
        check(NativeKernels.launch_channel_sum_f32(partial, splits, channels, out, s()), "launch_channel_sum_f32");
    }

    void bnTrainFinalize(DoublePointer partial, int splits, int channels, long count, FloatPointer gamma, FloatPointer beta, float eps,
                         float momentum, FloatPointer runMean, FloatPointer runVar, FloatPointer saveMean, FloatPointer saveInvStd,
                         FloatPointer scale, FloatPointer shift) {
        check(NativeKernels.launch_bn_train_finalize_f32(partial, splits, channels, count, gamma, beta, eps, momentum, runMean, runVar,
                saveMean, saveInvStd, scale, shift, s()), "launch_bn_train_finalize_f32");
    }

    void bnEvalCoeffs(FloatPointer gamma, FloatPointer beta, FloatPointer mean, FloatPointer var, float eps, int channels,
                      FloatPointer scale, FloatPointer shift) {
        check(NativeKernels.launch_bn_eval_coeffs_f32(gamma, beta, mean, var, eps, channels, scale, shift, s()), "launch_bn_eval_coeffs_f32");
    }

    void bnBackwardFinalize(DoublePointer partial, int splits, int channels, long count, FloatPointer gamma, FloatPointer invstd,
                            FloatPointer dgamma, FloatPointer dbeta, FloatPointer coef) {
        check(NativeKernels.launch_bn_bwd_finalize_f32(partial, splits, channels, count, gamma, invstd, dgamma, dbeta, coef, s()),
                "launch_bn_bwd_finalize_f32");
    }

    void bnBackwardDx(FloatPointer dy, FloatPointer x, FloatPointer mean, FloatPointer invstd, FloatPointer coef, FloatPointer dx, long n,
                      int channels, int hw) {
        check(NativeKernels.launch_bn_bwd_dx_f32(dy, x, mean, invstd, coef, dx, n, channels, hw, s()), "launch_bn_bwd_dx_f32");
    }

    // ---- optim.cu ----

    void adam(FloatPointer p, FloatPointer g, FloatPointer m, FloatPointer v, long n, float lr, float b1, float b2, float eps, float clamp,
              float bc1, float bc2) {
        check(NativeKernels.launch_adam_f32(p, g, m, v, n, lr, b1, b2, eps, clamp, bc1, bc2, s()), "launch_adam_f32");
    }

    void adamPerSample(FloatPointer z, FloatPointer g, FloatPointer m, FloatPointer v, FloatPointer steps, FloatPointer active, int rows,
                       long dim, float lr, float b1, float b2, float eps, float clamp) {
        check(NativeKernels.launch_adam_per_sample_f32(z, g, m, v, steps, active, rows, dim, lr, b1, b2, eps, clamp, s()),
                "launch_adam_per_sample_f32");
    }

    void keepBest(FloatPointer loss, FloatPointer bestLoss, FloatPointer z, FloatPointer bestZ, int rows, long dim) {
        check(NativeKernels.launch_keep_best_f32(loss, bestLoss, z, bestZ, rows, dim, s()), "launch_keep_best_f32");
    }

    void searchUpdate(FloatPointer lossA, FloatPointer lossB, FloatPointer loss, FloatPointer bestLoss, FloatPointer z, FloatPointer bestZ,
                      FloatPointer g, FloatPointer m, FloatPointer v, FloatPointer steps, FloatPointer active, int rows, long dim, float lr,
                      float b1, float b2, float eps, float clamp) {
        check(NativeKernels.launch_search_update_f32(lossA, lossB, loss, bestLoss, z, bestZ, g, m, v, steps, active, rows, dim, lr, b1, b2,
                eps, clamp, s()), "launch_search_update_f32");
    }

    // ---- search.cu ----

    void residualTanhBackward(FloatPointer gz, FloatPointer x, FloatPointer dgz, float weight, FloatPointer loss, FloatPointer dpre,
                              int samples, long perSample) {
        check(NativeKernels.launch_residual_tanh_bwd_f32(gz, x, dgz, weight, loss, dpre, samples, perSample, s()),
                "launch_residual_tanh_bwd_f32");
    }

    void featureLeakyBackward(FloatPointer fg, FloatPointer fx, float weight, FloatPointer loss, FloatPointer dpre, int samples,
                              long perSample) {
        check(NativeKernels.launch_feature_leaky_bwd_f32(fg, fx, weight, Activation.LEAKY_SLOPE, loss, dpre, samples, perSample, s()),
                "launch_feature_leaky_bwd_f32");
    }

    // ---- convert.cu ----

    void toBf16(FloatPointer x, ShortPointer y, long n) {
        check(NativeKernels.launch_f32_to_bf16(x, y, n, s()), "launch_f32_to_bf16");
    }

    void fromBf16(ShortPointer x, FloatPointer y, long n) {
        check(NativeKernels.launch_bf16_to_f32(x, y, n, s()), "launch_bf16_to_f32");
    }
}
