package org.anoscan.backend.cuda;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.anoscan.backend.Activation;

/**
 * Typed launchers for the PTX kernels of cuda-kernels/, queued on the backend's stream. Arguments are
 * device addresses (0 for an optional pointer left out) and sizes; shapes are checked by the callers.
 * Each method's argument list mirrors its kernel's C signature exactly (int and float are 4 bytes,
 * pointers and i64 are 8): {@link #SIGNATURES} says it once more, every launch is checked against it, and
 * a test checks it against the parameters in the built PTX.
 */
final class CudaKernels implements AutoCloseable {
    /** PTX module (cuda-kernels/NAME.cu) to its entry points: what the build must produce. */
    static final Map<String, List<String>> ENTRIES = entries();

    /** Each kernel's parameter types, one letter each: p pointer, l i64, i int, f float. */
    static final Map<String, String> SIGNATURES = signatures();

    static final int BLOCK = 256;
    /** Grid-stride kernels use at most this many blocks (plenty to fill 132 SMs). */
    static final int MAX_GRID = 1 << 16;
    /** Blocks of the first BCE pass. */
    static final int BCE_PARTS = 1024;
    /** Aim for at least this many blocks in per-channel reductions. */
    static final int REDUCTION_BLOCKS = 1024;

    static final int ACT_NONE = 4;
    static final int MODE_SUM = 0;
    static final int MODE_STATS = 1;
    static final int MODE_BN_BWD = 2;

    private final KernelLauncher launcher;
    private final KernelArgs args = new KernelArgs();

    CudaKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    private static Map<String, List<String>> entries() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("elementwise", List.of("fill_f32", "add_f32", "abs_diff_f32", "act_fwd_f32", "act_bwd_f32", "channel_affine_act_f32",
                "scale_along_f32"));
        m.put("loss", List.of("l1_loss_grad_f32", "bce_logits_partial_f32", "bce_logits_finalize_f32"));
        m.put("batchnorm", List.of("channel_partials_f64", "channel_sum_f32", "bn_train_finalize_f32", "bn_eval_coeffs_f32",
                "bn_bwd_finalize_f32", "bn_bwd_dx_f32"));
        m.put("optim", List.of("adam_f32", "adam_per_sample_f32", "keep_best_f32"));
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, String> signatures() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fill_f32", "pfl");
        m.put("add_f32", "pppl");
        m.put("abs_diff_f32", "pppl");
        m.put("act_fwd_f32", "ifppl");
        m.put("act_bwd_f32", "ifppppl");
        m.put("channel_affine_act_f32", "pppifplii");
        m.put("scale_along_f32", "ppplii");
        m.put("l1_loss_grad_f32", "ppppfl");
        m.put("bce_logits_partial_f32", "pfppl");
        m.put("bce_logits_finalize_f32", "pipl");
        m.put("channel_partials_f64", "ippppiilp");
        m.put("channel_sum_f32", "piip");
        m.put("bn_train_finalize_f32", "piilppffpppppp");
        m.put("bn_eval_coeffs_f32", "ppppfipp");
        m.put("bn_bwd_finalize_f32", "piilppppp");
        m.put("bn_bwd_dx_f32", "pppppplii");
        m.put("adam_f32", "pppplfffffff");
        m.put("adam_per_sample_f32", "pppppplfffff");
        m.put("keep_best_f32", "ppppl");
        return Collections.unmodifiableMap(m);
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

