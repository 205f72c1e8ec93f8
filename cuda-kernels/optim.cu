// Optimisers, in place.
#include "common.cuh"

__device__ __forceinline__ float adam_update(float p, float g, float* m, float* v, float lr, float b1, float b2,
                                             float eps, float clamp, float bc1, float bc2) {
    const float mn = b1 * *m + (1.f - b1) * g;
    const float vn = b2 * *v + (1.f - b2) * g * g;
    *m = mn;
    *v = vn;
    p -= lr * (mn / bc1) / (sqrtf(vn / bc2) + eps);
    // comparisons, not fminf/fmaxf: those turn NaN into a bound, and a NaN must stay NaN (as on the CPU) so
    // that the search reports it rather than scoring a clamped z
    if (clamp > 0.f) p = p < -clamp ? -clamp : (p > clamp ? clamp : p);
    return p;
}

// Adam on a parameter tensor; the bias corrections bc1 = 1 - b1^t, bc2 = 1 - b2^t come from the host.
extern "C" __global__ void adam_f32(float* p, const float* g, float* m, float* v, i64 n, float lr, float b1, float b2,
                                    float eps, float clamp, float bc1, float bc2) {
    for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        p[i] = adam_update(p[i], g[i], &m[i], &v[i], lr, b1, b2, eps, clamp, bc1, bc2);
    }
}

// One Adam step per row of a batch of independent searches, one block per row of dim elements:
// row n moves only when active is null or active[n] != 0; its step count steps[n] (a float) is read,
// incremented and written back here, and sets the row's own bias corrections. Inside the graph of
// a search step everything per row lives on the device, so rows can converge and freeze independently.
extern "C" __global__ void adam_per_sample_f32(float* z, const float* g, float* m, float* v, float* steps,
                                               const float* active, i64 dim, float lr, float b1, float b2, float eps,
                                               float clamp) {
    const i64 n = blockIdx.x;
    if (active && active[n] == 0.f) return;  // uniform over the block
    const float t = steps[n] + 1.f;
    const float bc1 = 1.f - powf(b1, t), bc2 = 1.f - powf(b2, t);
    const i64 base = n * dim;
    for (i64 j = threadIdx.x; j < dim; j += blockDim.x) {
        z[base + j] = adam_update(z[base + j], g[base + j], &m[base + j], &v[base + j], lr, b1, b2, eps, clamp, bc1, bc2);
    }
    __syncthreads();  // every thread has read steps[n] before it changes
    if (threadIdx.x == 0) steps[n] = t;
}

// Per row n: where loss[n] < bestLoss[n], bestLoss[n] = loss[n] and row n of bestZ = row n of z.
extern "C" __global__ void keep_best_f32(const float* loss, float* bestLoss, const float* z, float* bestZ, i64 dim) {
    const i64 n = blockIdx.x;
    const float l = loss[n];
    if (!(l < bestLoss[n])) return;  // uniform over the block; NaN never wins
    const i64 base = n * dim;
    for (i64 j = threadIdx.x; j < dim; j += blockDim.x) bestZ[base + j] = z[base + j];
    __syncthreads();  // every thread has compared with bestLoss[n] before it changes
    if (threadIdx.x == 0) bestLoss[n] = l;
}

// The end of one latent-search iteration for row n, in one pass over the row (it replaces add_f32,
// keep_best_f32 and adam_per_sample_f32, in that order): loss[n] = lossA[n] + lossB[n]; where it beats
// bestLoss[n] (NaN never does), bestLoss[n] and row n of bestZ take it and the z it was measured at;
// then the row's Adam step, as adam_per_sample_f32 (active null or active[n] != 0).
extern "C" __global__ void search_update_f32(const float* lossA, const float* lossB, float* loss, float* bestLoss, float* z,
                                             float* bestZ, const float* g, float* m, float* v, float* steps, const float* active,
                                             i64 dim, float lr, float b1, float b2, float eps, float clamp) {
    const i64 n = blockIdx.x;
    const float l = lossA[n] + lossB[n];
    const bool better = l < bestLoss[n];                // uniform over the block
    const bool moves = !(active && active[n] == 0.f);  // uniform over the block
    const float t = steps[n] + 1.f;
    const float bc1 = 1.f - powf(b1, t), bc2 = 1.f - powf(b2, t);
    const i64 base = n * dim;
    for (i64 j = threadIdx.x; j < dim; j += blockDim.x) {
        const float zj = z[base + j];
        if (better) bestZ[base + j] = zj;
        if (moves) z[base + j] = adam_update(zj, g[base + j], &m[base + j], &v[base + j], lr, b1, b2, eps, clamp, bc1, bc2);
    }
    __syncthreads();  // every thread has read bestLoss[n] and steps[n] before they change
    if (threadIdx.x == 0) {
        loss[n] = l;
        if (better) bestLoss[n] = l;
        if (moves) steps[n] = t;
    }
}

// ---- launchers (declared in native/include/anoscan_kernels.h) ----
#include "anoscan_kernels.h"
#include "launch.cuh"
using namespace anoscan;

extern "C" int launch_adam_f32(float* p, const float* g, float* m, float* v, long long n, float lr, float b1, float b2, float eps,
                               float clamp, float bc1, float bc2, cudaStream_t stream) {
    adam_f32<<<grid_for(n), BLOCK, 0, stream>>>(p, g, m, v, n, lr, b1, b2, eps, clamp, bc1, bc2);
    return launched();
}

// One block per row of dim elements.
extern "C" int launch_adam_per_sample_f32(float* z, const float* g, float* m, float* v, float* steps, const float* active, int rows,
                                          long long dim, float lr, float b1, float b2, float eps, float clamp, cudaStream_t stream) {
    adam_per_sample_f32<<<rows, row_block(dim), 0, stream>>>(z, g, m, v, steps, active, dim, lr, b1, b2, eps, clamp);
    return launched();
}

extern "C" int launch_keep_best_f32(const float* loss, float* bestLoss, const float* z, float* bestZ, int rows, long long dim,
                                    cudaStream_t stream) {
    keep_best_f32<<<rows, row_block(dim), 0, stream>>>(loss, bestLoss, z, bestZ, dim);
    return launched();
}

extern "C" int launch_search_update_f32(const float* lossA, const float* lossB, float* loss, float* bestLoss, float* z, float* bestZ,
                                        const float* g, float* m, float* v, float* steps, const float* active, int rows,
                                        long long dim, float lr, float b1, float b2, float eps, float clamp, cudaStream_t stream) {
    search_update_f32<<<rows, row_block(dim), 0, stream>>>(lossA, lossB, loss, bestLoss, z, bestZ, g, m, v, steps, active, dim, lr, b1,
                                                           b2, eps, clamp);
    return launched();
}
