// Element-wise kernels: grid-stride loops over n elements (n < 2^31, indices in 64 bits).
#include "common.cuh"

#define GRID_STRIDE(i, n) for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < (n); i += (i64)gridDim.x * blockDim.x)

extern "C" __global__ void fill_f32(float* t, float value, i64 n) {
    GRID_STRIDE(i, n) t[i] = value;
}

extern "C" __global__ void add_f32(const float* a, const float* b, float* out, i64 n) {
    GRID_STRIDE(i, n) out[i] = a[i] + b[i];
}

extern "C" __global__ void abs_diff_f32(const float* a, const float* b, float* out, i64 n) {
    GRID_STRIDE(i, n) out[i] = fabsf(a[i] - b[i]);
}

extern "C" __global__ void act_fwd_f32(int kind, float slope, const float* x, float* y, i64 n) {
    GRID_STRIDE(i, n) y[i] = act_forward(kind, x[i], slope);
}

// dL/dx given dL/dy. ReLU and LeakyReLU read x; Tanh and Sigmoid read y (the other may be null).
extern "C" __global__ void act_bwd_f32(int kind, float slope, const float* x, const float* y, const float* dy,
                                       float* dx, i64 n) {
    GRID_STRIDE(i, n) {
        float g = dy[i], r;
        switch (kind) {
            case ACT_RELU: r = x[i] > 0.f ? g : 0.f; break;
            case ACT_LEAKY_RELU: r = x[i] > 0.f ? g : slope * g; break;
            case ACT_TANH: { float t = y[i]; r = g * (1.f - t * t); break; }
            case ACT_SIGMOID: { float s = y[i]; r = g * s * (1.f - s); break; }
            default: r = g;
        }
        dx[i] = r;
    }
}

// y = act(x * scale[c] + shift[c]) over an NCHW tensor of n elements, C channels, hw pixels per plane.
// scale null = 1, shift null = 0. One pass for: a conv bias (shift = bias, act none), the fused
// bias + activation epilogue of a BN-folded conv, batch norm apply (train and eval) and its eval
// backward (scale only). x may equal y (in place).
extern "C" __global__ void channel_affine_act_f32(const float* x, const float* scale, const float* shift, int kind,
                                                  float slope, float* y, i64 n, int channels, int hw) {
    GRID_STRIDE(i, n) {
        const int c = ((int)i / hw) % channels;  // i < n <= INT_MAX: 32-bit division is enough
        float v = x[i];
        if (scale) v *= scale[c];
        if (shift) v += shift[c];
        y[i] = act_forward(kind, v, slope);
    }
}

// out[i] = w[i] * scale[(i / inner) % channels]: folds a per-output-channel scale into conv weights
// ([Cout, Cin, k, k]: inner = Cin k k) or conv-transpose weights ([Cin, Cout, k, k]: inner = k k).
extern "C" __global__ void scale_along_f32(const float* w, const float* scale, float* out, i64 n, int channels,
                                           int inner) {
    GRID_STRIDE(i, n) out[i] = w[i] * scale[((int)i / inner) % channels];
}

// ---- launchers (declared in native/include/anoscan_kernels.h) ----
#include "anoscan_kernels.h"
#include "launch.cuh"
using namespace anoscan;

extern "C" int launch_fill_f32(float* t, float value, long long n, cudaStream_t stream) {
    fill_f32<<<grid_for(n), BLOCK, 0, stream>>>(t, value, n);
    return launched();
}

extern "C" int launch_add_f32(const float* a, const float* b, float* out, long long n, cudaStream_t stream) {
    add_f32<<<grid_for(n), BLOCK, 0, stream>>>(a, b, out, n);
    return launched();
}

extern "C" int launch_abs_diff_f32(const float* a, const float* b, float* out, long long n, cudaStream_t stream) {
    abs_diff_f32<<<grid_for(n), BLOCK, 0, stream>>>(a, b, out, n);
    return launched();
}

extern "C" int launch_act_fwd_f32(int kind, float slope, const float* x, float* y, long long n, cudaStream_t stream) {
    act_fwd_f32<<<grid_for(n), BLOCK, 0, stream>>>(kind, slope, x, y, n);
    return launched();
}

extern "C" int launch_act_bwd_f32(int kind, float slope, const float* x, const float* y, const float* dy, float* dx, long long n,
                                  cudaStream_t stream) {
    act_bwd_f32<<<grid_for(n), BLOCK, 0, stream>>>(kind, slope, x, y, dy, dx, n);
    return launched();
}

extern "C" int launch_channel_affine_act_f32(const float* x, const float* scale, const float* shift, int kind, float slope, float* y,
                                             long long n, int channels, int hw, cudaStream_t stream) {
    channel_affine_act_f32<<<grid_for(n), BLOCK, 0, stream>>>(x, scale, shift, kind, slope, y, n, channels, hw);
    return launched();
}

extern "C" int launch_scale_along_f32(const float* w, const float* scale, float* out, long long n, int channels, int inner,
                                      cudaStream_t stream) {
    scale_along_f32<<<grid_for(n), BLOCK, 0, stream>>>(w, scale, out, n, channels, inner);
    return launched();
}
