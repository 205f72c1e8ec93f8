// Per-channel reductions of NCHW tensors (bias gradient, batch norm statistics and backward) in two
// passes: channel_partials_f64 splits each channel over `splits` blocks (so that small C still fills
// the GPU) and writes double partial sums; a per-channel finalize kernel combines them. No atomics:
// results are deterministic, which graph-replay comparisons rely on.
#include "common.cuh"

#define MODE_SUM 0      // s1 = sum a
#define MODE_STATS 1    // s1 = sum a, s2 = sum a^2                          (a = x)
#define MODE_BN_BWD 2   // s1 = sum a, s2 = sum a (b - mean[c]) invstd[c]   (a = dy, b = x)

// grid (C, splits); block (c, s) covers samples s, s + splits, ... ; partial[(c splits + s) 2 + {0,1}].
extern "C" __global__ void channel_partials_f64(int mode, const float* a, const float* b, const float* mean,
                                                const float* invstd, int samples, int channels, i64 hw,
                                                double* partial) {
    const int c = blockIdx.x, s = blockIdx.y, splits = gridDim.y;
    const float m = mode == MODE_BN_BWD ? mean[c] : 0.f;
    const float is = mode == MODE_BN_BWD ? invstd[c] : 0.f;
    double s1 = 0.0, s2 = 0.0;
    for (int n = s; n < samples; n += splits) {
        const i64 base = ((i64)n * channels + c) * hw;
        for (i64 j = threadIdx.x; j < hw; j += blockDim.x) {
            const float v = a[base + j];
            s1 += v;
            if (mode == MODE_STATS) s2 += (double)v * v;
            else if (mode == MODE_BN_BWD) s2 += (double)v * ((b[base + j] - m) * is);
        }
    }
    s1 = block_sum(s1);
    s2 = block_sum(s2);
    if (threadIdx.x == 0) {
        partial[((i64)c * splits + s) * 2] = s1;
        partial[((i64)c * splits + s) * 2 + 1] = s2;
    }
}

__device__ __forceinline__ void combine(const double* partial, int c, int splits, double* s1, double* s2) {
    double a = 0.0, b = 0.0;
    for (int s = 0; s < splits; s++) {
        a += partial[((i64)c * splits + s) * 2];
        b += partial[((i64)c * splits + s) * 2 + 1];
    }
    *s1 = a;
    *s2 = b;
}

// out[c] = sum over N, H, W (the bias gradient).
extern "C" __global__ void channel_sum_f32(const double* partial, int splits, int channels, float* out) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    double s1, s2;
    combine(partial, c, splits, &s1, &s2);
    out[c] = (float)s1;
}

// Training-mode statistics: batch mean and biased variance; running stats updated in place with the
// unbiased variance (as PyTorch); scale = gamma invstd and shift = beta - mean scale for the apply pass.
extern "C" __global__ void bn_train_finalize_f32(const double* partial, int splits, int channels, i64 count,
                                                 const float* gamma, const float* beta, float eps, float momentum,
                                                 float* runMean, float* runVar, float* saveMean, float* saveInvStd,
                                                 float* scale, float* shift) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    double s1, s2;
    combine(partial, c, splits, &s1, &s2);
    const double mean = s1 / count;
    double var = s2 / count - mean * mean;
    if (var < 0.0) var = 0.0;
    const double invstd = 1.0 / sqrt(var + (double)eps);
    const double unbiased = count > 1 ? var * count / (count - 1) : var;
    runMean[c] = (float)((1.0 - momentum) * runMean[c] + momentum * mean);
    runVar[c] = (float)((1.0 - momentum) * runVar[c] + momentum * unbiased);
    saveMean[c] = (float)mean;
    saveInvStd[c] = (float)invstd;
    const double sc = gamma[c] * invstd;
    scale[c] = (float)sc;
    shift[c] = (float)(beta[c] - mean * sc);
}

// Eval-mode coefficients: scale = gamma / sqrt(var + eps), shift = beta - mean scale (beta, mean null = 0).
// Used by eval forward, eval backward (scale only) and BN folding into conv weights.
extern "C" __global__ void bn_eval_coeffs_f32(const float* gamma, const float* beta, const float* mean,
                                              const float* var, float eps, int channels, float* scale, float* shift) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    const double sc = gamma[c] / sqrt((double)var[c] + (double)eps);
    scale[c] = (float)sc;
    if (shift) shift[c] = (float)((beta ? beta[c] : 0.f) - (mean ? mean[c] : 0.f) * sc);
}

