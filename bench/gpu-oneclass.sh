#!/usr/bin/env bash
# Issue 10 on a lent GPU machine, prepared to run in one call (like gpu-check.sh: CUDA 13, cuDNN 9 and PyTorch
# there, no Java, no network; everything under $OUT comes back).
#
# Here, from the project root, first:
#   mvn -q -ntp -DskipTests package && mvn -q -ntp test-compile    # classes, test classes, native kernels (nvcc here)
#   GPU_EXCLUDE='(opencv|ffmpeg|leptonica|tesseract|mkl|dnnl|opencl)-.*-(linux|windows|macosx|android|ios)|pdfbox|fontbox|graphics2d|VectorGraphics2D' \
#     bash ../shared/gpu/bundle.sh                                  # JRE + jars + JUnit console + torch_anogan_oneclass.py -> .gpu/
#   (the default exclusions leave 65 MiB, over the 64 MiB carry; XChart's PDF/SVG export jars are not needed there: 61 MiB)
# then the device tool:  run(command: "bash bench/gpu-oneclass.sh", carry: [".gpu", "target/classes", "target/test-classes"],
#                            timeout_s: 600)          (MNIST comes with the tree: data/mnist/ is tracked)
#
# Steps, under one deadline (GPU_CHECK_SECONDS, default 560):
# 1. megapixel: ScanBenchmark --megapixel: a 1024x1024 grey image, random DCGAN-64 (nz 100, widths 64), stride 32
#    (961 patches), Γ = 500, one restart, tf32, plans warm: "megapixel: scan T s = search S s + rest R s; 961 patches,
#    P patches/s" (target T <= 1.0 s on an H200), then "stream: 16 images in T s ...; I images/s".
# 2. oneclass-anoscan: OneClassBenchmark --full --device cuda:0: MNIST one-class over DIGITS, DCGAN-32 (nz 100,
#    widths 64), STEPS steps of 64 (2,500), Γ = 500, λ = 0.1, RESTARTS restarts (1), the whole test set, tf32:
#    a row per digit (auroc, train_s, train_steps/s, score_s, patches/s) as it finishes, then the mean.
# 3. oneclass-torch: ../shared/gpu/torch_anogan_oneclass.py (copied to .gpu/ by bundle.sh), the same settings and
#    the whole test set: a JSON row per digit (auroc in %, train_s, search_s).
# Ten digits of both may not fit one call: each step streams a row per digit, so a cut-off run still gives the
# digits it finished; run the rest with DIGITS=... in a second call (e.g. DIGITS=0,1,2,3,4 then DIGITS=5,6,7,8,9).
# DEVICE (cuda:0) and MEGAPIXEL_ARGS / ONECLASS_ARGS (extra arguments, appended) let the Java parts run here on
# the CPU at a tiny size, to check the script.
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=${DEVICE:-cuda:0}
DIGITS=${DIGITS:-0,1,2,3,4,5,6,7,8,9}
STEPS=${STEPS:-2500}
RESTARTS=${RESTARTS:-1}
# shellcheck source=bench/gpu-steps.sh
source bench/gpu-steps.sh
read -r -a megapixel_args <<< "${MEGAPIXEL_ARGS:-}"
read -r -a oneclass_args <<< "${ONECLASS_ARGS:-}"

step megapixel 110 "$JAVA" "${jvm[@]}" -cp "$CP" org.anoscan.bench.ScanBenchmark --megapixel --device "$DEVICE" --image-size 1024 \
  --patch 64 --stride 32 --iterations 500 --restarts 1 --precision tf32 --stream 16 "${megapixel_args[@]}"
grep -hE "^(megapixel|stream|# backend)" "$OUT/megapixel.txt" 2>/dev/null | tee -a "$summary"

step oneclass-anoscan 230 "$JAVA" "${jvm[@]}" -cp "$CP" org.anoscan.bench.OneClassBenchmark --full --device "$DEVICE" --mnist data/mnist \
  --digits "$DIGITS" --steps "$STEPS" --restarts "$RESTARTS" "${oneclass_args[@]}"
grep -hE "^ *[0-9] |^mean|^# " "$OUT/oneclass-anoscan.txt" 2>/dev/null | tee -a "$summary"

export PYTHONUNBUFFERED=1
step oneclass-torch 220 python3 .gpu/torch_anogan_oneclass.py --data data/mnist --name mnist --classes "$DIGITS" --steps "$STEPS" \
  --gamma 500 --lam 0.1 --zlr 0.05 --ngf 64 --nz 100 --test-per-class 100000 --device "${DEVICE%%:*}"
grep -h "auroc" "$OUT/oneclass-torch.txt" 2>/dev/null | tee -a "$summary"
echo "total: $SECONDS s" | tee -a "$summary"
