// The element-wise work of one latent-search iteration, fused so that each pass reads its tensors once.
// One block per sample; the per-sample loss accumulates in double like l1_loss_grad_f32. Both kernels
// are exactly the compositions they replace (the CPU backend runs those compositions: Backend's defaults).
#include "common.cuh"

// sign(d) weight as l1_loss_grad_f32: 0 where equal, NaN where d is NaN.
__device__ __forceinline__ float l1_grad(float d, float weight) {
    return d > 0.f ? weight : (d < 0.f ? -weight : (d == 0.f ? 0.f : d));
}

// The shared body (one block per sample): loss[n] = weight sum |pred - target| over the sample, and
// dpre[j] = chain(j, pred[j], weight sign(pred[j] - target[j])) for the activation's backward.
template <typename Chain>
__device__ __forceinline__ void l1_rows(const float* pred, const float* target, float weight, float* loss, float* dpre,
                                        i64 perSample, Chain chain) {
    const i64 base = blockIdx.x * perSample;
    double acc = 0.0;
    for (i64 j = threadIdx.x; j < perSample; j += blockDim.x) {
        const float y = pred[base + j];
        const float d = y - target[base + j];
        acc += fabsf(d);
        dpre[base + j] = chain(base + j, y, l1_grad(d, weight));
    }
    acc = block_sum(acc);
    if (threadIdx.x == 0) loss[blockIdx.x] = (float)(weight * acc);
}

// G's last stage is conv-transpose + tanh, gz its output. Replaces l1_loss_grad_f32(gz, x, weight),
// the axpy that adds that gradient to dgz (the gradient from the feature term) and tanh's act_bwd_f32:
// loss[n] = weight sum |gz - x|, dpre = (dgz + weight sign(gz - x)) (1 - gz^2).
extern "C" __global__ void residual_tanh_bwd_f32(const float* gz, const float* x, const float* dgz, float weight, float* loss,
                                                 float* dpre, i64 perSample) {
    l1_rows(gz, x, weight, loss, dpre, perSample, [=](i64 i, float t, float g) { return (dgz[i] + g) * (1.f - t * t); });
}

// f's last stage ends in LeakyReLU, fg its output. Replaces l1_loss_grad_f32(fg, fx, weight) and the
// LeakyReLU act_bwd_f32 that starts f's backward (the output's sign is the input's):
// loss[n] = weight sum |fg - fx|, dpre = weight sign(fg - fx) (fg > 0 ? 1 : slope).
extern "C" __global__ void feature_leaky_bwd_f32(const float* fg, const float* fx, float weight, float slope, float* loss,
                                                 float* dpre, i64 perSample) {
    l1_rows(fg, fx, weight, loss, dpre, perSample, [=](i64, float y, float g) { return y > 0.f ? g : slope * g; });
}

// ---- launchers (declared in native/include/anoscan_kernels.h) ----
#include "anoscan_kernels.h"
#include "launch.cuh"
using namespace anoscan;

extern "C" int launch_residual_tanh_bwd_f32(const float* gz, const float* x, const float* dgz, float weight, float* loss, float* dpre,
                                            int samples, long long perSample, cudaStream_t stream) {
    residual_tanh_bwd_f32<<<samples, BLOCK, 0, stream>>>(gz, x, dgz, weight, loss, dpre, perSample);
    return launched();
}

extern "C" int launch_feature_leaky_bwd_f32(const float* fg, const float* fx, float weight, float slope, float* loss, float* dpre,
                                            int samples, long long perSample, cudaStream_t stream) {
    feature_leaky_bwd_f32<<<samples, BLOCK, 0, stream>>>(fg, fx, weight, slope, loss, dpre, perSample);
    return launched();
}
