#!/usr/bin/env bash
# GPU checks of the CUDA backend, prepared to run in one call on a lent GPU machine (CUDA 13, cuDNN 9,
# nvcc and PyTorch there; no Java, no network). Writes everything under $OUT (at most 8 files come back).
#
# Here, from the project root, first:
#   mvn -q -ntp -DskipTests package && mvn -q -ntp test-compile    # classes, test classes, native kernels (nvcc here)
#   GPU_EXCLUDE='(opencv|ffmpeg|leptonica|tesseract|mkl|dnnl|opencl)-.*-(linux|windows|macosx|android|ios)|pdfbox|fontbox|graphics2d|VectorGraphics2D' \
#     bash ../shared/gpu/bundle.sh                                  # JRE + jars + JUnit console + torch_anogan.py -> .gpu/
#   (the default exclusions leave 65 MiB, over the 64 MiB carry; XChart's PDF/SVG export jars are not needed there: 61 MiB)
# then the device tool:  run(command: "bash bench/gpu-check.sh", carry: [".gpu", "target/classes", "target/test-classes"],
#                            timeout_s: 600)
# Results the README quotes go to bench/results/ with the machine, date and commit.
#
# Order (most needed first), each step with its own limit and all under one deadline, so the whole
# script ends within one 10-minute device call (GPU_CHECK_SECONDS, default 560: a margin under the
# call's 600 s limit, timeouts' 10 s grace included): 1. the @Tag("gpu") tests: every op against the CPU reference
# (fp32 < 1e-4, tf32 convs < 5e-3), graph capture replays, memory accounting and out-of-memory, the whole latent
# search at DCGAN-64, B = 8192 with graphs against the CPU on a sample, NaN through the clamped Adam;
# 2. SearchBenchmark: DCGAN-64 (nz 100, widths 64, 1 channel), B = 64, 512, 2048, 8192, 20 iterations, tf32 then
# fp32: steady-state patch-iterations/s (graph replays only, device events) and end to end, TFLOP/s at
# 817 MFLOP per patch-iteration, device MB per search (estimate and measured); 3. the PyTorch peer on the same
# machine, same settings (eager, CUDA graph, torch.compile; fp32 and tf32; 20 timed iterations after warm-up);
# 4. CudaConvBenchmark (DCGAN-64 convolutions, fp32/tf32, TFLOP/s) with what time is left.
# Files under $OUT (at most 8): env, summary, gpu-tests, search-tf32, search-fp32, torch, conv-bench, and
# hs_err.log should a JVM crash in native code.
# Expected: gpu-tests "0 tests failed"; summary rows "DCGAN-64 B iters steady_s steady_rate steady_TFLOP/s e2e_s
# e2e_rate e2e_TFLOP/s MB/search" per batch and precision, and the peer's JSON rows (patch_iters_per_s) to
# divide them by. Targets (issue 9): B = 8192 >= 1.5x eager in fp32 and tf32, ahead of compile in tf32;
# B = 64 ahead of the CUDA-graph peer in tf32; device MB per search <= 3.
# Issue 11 (native kernels, fused search ops, bf16): its GPU checks are in step 1 (CudaParityTest: the fused
# search ops, bf16 convolutions; CudaSearchTest: the search in bf16); for its benchmarks, in a second call:
#   SEARCH_PRECISIONS="bf16 tf32" PEER_PRECISIONS=tf32,bf16 CONV_PRECISIONS=tf32,bf16 bash bench/gpu-check.sh
# (the search and peer rows are then "bf16 DCGAN-64 ..." and {"precision": "bf16", ...}).
# DEVICE (default cuda:0), BATCHES (64,512,2048,8192) and ITERS (20) set the benchmarks, the peer's alike; e.g.
# DEVICE=cpu BATCHES=2 ITERS=2 bash bench/gpu-check.sh runs the script's Java parts here, to check it.
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=${DEVICE:-cuda:0}
BATCHES=${BATCHES:-64,512,2048,8192}
ITERS=${ITERS:-20}
# shellcheck source=bench/gpu-steps.sh
source bench/gpu-steps.sh

step gpu-tests 170 "$JAVA" "${jvm[@]}" -jar .gpu/junit-console.jar execute -cp "$CP" --scan-classpath target/test-classes \
  --include-tag gpu --details=tree --disable-banner --disable-ansi-colors
grep -E "tests (successful|failed|aborted|skipped)" "$OUT/gpu-tests.txt" | tee -a "$summary"

# the whole latent search on the device, DCGAN-64 reference, same batches and precisions as the peer
for prec in ${SEARCH_PRECISIONS:-tf32 fp32}; do
  step "search-$prec" 75 "$JAVA" "${jvm[@]}" -cp "$CP" org.anoscan.bench.SearchBenchmark --device "$DEVICE" --sizes 64 \
    --batches "$BATCHES" --iters "$ITERS" --precision "$prec"
  grep -hE "^DCGAN|bytes|^# backend" "$OUT/search-$prec.txt" 2>/dev/null | sed "s/^/$prec /" | tee -a "$summary"
done

export PYTHONUNBUFFERED=1
step torch 170 python3 .gpu/torch_anogan.py --variants eager,graph,compile --size 64 --nc 1 --nz 100 --ngf 64 --ndf 64 \
  --batches "$BATCHES" --precisions "${PEER_PRECISIONS:-fp32,tf32}" --iters "$ITERS" --device "${DEVICE%%:*}"
grep -h "patch_iters_per_s" "$OUT/torch.txt" 2>/dev/null | tee -a "$summary"

step conv-bench 90 "$JAVA" "${jvm[@]}" -cp "$CP" org.anoscan.bench.CudaConvBenchmark --device "$DEVICE" --batches "$BATCHES" --precisions "${CONV_PRECISIONS:-fp32,tf32}" \
  --reps 20
grep -h "step convs" "$OUT/conv-bench.txt" 2>/dev/null | tee -a "$summary"
echo "total: $SECONDS s" | tee -a "$summary"
