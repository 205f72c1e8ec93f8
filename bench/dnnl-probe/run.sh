#!/bin/bash
# oneDNN 3.11 convolutions next to AnoScan's fused CPU convolutions, layer by layer (DnnlProbe.java).
# usage: bench/dnnl-probe/run.sh SIZE(32|64) BATCH [plain]   (from anywhere; builds the project's classes first)
# "plain" keeps oneDNN on NCHW tensors (no layout change); the default lets it pick its blocked layouts
# (their reorders are not timed: the best case for a backend that keeps blocked layouts inside).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
mvn -B -q -ntp compile
mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile="$work/main.cp" >/dev/null
mvn -B -q -ntp -f bench/dnnl-probe/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/dnnl.cp" >/dev/null
cp="target/classes:$(cat "$work/main.cp"):$(cat "$work/dnnl.cp")"
javac -cp "$cp" -d "$work" bench/dnnl-probe/DnnlProbe.java
exec java -cp "$work:$cp" DnnlProbe "$@"
