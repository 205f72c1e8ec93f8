// Losses with their gradients, fused so that the search loop reads each tensor once.
#include "common.cuh"

// One block per sample n: loss[n] = weight * sum |pred - target| over the sample's perSample
// elements, and (when grad is not null) grad = weight * sign(pred - target), 0 where equal and NaN
// where the difference is NaN (as the CPU reference: a NaN must not turn into a zero gradient).
// The same kernel serves the pixel residual and the feature-map term of the AnoGAN loss, and
// l1PerSample (weight 1, grad null).
extern "C" __global__ void l1_loss_grad_f32(const float* pred, const float* target, float* loss, float* grad,
                                            float weight, i64 perSample) {
    const i64 base = blockIdx.x * perSample;
    double acc = 0.0;
    for (i64 j = threadIdx.x; j < perSample; j += blockDim.x) {
        const float d = pred[base + j] - target[base + j];
        acc += fabsf(d);
        if (grad) grad[base + j] = d > 0.f ? weight : (d < 0.f ? -weight : (d == 0.f ? 0.f : d));
    }
    acc = block_sum(acc);
    if (threadIdx.x == 0) loss[blockIdx.x] = (float)(weight * acc);
}

// One block per sample n: loss[n] = weight * sum (pred - target)^2 over the sample's perSample elements,
// and grad = 2 weight (pred - target): the encoder's training loss (izi_f), summed in double as the L1 loss.
extern "C" __global__ void l2_loss_grad_f32(const float* pred, const float* target, float* loss, float* grad,
                                            float weight, i64 perSample) {
    const i64 base = blockIdx.x * perSample;
    const float twice = 2.f * weight;
    double acc = 0.0;
    for (i64 j = threadIdx.x; j < perSample; j += blockDim.x) {
        const float d = pred[base + j] - target[base + j];
        acc += (double)d * (double)d;
        grad[base + j] = twice * d;
    }
    acc = block_sum(acc);
    if (threadIdx.x == 0) loss[blockIdx.x] = (float)(weight * acc);
}

// BCE with logits against a constant target, first pass: per-element loss
// max(x,0) - x t + log(1 + exp(-|x|)) summed per block into partial[blockIdx.x], and
// grad = (sigmoid(x) - t) / n.
extern "C" __global__ void bce_logits_partial_f32(const float* x, float target, float* grad, double* partial, i64 n) {
    double acc = 0.0;
    const float inv = 1.f / (float)n;
    for (i64 i = blockIdx.x * (i64)blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) {
        const float v = x[i];
        acc += (double)(fmaxf(v, 0.f) - v * target + log1pf(expf(-fabsf(v))));
        const float s = 1.f / (1.f + expf(-v));
        grad[i] = (s - target) * inv;
    }
    acc = block_sum(acc);
    if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

// Second pass, one block: loss[0] = sum(partial) / n.
extern "C" __global__ void bce_logits_finalize_f32(const double* partial, int parts, float* loss, i64 n) {
    double acc = 0.0;
    for (int i = threadIdx.x; i < parts; i += blockDim.x) acc += partial[i];
    acc = block_sum(acc);
    if (threadIdx.x == 0) loss[0] = (float)(acc / (double)n);
}

// ---- launchers (declared in native/include/anoscan_kernels.h) ----
#include "anoscan_kernels.h"
#include "launch.cuh"
using namespace anoscan;

// One block per sample; grad may be null (l1PerSample).
extern "C" int launch_l1_loss_grad_f32(const float* pred, const float* target, float* loss, float* grad, float weight, int samples,
                                       long long perSample, cudaStream_t stream) {
    l1_loss_grad_f32<<<samples, BLOCK, 0, stream>>>(pred, target, loss, grad, weight, perSample);
    return launched();
}

// One block per sample.
extern "C" int launch_l2_loss_grad_f32(const float* pred, const float* target, float* loss, float* grad, float weight, int samples,
                                       long long perSample, cudaStream_t stream) {
    l2_loss_grad_f32<<<samples, BLOCK, 0, stream>>>(pred, target, loss, grad, weight, perSample);
    return launched();
}

// Both passes; partial holds `parts` doubles (parts = min(grid_for(n), 1024), as the caller sized it).
extern "C" int launch_bce_logits_f32(const float* x, float target, float* grad, double* partial, int parts, float* loss, long long n,
                                     cudaStream_t stream) {
    bce_logits_partial_f32<<<parts, BLOCK, 0, stream>>>(x, target, grad, partial, n);
    int status = launched();
    if (status != 0) return status;
    bce_logits_finalize_f32<<<1, BLOCK, 0, stream>>>(partial, parts, loss, n);
    return launched();
}
