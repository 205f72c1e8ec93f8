// fp32 <-> bf16 copies around the convolutions of the bf16 precision: cuDNN reads and writes bf16
// (half the bytes, bf16 tensor cores) and accumulates in fp32; everything outside the convolutions
// (z, Adam state, losses, the kept activations) stays fp32. Round to nearest even, NaN stays NaN.
#include <cuda_bf16.h>
#include "common.cuh"

#define GRID_STRIDE(i, n) for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < (n); i += (i64)gridDim.x * blockDim.x)

extern "C" __global__ void f32_to_bf16(const float* x, __nv_bfloat16* y, i64 n) {
    GRID_STRIDE(i, n) y[i] = __float2bfloat16_rn(x[i]);
}

extern "C" __global__ void bf16_to_f32(const __nv_bfloat16* x, float* y, i64 n) {
    GRID_STRIDE(i, n) y[i] = __bfloat162float(x[i]);
}

// ---- launchers (declared in native/include/anoscan_kernels.h) ----
#include "anoscan_kernels.h"
#include "launch.cuh"
using namespace anoscan;

extern "C" int launch_f32_to_bf16(const float* x, __nv_bfloat16* y, long long n, cudaStream_t stream) {
    f32_to_bf16<<<grid_for(n), BLOCK, 0, stream>>>(x, y, n);
    return launched();
}

extern "C" int launch_bf16_to_f32(const __nv_bfloat16* x, float* y, long long n, cudaStream_t stream) {
    bf16_to_f32<<<grid_for(n), BLOCK, 0, stream>>>(x, y, n);
    return launched();
}
