#!/bin/bash
# The Spark scaling benchmark (issue 17): N images of 128x128 (crops of the bundled brick texture) scanned by
#   single:  ./anoscan scan (one process, the CPU backend on all cores)
#   local1:  org.anoscan.spark.ScanJob with master local[1]
#   local2:  org.anoscan.spark.ScanJob with master local[2]
# ROUNDS times, alternating the order, under the shared benchmark lock. Each figure is the run's own "scanned N
# in S s" (listing, scanning, writing every output; not the JVM's or the SparkSession's start), and the wall time
# of the whole command (JVM and Spark start included).
# usage: bench/spark-scaling.sh [RESULTS_FILE]   (env: N=200 ROUNDS=2 ITERATIONS=100 MODEL=demo brick model)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-200}; ROUNDS=${ROUNDS:-2}; ITERATIONS=${ITERATIONS:-100}
MODEL=${MODEL:-src/main/resources/org/anoscan/demo/brick.safetensors}
work=target/spark-bench
# oneDNN's OpenMP threads must not spin between calls (the anoscan launcher sets the same; spark-submit: see README)
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
OPENS="-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector --add-opens=java.base/java.lang=ALL-UNNAMED
 --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
 --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
 --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
 --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
 -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
# what spark-submit --master local[K] runs: the application jar and its lib/ on Spark's own class path
CP="target/anoscan.jar:target/lib/*:$(cat $work/spark-classpath.txt 2>/dev/null || true)"
run() { # name -> prints "name seconds_in_run wall_seconds images"
  local name=$1 out=$work/out-$1 t0 t1 line
  rm -rf "$out"
  t0=$(date +%s.%N)
  case $name in
    single) line=$(./anoscan scan -m "$MODEL" --device cpu --iterations "$ITERATIONS" --no-progress --thumbnails 10 --out "$out" $work/images 2>/dev/null | grep '^scanned') ;;
    local1|local2) line=$(java -Xmx6g $OPENS -Dspark.master="local[${name#local}]" -Dspark.ui.enabled=false -Dlog4j2.level=warn \
        -cp "$CP" org.anoscan.spark.ScanJob --model "$MODEL" --input "$work/images/*.png" --out "$out" --iterations "$ITERATIONS" \
        --thumbnails 10 2>/dev/null | grep '^scanned') ;;
  esac
  t1=$(date +%s.%N)
  echo "$line" > $work/last-line.txt # the run's own line, with ScanJob's phases
  echo "$name $(echo "$line" | sed -E 's/^scanned ([0-9]+) of [0-9]+ file\(s\) in ([0-9.]+) s.*/\2 \1/') $(echo "$t1 - $t0" | bc)"
}
if [[ ${1:-} == --one ]]; then # one timed run (called under the lock)
  run "$2"
  exit
fi
RESULTS=${1:-bench/results/spark-scaling-$(date -u +%F).txt}
mvn -q -B -DskipTests package
mkdir -p $work
# the pom leaves Spark's groups out of every dependency-plugin run (spark.closure.groups): here they are wanted
mvn -q -B dependency:build-classpath -Dmdep.includeScope=provided -Dspark.closure.groups= -Dmdep.outputFile=$work/spark-classpath.txt >/dev/null
rm -rf $work/images $work/out-*
java -cp target/anoscan.jar:"target/lib/*" org.anoscan.bench.SparkScalingImages data/textures/brick.png $work/images "$N" 128
CP="target/anoscan.jar:target/lib/*:$(cat $work/spark-classpath.txt)"
{
  echo "# Spark scaling: $N images of 128x128 (brick crops), demo model, $ITERATIONS search iterations, CPU backend"
  echo "# command: N=$N ROUNDS=$ROUNDS ITERATIONS=$ITERATIONS bash bench/spark-scaling.sh (under flock /tmp/anoscan-bench.lock)"
  echo "# commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src pom.xml || echo ' (with uncommitted changes)')  date: $(date -u +%FT%TZ)"
  echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), shared with other jobs"
  echo "# uptime at start: $(uptime)"
  echo "# columns: config, seconds in the run (listing + scan + outputs), images, wall seconds of the command (JVM/Spark start included)"
} > "$RESULTS"
orders=("single local1 local2" "local2 local1 single" "local1 single local2")
for ((r = 0; r < ROUNDS; r++)); do
  for name in ${orders[$((r % 3))]}; do
    res=$(flock /tmp/anoscan-bench.lock "$0" --one "$name")
    echo "round $r $res" | tee -a "$RESULTS"
    echo "#   $(cat $work/last-line.txt)" >> "$RESULTS"
  done
done
echo "# uptime at end: $(uptime)" >> "$RESULTS"
awk '/^round/ { s[$3] += $4; n[$3] += $5; w[$3] += $6; c[$3]++ }
  END { for (k in s) printf "# %s: %.2f images/s in the run (%.2f images/s wall), mean of %d\n", k, n[k] / s[k], n[k] / w[k], c[k];
        if (s["single"] > 0 && s["local2"] > 0) printf "# Spark local[2] vs single process, time per image: %+.1f%% (wall: whole commands, JVM and Spark start included), %+.1f%% (in the run: the single process counts its scan only, ScanJob its listing, scan and outputs)\n",
            100 * (w["local2"] / w["single"] - 1), 100 * (s["local2"] / s["single"] - 1) }' "$RESULTS" | tee -a "$RESULTS"