// Training-mode backward, per channel: dbeta = sum dy, dgamma = sum dy xhat (each when not null), and
// the coefficients of dx = k0 (dy - k1 - xhat k2): k0 = gamma invstd, k1 = mean dy, k2 = mean dy xhat.
extern "C" __global__ void bn_bwd_finalize_f32(const double* partial, int splits, int channels, i64 count,
                                               const float* gamma, const float* invstd, float* dgamma, float* dbeta,
                                               float* coef) {
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= channels) return;
    double s1, s2;
    combine(partial, c, splits, &s1, &s2);
    if (dbeta) dbeta[c] = (float)s1;
    if (dgamma) dgamma[c] = (float)s2;
    coef[3 * c] = gamma[c] * invstd[c];
    coef[3 * c + 1] = (float)(s1 / count);
    coef[3 * c + 2] = (float)(s2 / count);
}

extern "C" __global__ void bn_bwd_dx_f32(const float* dy, const float* x, const float* mean, const float* invstd,
                                         const float* coef, float* dx, i64 n, int channels, int hw) {
    for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        const int c = ((int)i / hw) % channels;  // i < n <= INT_MAX
        const float xhat = (x[i] - mean[c]) * invstd[c];
        dx[i] = coef[3 * c] * (dy[i] - coef[3 * c + 1] - xhat * coef[3 * c + 2]);
    }
}

// ---- launchers (declared in native/include/anoscan_kernels.h) ----
#include "anoscan_kernels.h"
#include "launch.cuh"
using namespace anoscan;

// grid (channels, splits): partial holds channels x splits x 2 doubles.
extern "C" int launch_channel_partials_f64(int mode, const float* a, const float* b, const float* mean, const float* invstd,
                                           int samples, int channels, long long hw, int splits, double* partial,
                                           cudaStream_t stream) {
    channel_partials_f64<<<dim3(channels, splits), BLOCK, 0, stream>>>(mode, a, b, mean, invstd, samples, channels, hw, partial);
    return launched();
}

extern "C" int launch_channel_sum_f32(const double* partial, int splits, int channels, float* out, cudaStream_t stream) {
    channel_sum_f32<<<per_channel_grid(channels), 128, 0, stream>>>(partial, splits, channels, out);
    return launched();
}

extern "C" int launch_bn_train_finalize_f32(const double* partial, int splits, int channels, long long count, const float* gamma,
                                            const float* beta, float eps, float momentum, float* runMean, float* runVar,
                                            float* saveMean, float* saveInvStd, float* scale, float* shift, cudaStream_t stream) {
    bn_train_finalize_f32<<<per_channel_grid(channels), 128, 0, stream>>>(partial, splits, channels, count, gamma, beta, eps, momentum,
                                                                          runMean, runVar, saveMean, saveInvStd, scale, shift);
    return launched();
}

extern "C" int launch_bn_eval_coeffs_f32(const float* gamma, const float* beta, const float* mean, const float* var, float eps,
                                         int channels, float* scale, float* shift, cudaStream_t stream) {
    bn_eval_coeffs_f32<<<per_channel_grid(channels), 128, 0, stream>>>(gamma, beta, mean, var, eps, channels, scale, shift);
    return launched();
}

extern "C" int launch_bn_bwd_finalize_f32(const double* partial, int splits, int channels, long long count, const float* gamma,
                                          const float* invstd, float* dgamma, float* dbeta, float* coef, cudaStream_t stream) {
    bn_bwd_finalize_f32<<<per_channel_grid(channels), 128, 0, stream>>>(partial, splits, channels, count, gamma, invstd, dgamma, dbeta,
                                                                        coef);
    return launched();
}

extern "C" int launch_bn_bwd_dx_f32(const float* dy, const float* x, const float* mean, const float* invstd, const float* coef,
                                    float* dx, long long n, int channels, int hw, cudaStream_t stream) {
    bn_bwd_dx_f32<<<grid_for(n), BLOCK, 0, stream>>>(dy, x, mean, invstd, coef, dx, n, channels, hw);
    return launched();
}
