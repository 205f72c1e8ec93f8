// Launch shapes shared by the launchers at the end of each cuda-kernels/*.cu (host code, nvcc only).
#pragma once
#include <cuda_runtime.h>

namespace anoscan {

constexpr int BLOCK = 256;
// Grid-stride kernels use at most this many blocks (plenty to fill 132 SMs).
constexpr long long MAX_GRID = 1 << 16;

// Blocks for a grid-stride loop over n elements.
inline unsigned grid_for(long long n) {
    long long g = (n + BLOCK - 1) / BLOCK;
    return (unsigned)(g < 1 ? 1 : (g > MAX_GRID ? MAX_GRID : g));
}

// Threads for one row of dim elements: a multiple of 32 (block_sum needs whole warps), at most BLOCK.
inline unsigned row_block(long long dim) {
    long long t = (dim + 31) / 32 * 32;
    return (unsigned)(t < 32 ? 32 : (t > BLOCK ? BLOCK : t));
}

// Per-channel finalize kernels: 128 threads, one channel each.
inline unsigned per_channel_grid(int channels) {
    return (unsigned)((channels + 127) / 128);
}

// The launch's own error (bad configuration, no kernel image for this GPU), as the launcher's result.
inline int launched() {
    return (int)cudaGetLastError();
}

}  // namespace anoscan
