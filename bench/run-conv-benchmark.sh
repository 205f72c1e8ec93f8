#!/usr/bin/env bash
# Builds the project and runs the CPU convolution benchmark (args: [batch=64] [threads=all] [repeats=7]).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp compile
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null
exec java -cp "target/classes:$(cat "$cp_file")" org.anoscan.bench.ConvBenchmark "$@"
