// Host launchers of the AnoScan CUDA kernels (cuda-kernels/*.cu), one per kernel: typed device pointers,
// sizes and the stream to queue on. Each returns the cudaError_t of the launch (cudaSuccess = 0); errors
// of the running kernel surface at the next synchronisation, as for any CUDA launch.
//
// This is the one declaration the compiler checks three times: nvcc against each launcher's definition
// (next to its kernel; a mismatch is a "conflicting declaration of C function"), g++ against the call in
// the JNI code that JavaCPP generates from org.anoscan.backend.cuda.NativeKernels, and NativeKernelsBindingTest
// against the Java method's parameter types (a Java int passed for a long long would otherwise widen silently).
// Keep one declaration per line, without comments inside the parentheses: that test reads this file.
// Sizes of whole tensors are long long (> 2^31 elements at B = 8192); per-channel and per-row counts are int.
#pragma once
#include <cuda_runtime_api.h>
#include <cuda_bf16.h>

#ifdef __cplusplus
extern "C" {
#endif

// elementwise.cu
int launch_fill_f32(float* t, float value, long long n, cudaStream_t stream);
int launch_add_f32(const float* a, const float* b, float* out, long long n, cudaStream_t stream);
int launch_abs_diff_f32(const float* a, const float* b, float* out, long long n, cudaStream_t stream);
int launch_act_fwd_f32(int kind, float slope, const float* x, float* y, long long n, cudaStream_t stream);
int launch_act_bwd_f32(int kind, float slope, const float* x, const float* y, const float* dy, float* dx, long long n, cudaStream_t stream);
int launch_channel_affine_act_f32(const float* x, const float* scale, const float* shift, int kind, float slope, float* y, long long n, int channels, int hw, cudaStream_t stream);
int launch_scale_along_f32(const float* w, const float* scale, float* out, long long n, int channels, int inner, cudaStream_t stream);

// loss.cu
int launch_l1_loss_grad_f32(const float* pred, const float* target, float* loss, float* grad, float weight, int samples, long long perSample, cudaStream_t stream);
int launch_l2_loss_grad_f32(const float* pred, const float* target, float* loss, float* grad, float weight, int samples, long long perSample, cudaStream_t stream);
int launch_bce_logits_f32(const float* x, float target, float* grad, double* partial, int parts, float* loss, long long n, cudaStream_t stream);

// batchnorm.cu
int launch_channel_partials_f64(int mode, const float* a, const float* b, const float* mean, const float* invstd, int samples, int channels, long long hw, int splits, double* partial, cudaStream_t stream);
int launch_channel_sum_f32(const double* partial, int splits, int channels, float* out, cudaStream_t stream);
int launch_bn_train_finalize_f32(const double* partial, int splits, int channels, long long count, const float* gamma, const float* beta, float eps, float momentum, float* runMean, float* runVar, float* saveMean, float* saveInvStd, float* scale, float* shift, cudaStream_t stream);
int launch_bn_eval_coeffs_f32(const float* gamma, const float* beta, const float* mean, const float* var, float eps, int channels, float* scale, float* shift, cudaStream_t stream);
int launch_bn_bwd_finalize_f32(const double* partial, int splits, int channels, long long count, const float* gamma, const float* invstd, float* dgamma, float* dbeta, float* coef, cudaStream_t stream);
int launch_bn_bwd_dx_f32(const float* dy, const float* x, const float* mean, const float* invstd, const float* coef, float* dx, long long n, int channels, int hw, cudaStream_t stream);

// optim.cu
int launch_adam_f32(float* p, const float* g, float* m, float* v, long long n, float lr, float b1, float b2, float eps, float clamp, float bc1, float bc2, cudaStream_t stream);
int launch_adam_per_sample_f32(float* z, const float* g, float* m, float* v, float* steps, const float* active, int rows, long long dim, float lr, float b1, float b2, float eps, float clamp, cudaStream_t stream);
int launch_keep_best_f32(const float* loss, float* bestLoss, const float* z, float* bestZ, int rows, long long dim, cudaStream_t stream);
int launch_search_update_f32(const float* lossA, const float* lossB, float* loss, float* bestLoss, float* z, float* bestZ, const float* g, float* m, float* v, float* steps, const float* active, int rows, long long dim, float lr, float b1, float b2, float eps, float clamp, cudaStream_t stream);

// search.cu: the fused element-wise work of one latent-search iteration
int launch_residual_tanh_bwd_f32(const float* gz, const float* x, const float* dgz, float weight, float* loss, float* dpre, int samples, long long perSample, cudaStream_t stream);
int launch_feature_leaky_bwd_f32(const float* fg, const float* fx, float weight, float slope, float* loss, float* dpre, int samples, long long perSample, cudaStream_t stream);

// convert.cu: bf16 storage for convolutions
int launch_f32_to_bf16(const float* x, __nv_bfloat16* y, long long n, cudaStream_t stream);
int launch_bf16_to_f32(const __nv_bfloat16* x, float* y, long long n, cudaStream_t stream);

#ifdef __cplusplus
}
#endif
