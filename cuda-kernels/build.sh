#!/usr/bin/env bash
# Builds cuda-kernels/*.cu to PTX for compute_80 (the driver JIT-compiles it for the GPU it finds,
# sm_90 on an H100/H200), one .ptx per .cu, into OUTPUT_DIR (the Maven build passes
# target/classes/org/anoscan/cuda, so the PTX ships as class-path resources).
# Without nvcc it exits 0 and prints nothing: the build passes and the CUDA backend reports its
# kernels missing. With nvcc, a kernel that does not compile fails the build.
# Usage: cuda-kernels/build.sh OUTPUT_DIR      (NVCC=/path/to/nvcc to choose one)
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-}
if [[ -z $nvcc ]]; then
  for c in "$(command -v nvcc || true)" /usr/local/cuda/bin/nvcc /usr/local/bin/nvcc; do
    if [[ -n $c && -x $c ]]; then nvcc=$c; break; fi
  done
fi
[[ -n $nvcc ]] || exit 0
mkdir -p "$out"
for cu in "$here"/*.cu; do
  name=$(basename "$cu" .cu)
  ptx="$out/$name.ptx"
  # up to date: newer than its source and the shared header
  if [[ -f $ptx && $ptx -nt $cu && $ptx -nt $here/common.cuh && $ptx -nt $0 ]]; then continue; fi
  "$nvcc" -ptx -arch=compute_80 -O3 -std=c++17 -I"$here/../native/include" -o "$ptx.tmp" "$cu"
  mv "$ptx.tmp" "$ptx"
done