    /** Blocks for a grid-stride loop over n elements. */
    static int gridFor(long n) {
        return (int) Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, MAX_GRID));
    }

    /** Threads for one row of {@code dim} elements: a multiple of 32, at most BLOCK. */
    static int rowBlock(long dim) {
        return (int) Math.min(BLOCK, Math.max(32, (dim + 31) / 32 * 32));
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

    // ---- elementwise.cu ----

    void fill(long t, float value, long n) {
        args.reset().ptr(t).f32(value).i64(n);
        launch("fill_f32", gridFor(n), 1, BLOCK);
    }

    void add(long a, long b, long out, long n) {
        args.reset().ptr(a).ptr(b).ptr(out).i64(n);
        launch("add_f32", gridFor(n), 1, BLOCK);
    }

    void absDiff(long a, long b, long out, long n) {
        args.reset().ptr(a).ptr(b).ptr(out).i64(n);
        launch("abs_diff_f32", gridFor(n), 1, BLOCK);
    }

    void activation(int kind, long x, long y, long n) {
        args.reset().i32(kind).f32(Activation.LEAKY_SLOPE).ptr(x).ptr(y).i64(n);
        launch("act_fwd_f32", gridFor(n), 1, BLOCK);
    }

    void activationBackward(int kind, long x, long y, long dy, long dx, long n) {
        args.reset().i32(kind).f32(Activation.LEAKY_SLOPE).ptr(x).ptr(y).ptr(dy).ptr(dx).i64(n);
        launch("act_bwd_f32", gridFor(n), 1, BLOCK);
    }

    /** y = act(x scale[c] + shift[c]) over NCHW (scale 0 = 1, shift 0 = 0); x may be y. */
    void channelAffineAct(long x, long scale, long shift, int kind, long y, long n, int channels, int hw) {
        args.reset().ptr(x).ptr(scale).ptr(shift).i32(kind).f32(Activation.LEAKY_SLOPE).ptr(y).i64(n).i32(channels).i32(hw);
        launch("channel_affine_act_f32", gridFor(n), 1, BLOCK);
    }

    void scaleAlong(long w, long scale, long out, long n, int channels, int inner) {
        args.reset().ptr(w).ptr(scale).ptr(out).i64(n).i32(channels).i32(inner);
        launch("scale_along_f32", gridFor(n), 1, BLOCK);
    }

    // ---- loss.cu ----

    void l1LossGrad(long pred, long target, long loss, long grad, float weight, int samples, long perSample) {
        args.reset().ptr(pred).ptr(target).ptr(loss).ptr(grad).f32(weight).i64(perSample);
        launch("l1_loss_grad_f32", samples, 1, BLOCK);
    }

    static int bceParts(long n) {
        return Math.min(gridFor(n), BCE_PARTS);
    }

    void bceLogits(long x, float target, long grad, long partial, long loss, long n) {
        int parts = bceParts(n);
        args.reset().ptr(x).f32(target).ptr(grad).ptr(partial).i64(n);
        launch("bce_logits_partial_f32", parts, 1, BLOCK);
        args.reset().ptr(partial).i32(parts).ptr(loss).i64(n);
        launch("bce_logits_finalize_f32", 1, 1, BLOCK);
    }

    // ---- batchnorm.cu ----

    /** Writes [channels][splits][2] double partial sums (see channel_partials_f64 for the modes). */
    void channelPartials(int mode, long a, long b, long mean, long invstd, int samples, int channels, long hw, int splits,
                         long partial) {
        args.reset().i32(mode).ptr(a).ptr(b).ptr(mean).ptr(invstd).i32(samples).i32(channels).i64(hw).ptr(partial);
        launch("channel_partials_f64", channels, splits, BLOCK);
    }

    void channelSum(long partial, int splits, int channels, long out) {
        args.reset().ptr(partial).i32(splits).i32(channels).ptr(out);
        launchPerChannel("channel_sum_f32", channels);
    }

    void bnTrainFinalize(long partial, int splits, int channels, long count, long gamma, long beta, float eps, float momentum,
                         long runMean, long runVar, long saveMean, long saveInvStd, long scale, long shift) {
        args.reset().ptr(partial).i32(splits).i32(channels).i64(count).ptr(gamma).ptr(beta).f32(eps).f32(momentum)
                .ptr(runMean).ptr(runVar).ptr(saveMean).ptr(saveInvStd).ptr(scale).ptr(shift);
        launchPerChannel("bn_train_finalize_f32", channels);
    }

    void bnEvalCoeffs(long gamma, long beta, long mean, long var, float eps, int channels, long scale, long shift) {
        args.reset().ptr(gamma).ptr(beta).ptr(mean).ptr(var).f32(eps).i32(channels).ptr(scale).ptr(shift);
        launchPerChannel("bn_eval_coeffs_f32", channels);
    }

    void bnBackwardFinalize(long partial, int splits, int channels, long count, long gamma, long invstd, long dgamma, long dbeta,
                            long coef) {
        args.reset().ptr(partial).i32(splits).i32(channels).i64(count).ptr(gamma).ptr(invstd).ptr(dgamma).ptr(dbeta).ptr(coef);
        launchPerChannel("bn_bwd_finalize_f32", channels);
    }

    void bnBackwardDx(long dy, long x, long mean, long invstd, long coef, long dx, long n, int channels, int hw) {
        args.reset().ptr(dy).ptr(x).ptr(mean).ptr(invstd).ptr(coef).ptr(dx).i64(n).i32(channels).i32(hw);
        launch("bn_bwd_dx_f32", gridFor(n), 1, BLOCK);
    }

    // ---- optim.cu ----

    void adam(long p, long g, long m, long v, long n, float lr, float b1, float b2, float eps, float clamp, float bc1, float bc2) {
        args.reset().ptr(p).ptr(g).ptr(m).ptr(v).i64(n).f32(lr).f32(b1).f32(b2).f32(eps).f32(clamp).f32(bc1).f32(bc2);
        launch("adam_f32", gridFor(n), 1, BLOCK);
    }

    void adamPerSample(long z, long g, long m, long v, long steps, long active, int rows, long dim, float lr, float b1, float b2,
                       float eps, float clamp) {
        args.reset().ptr(z).ptr(g).ptr(m).ptr(v).ptr(steps).ptr(active).i64(dim).f32(lr).f32(b1).f32(b2).f32(eps).f32(clamp);
        launch("adam_per_sample_f32", rows, 1, rowBlock(dim));
    }

    void keepBest(long loss, long bestLoss, long z, long bestZ, int rows, long dim) {
        args.reset().ptr(loss).ptr(bestLoss).ptr(z).ptr(bestZ).i64(dim);
        launch("keep_best_f32", rows, 1, rowBlock(dim));
    }

    // ---- launching ----

    private void launchPerChannel(String entry, int channels) {
        launch(entry, (channels + 127) / 128, 1, 128);
    }

    private void launch(String entry, int gridX, int gridY, int block) {
        String signature = SIGNATURES.get(entry);
        if (signature == null || !args.hasTypes(signature)) {
            throw new IllegalStateException("kernel " + entry + " takes (" + signature + "), launcher passed (" + args.types() + ")");
        }
        launcher.launch(entry, gridX, gridY, block, args);
    }

    /** Frees the argument buffers (the launcher, which owns the modules, is closed by its owner). */
    @Override
    public void close() {
        args.close();
    }
}
