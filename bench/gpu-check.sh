#!/usr/bin/env bash
# GPU checks of the CUDA backend, prepared to run in one call on a lent GPU machine (CUDA 13, cuDNN 9,
# nvcc and PyTorch there; no Java, no network). Writes everything under $OUT (at most 8 files come back).
#
# Here, from the project root, first:
#   mvn -q -ntp -DskipTests package && mvn -q -ntp test-compile    # classes, test classes, PTX (needs nvcc here)
#   bash ../shared/gpu/bundle.sh                                    # JRE + jars + JUnit console + torch_anogan.py -> .gpu/
# then the device tool:  run(command: "bash bench/gpu-check.sh", carry: [".gpu", "target/classes", "target/test-classes"],
#                            timeout_s: 600)
# Results the README quotes go to bench/results/ with the machine, date and commit.
#
# 1. the @Tag("gpu") tests: every op against the CPU reference (fp32 < 1e-4, tf32 convs < 5e-3), graph capture
#    replays, memory accounting and out-of-memory;  2. CudaConvBenchmark (DCGAN-64 convolutions, fp32/tf32,
#    TFLOP/s);  3. SearchBenchmark: the whole latent search, patch-iterations/s, TFLOP/s, device bytes per search;
#    4. the PyTorch peer on the same machine (eager, CUDA graph, torch.compile), same settings.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
summary="$OUT/summary.txt"
: > "$summary"
step() { # name, seconds, command...: runs it with a time limit, output to $OUT/name.txt, status to the summary
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  echo "$name: exit $rc$([[ $rc == 124 ]] && echo ' (timed out)') in $((SECONDS - t0)) s" | tee -a "$summary"
}

# shellcheck disable=SC1091
source .gpu/device-env.sh > "$OUT/env.txt" 2>&1 || { echo "device-env.sh failed, see env.txt" | tee -a "$summary"; exit 1; }
{
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)   date: $(date -u +%FT%TZ)"
  nvidia-smi; nvcc --version | tail -1; "$JAVA" -version 2>&1 | head -1
  echo "PTX: $(ls target/classes/org/anoscan/cuda/ 2>&1 | tr '\n' ' ')"
  ls /usr/local/cuda/lib64/libcudart.so* /usr/lib/x86_64-linux-gnu/libcudnn.so* 2>&1 | head -5
} >> "$OUT/env.txt" 2>&1

step gpu-tests 200 "$JAVA" -jar .gpu/junit-console.jar execute -cp "$CP" --scan-classpath target/test-classes --include-tag gpu \
  --details=tree --disable-banner --disable-ansi-colors
grep -E "tests (successful|failed|aborted|skipped)" "$OUT/gpu-tests.txt" | tee -a "$summary"

step conv-bench 120 "$JAVA" -cp "$CP" org.anoscan.bench.CudaConvBenchmark --batches 64,512,2048,8192 --precisions fp32,tf32 --reps 20
grep "step convs" "$OUT/conv-bench.txt" | tee -a "$summary"

# 3. the whole latent search on the device, DCGAN-64 reference, same batches and precisions as the peer
for prec in fp32 tf32; do
  step "search-$prec" 90 "$JAVA" -cp "$CP" org.anoscan.bench.SearchBenchmark --device cuda:0 --sizes 64 \
    --batches 64,512,2048,8192 --iters 20 --precision "$prec"
done
cat "$OUT/search-fp32.txt" "$OUT/search-tf32.txt" | grep -E "^DCGAN|bytes" | tee -a "$summary"

export PYTHONUNBUFFERED=1
step torch 200 python3 .gpu/torch_anogan.py --variants eager,graph,compile --batches 64,512,2048,8192 --precisions fp32,tf32
