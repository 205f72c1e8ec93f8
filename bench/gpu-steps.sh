# Sourced by the device scripts (gpu-check.sh, gpu-oneclass.sh): $OUT, a summary file, one deadline for the
# whole call (GPU_CHECK_SECONDS, default 560: a margin under the device call's 600 s, timeouts' 10 s grace
# included), and step NAME SECONDS COMMAND...: runs the command with a limit cut to the deadline, its output
# in $OUT/NAME.txt, its exit status (and a timeout) in the summary. Then the device environment ($JAVA, $CP).
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
summary="$OUT/summary.txt"
: > "$summary"
deadline=$((SECONDS + ${GPU_CHECK_SECONDS:-560}))
step() {
  local name=$1 limit=$2; shift 2
  local left=$((deadline - SECONDS))
  (( limit > left )) && limit=$left
  if (( limit < 20 )); then
    echo "$name: skipped (${left} s left before the deadline)" | tee -a "$summary"
    return
  fi
  local t0=$SECONDS
  timeout -k 10 "$limit" "$@" > "$OUT/$name.txt" 2>&1
  local rc=$?
  echo "$name: exit $rc$([[ $rc == 124 || $rc == 137 ]] && echo " (timed out after $limit s)") in $((SECONDS - t0)) s" | tee -a "$summary"
}

# shellcheck disable=SC1091
source .gpu/device-env.sh > "$OUT/env.txt" 2>&1 || { echo "device-env.sh failed, see env.txt" | tee -a "$summary"; exit 1; }
{
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)   date: $(date -u +%FT%TZ)"
  nvidia-smi; nvcc --version | tail -1; "$JAVA" -version 2>&1 | head -1
  echo "kernels: $(ls target/classes/org/anoscan/backend/cuda/linux-x86_64/ 2>&1 | tr "\n" " ")"
  ls /usr/local/cuda/lib64/libcudart.so* /usr/lib/x86_64-linux-gnu/libcudnn.so* 2>&1 | head -5
  python3 -c 'import torch; print("torch", torch.__version__)' 2>&1 | tail -1
} >> "$OUT/env.txt" 2>&1
jvm=(-XX:ErrorFile="$OUT/hs_err.log")
