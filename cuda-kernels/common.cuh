// Shared helpers of the AnoScan kernels. Every kernel is extern "C" (stable PTX entry names for
// cuModuleGetFunction), float32 in and out; reductions accumulate in double so that sums over
// millions of elements stay within the 1e-4 parity budget against the CPU reference.
#pragma once

// Activation codes: the order of org.anoscan.backend.Activation, then "none" for a plain bias add.
#define ACT_RELU 0
#define ACT_LEAKY_RELU 1
#define ACT_TANH 2
#define ACT_SIGMOID 3
#define ACT_NONE 4

typedef long long i64;

__device__ __forceinline__ float act_forward(int kind, float x, float slope) {
    switch (kind) {
        case ACT_RELU: return x > 0.f ? x : 0.f;
        case ACT_LEAKY_RELU: return x > 0.f ? x : slope * x;
        case ACT_TANH: return tanhf(x);
        case ACT_SIGMOID: return 1.f / (1.f + expf(-x));
        default: return x;
    }
}

__device__ __forceinline__ double warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

// Sum over the block; the result is valid in thread 0. blockDim.x must be a multiple of 32.
// Starts with a barrier so that it can be called several times in one kernel.
__device__ __forceinline__ double block_sum(double v) {
    __shared__ double part[32];
    __syncthreads();
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warp_sum(v);
    if (lane == 0) part[warp] = v;
    __syncthreads();
    const int warps = (blockDim.x + 31) >> 5;
    v = threadIdx.x < warps ? part[threadIdx.x] : 0.0;
    if (warp == 0) v = warp_sum(v);
    return v;
}
