package org.anoscan.backend.cuda;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The kernel launchers of native/include/anoscan_kernels.h, bound by JavaCPP: the Maven build generates
 * the JNI code from these declarations (javacpp:build, process-classes) and native/build.sh compiles it
 * with cuda-kernels/*.cu into one library, libjniNativeKernels.so, next to this class under
 * linux-x86_64/. Pointers are device pointers (JavaCPP never dereferences them); each method returns the
 * launch's cudaError_t (check it with {@link CudaCheck#cuda}). Kernels run asynchronously on {@code stream}.
 *
 * <p>Not loaded by class initialisation: {@link #load()} says why when the build made no library (no nvcc
 * or C++ compiler at build time), and {@link CudaProbe} turns that into the backend's unavailable reason.
 */
@Platform(include = "anoscan_kernels.h")
public final class NativeKernels {
    /** The library's base name, as JavaCPP looks it up (jni + this class's simple name). */
    static final String LIBRARY = "jniNativeKernels";

    private NativeKernels() {}

    /** Loads the library once; throws an {@link UnsatisfiedLinkError} (from JavaCPP) when it was not built. */
    static synchronized void load() {
        Loader.load(NativeKernels.class);
    }

    // ---- elementwise.cu ----

    static native int launch_fill_f32(FloatPointer t, float value, long n, @Cast("cudaStream_t") Pointer stream);

    static native int launch_add_f32(@Const FloatPointer a, @Const FloatPointer b, FloatPointer out, long n,
                                     @Cast("cudaStream_t") Pointer stream);

    static native int launch_abs_diff_f32(@Const FloatPointer a, @Const FloatPointer b, FloatPointer out, long n,
                                          @Cast("cudaStream_t") Pointer stream);

    static native int launch_act_fwd_f32(int kind, float slope, @Const FloatPointer x, FloatPointer y, long n,
                                         @Cast("cudaStream_t") Pointer stream);

    static native int launch_act_bwd_f32(int kind, float slope, @Const FloatPointer x, @Const FloatPointer y, @Const FloatPointer dy,
                                         FloatPointer dx, long n, @Cast("cudaStream_t") Pointer stream);

    static native int launch_channel_affine_act_f32(@Const FloatPointer x, @Const FloatPointer scale, @Const FloatPointer shift, int kind,
                                                    float slope, FloatPointer y, long n, int channels, int hw,
                                                    @Cast("cudaStream_t") Pointer stream);

    static native int launch_scale_along_f32(@Const FloatPointer w, @Const FloatPointer scale, FloatPointer out, long n, int channels,
                                             int inner, @Cast("cudaStream_t") Pointer stream);

    // ---- loss.cu ----

    static native int launch_l1_loss_grad_f32(@Const FloatPointer pred, @Const FloatPointer target, FloatPointer loss, FloatPointer grad,
                                              float weight, int samples, long perSample, @Cast("cudaStream_t") Pointer stream);

    static native int launch_l2_loss_grad_f32(@Const FloatPointer pred, @Const FloatPointer target, FloatPointer loss, FloatPointer grad,
                                              float weight, int samples, long perSample, @Cast("cudaStream_t") Pointer stream);

    static native int launch_bce_logits_f32(@Const FloatPointer x, float target, FloatPointer grad, DoublePointer partial, int parts,
                                            FloatPointer loss, long n, @Cast("cudaStream_t") Pointer stream);

    // ---- batchnorm.cu ----

    static native int launch_channel_partials_f64(int mode, @Const FloatPointer a, @Const FloatPointer b, @Const FloatPointer mean,
                                                  @Const FloatPointer invstd, int samples, int channels, long hw, int splits,
                                                  DoublePointer partial, @Cast("cudaStream_t") Pointer stream);

    static native int launch_channel_sum_f32(@Const DoublePointer partial, int splits, int channels, FloatPointer out,
                                             @Cast("cudaStream_t") Pointer stream);

    static native int launch_bn_train_finalize_f32(@Const DoublePointer partial, int splits, int channels, long count,
                                                   @Const FloatPointer gamma, @Const FloatPointer beta, float eps, float momentum,
                                                   FloatPointer runMean, FloatPointer runVar, FloatPointer saveMean, FloatPointer saveInvStd,
                                                   FloatPointer scale, FloatPointer shift, @Cast("cudaStream_t") Pointer stream);

    static native int launch_bn_eval_coeffs_f32(@Const FloatPointer gamma, @Const FloatPointer beta, @Const FloatPointer mean,
                                                @Const FloatPointer var, float eps, int channels, FloatPointer scale, FloatPointer shift,
                                                @Cast("cudaStream_t") Pointer stream);

    static native int launch_bn_bwd_finalize_f32(@Const DoublePointer partial, int splits, int channels, long count,
                                                 @Const FloatPointer gamma, @Const FloatPointer invstd, FloatPointer dgamma,
                                                 FloatPointer dbeta, FloatPointer coef, @Cast("cudaStream_t") Pointer stream);

    static native int launch_bn_bwd_dx_f32(@Const FloatPointer dy, @Const FloatPointer x, @Const FloatPointer mean,
                                           @Const FloatPointer invstd, @Const FloatPointer coef, FloatPointer dx, long n, int channels,
                                           int hw, @Cast("cudaStream_t") Pointer stream);

    // ---- optim.cu ----

    static native int launch_adam_f32(FloatPointer p, @Const FloatPointer g, FloatPointer m, FloatPointer v, long n, float lr, float b1,
                                      float b2, float eps, float clamp, float bc1, float bc2, @Cast("cudaStream_t") Pointer stream);

    static native int launch_adam_per_sample_f32(FloatPointer z, @Const FloatPointer g, FloatPointer m, FloatPointer v,
                                                 FloatPointer steps, @Const FloatPointer active, int rows, long dim, float lr, float b1,
                                                 float b2, float eps, float clamp, @Cast("cudaStream_t") Pointer stream);

    static native int launch_keep_best_f32(@Const FloatPointer loss, FloatPointer bestLoss, @Const FloatPointer z, FloatPointer bestZ,
                                           int rows, long dim, @Cast("cudaStream_t") Pointer stream);

    static native int launch_search_update_f32(@Const FloatPointer lossA, @Const FloatPointer lossB, FloatPointer loss,
                                               FloatPointer bestLoss, FloatPointer z, FloatPointer bestZ, @Const FloatPointer g,
                                               FloatPointer m, FloatPointer v, FloatPointer steps, @Const FloatPointer active, int rows,
                                               long dim, float lr, float b1, float b2, float eps, float clamp,
                                               @Cast("cudaStream_t") Pointer stream);

    // ---- search.cu ----

    static native int launch_residual_tanh_bwd_f32(@Const FloatPointer gz, @Const FloatPointer x, @Const FloatPointer dgz, float weight,
                                                   FloatPointer loss, FloatPointer dpre, int samples, long perSample,
                                                   @Cast("cudaStream_t") Pointer stream);

    static native int launch_feature_leaky_bwd_f32(@Const FloatPointer fg, @Const FloatPointer fx, float weight, float slope,
                                                   FloatPointer loss, FloatPointer dpre, int samples, long perSample,
                                                   @Cast("cudaStream_t") Pointer stream);

    // ---- convert.cu ----

    static native int launch_f32_to_bf16(@Const FloatPointer x, @Cast("__nv_bfloat16*") ShortPointer y, long n,
                                         @Cast("cudaStream_t") Pointer stream);

    static native int launch_bf16_to_f32(@Cast("const __nv_bfloat16*") ShortPointer x, FloatPointer y, long n,
                                         @Cast("cudaStream_t") Pointer stream);
}
