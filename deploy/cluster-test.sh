#!/usr/bin/env bash
# Integration test on a real Spark standalone cluster (deploy/local-cluster.sh: master + 2 workers,
# separate executor JVMs): submits generate, ingest, train (SharedTrainingMaster, gradient sharing
# over Aeron between the executor JVMs) and eval through org.apache.spark.deploy.SparkSubmit (what
# the spark-submit script runs) with the job jars, checks their outputs and the evidence that
# updates crossed JVMs, then injects faults:
#   1. kill one executor JVM during training; the job recovers or fails clearly; --resume finishes
#   2. kill the driver mid-epoch; --resume finishes from the last checkpoint
# and measures epoch time on the cluster vs local[2] and the bytes gradient sharing sent.
#
#   deploy/cluster-test.sh            (needs: mvn -B -DskipTests install && mvn -B -o -Pjob-jars -DskipTests package)
#
# Prints PASS/FAIL lines and a JSON summary line; exits non-zero on the first failed check.
# Environment: FP_CLUSTER_TEST_DIR (default target/cluster-test), FP_CLUSTER_CARDS (default 240),
#              FP_CLUSTER_SKIP_FAULTS=1 to skip the fault injection.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
OUT="${FP_CLUSTER_TEST_DIR:-$REPO/target/cluster-test}"
export FP_CLUSTER_DIR="$OUT/cluster"
CARDS="${FP_CLUSTER_CARDS:-240}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
MASTER=spark://127.0.0.1:7077
started=$(date +%s)

rm -rf "$OUT" && mkdir -p "$OUT/logs"
ROOT="$OUT/root"
jar() { ls "$REPO"/pipeline-"$1"/target/pipeline-"$1"-*-job.jar 2>/dev/null | head -1; }
for m in ingest train eval; do
  [ -n "$(jar $m)" ] || { echo "cluster-test: pipeline-$m job jar missing: run mvn -B -o -Pjob-jars -DskipTests package" >&2; exit 1; }
done
FLAGS="$(sed -n 's/^jvm.flags=//p' "$REPO/pipeline-core/target/classes/io/fusionpipe/build.properties")"

pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; exit 1; }
step() { printf '\n=== [%4ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

cleanup() {
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true
  deploy/local-cluster.sh stop > "$OUT/logs/stop.log" 2>&1 || true
  # media driver directories of the JVMs the fault injection killed (-9 skips their shutdown hook)
  for d in /dev/shm/aeron-"$(id -un)"-*; do
    [ -d "$d" ] && [ -f "$OUT/aeron/.since" ] && [ "$d" -nt "$OUT/aeron/.since" ] || continue
    pid="$(timeout 10 "$JAVA" -cp "$AERON_JAR" -Daeron.dir="$d" io.aeron.samples.AeronStat watch=false 2>/dev/null | head -1 | grep -oE 'pid [0-9]+' | grep -oE '[0-9]+')"
    [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && rm -rf "$d"
  done
  return 0
}
trap cleanup EXIT

step "start the cluster"
deploy/local-cluster.sh start
SPARK_HOME="$FP_CLUSTER_DIR/spark-home"

# What the spark-submit script of a Spark distribution runs (there is none here): the launcher puts the
# driver's JVM flags on the JVM it starts, so this stand-in does too.
cat > "$OUT/spark-submit" <<EOF
#!/usr/bin/env bash
exec "$JAVA" -Xmx2g $FLAGS -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" org.apache.spark.deploy.SparkSubmit "\$@"
EOF
chmod +x "$OUT/spark-submit"

# submit_bg NAME MASTER STAGE ARGS... : deploy/submit.sh (the documented wrapper) with the stage's job jar, the
# driver in client mode with its own address 127.0.0.1; log to logs/NAME.log; SUBMIT_PID while it runs.
submit_bg() {
  local name="$1" master="$2" stage="$3"; shift 3
  local target=standalone
  [[ "$master" == local* ]] && target=local
  SPARK_SUBMIT="$OUT/spark-submit" FP_MASTER="$master" FP_EXECUTORS=2 FP_EXECUTOR_CORES=1 FP_EXECUTOR_MEMORY=2g \
    FP_EXECUTOR_OVERHEAD=1g SPARK_LOCAL_IP=127.0.0.1 DL4J_VOID_IP=127.0.0.1 \
    deploy/submit.sh "$target" "$stage" "$@" --root "$ROOT" --set fusionpipe.spark.ui-enabled=false \
    > "$OUT/logs/$name.log" 2>&1 &
  SUBMIT_PID=$!
}
submit() {
  local name="$1"
  submit_bg "$@"
  wait "$SUBMIT_PID" || { tail -40 "$OUT/logs/$name.log"; fail "$name: spark-submit exited non-zero"; }
}
# the newest run directory's id
latest_run() { ls -t "$ROOT/runs" | head -1; }
epochs_done() { [ -f "$ROOT/runs/$1/metrics.jsonl" ] && wc -l < "$ROOT/runs/$1/metrics.jsonl" || echo 0; }
executor_logs() { find "$FP_CLUSTER_DIR"/work-* -name stderr -path "*$1*" 2>/dev/null; }
# the newest application the workers ran executors for (ids sort by time)
newest_app() { find "$FP_CLUSTER_DIR"/work-* -maxdepth 1 -name 'app-*' -printf '%f\n' | sort | tail -1; }
# how many workers ran executors of application $1
workers_of() { find "$FP_CLUSTER_DIR"/work-* -maxdepth 1 -name "$1" | wc -l; }

step "generate $CARDS cards and ingest them on the cluster (ingest job jar)"
submit generate "$MASTER" generate --count "$CARDS" --out "$OUT/cards" --style mixed
submit ingest "$MASTER" ingest --name cards --input "$OUT/cards" --set fusionpipe.ingest.caption.min-count=1
test -f "$ROOT/datasets/cards/v1/_manifest.json" || fail "ingest wrote no manifest"
APP="$(newest_app)"
[ "$(workers_of "$APP")" -eq 2 ] || fail "ingest: application $APP ran executors on $(workers_of "$APP") worker(s), expected 2"
pass "ingest on the cluster ($APP, executors on both workers): $(grep -E '^published' "$OUT/logs/ingest.log")"

# the executors reach the driver's transport on 127.0.0.1 (each binds its own 127.0.0.N: DL4J_VOID_IP)
# a fit with no finished minibatch for 60 s fails with the lost executors named (train.stall-timeout)
TRAIN_SET=(--set fusionpipe.train.batch-size=16 --set fusionpipe.train.shared.controller-address=127.0.0.1
           --set fusionpipe.train.stall-timeout=60s)
# Aeron's own counters ("Bytes sent") of every JVM's gradient-sharing media driver, sampled while it
# runs (the directories are deleted when a JVM exits); io.aeron.samples.AeronStat is in aeron-all.
AERON_JAR="$(ls "$SPARK_HOME"/jars/aeron-all-*.jar 2>/dev/null | head -1 || true)"
[ -n "$AERON_JAR" ] || AERON_JAR="$(find ~/.m2/repository/io/aeron/aeron-all -name 'aeron-all-*.jar' | sort | tail -1)"
mkdir -p "$OUT/aeron"
touch "$OUT/aeron/.since"
sample_aeron() {
  while true; do
    # executors: Aeron's default /dev/shm/aeron-USER-*; the driver: aeron.dir under the root's scratch
    for d in /dev/shm/aeron-"$(id -un)"-* "$ROOT"/tmp/aeron/*; do
      [ -d "$d" ] && [ "$d" -nt "$OUT/aeron/.since" ] || continue
      timeout 10 "$JAVA" -cp "$AERON_JAR" -Daeron.dir="$d" io.aeron.samples.AeronStat watch=false > "$OUT/aeron/.tmp" 2>/dev/null \
        && grep -q "Bytes sent" "$OUT/aeron/.tmp" && mv "$OUT/aeron/.tmp" "$OUT/aeron/$(basename "$d").txt"
    done
    sleep 2
  done
}

step "train early fusion, 2 epochs, SharedTrainingMaster on 2 executor JVMs (train job jar)"
sample_aeron &
SAMPLER=$!
submit train "$MASTER" train --dataset cards --variants early --epochs 2 "${TRAIN_SET[@]}"
kill "$SAMPLER" 2>/dev/null || true
RUN="$(latest_run)"
[ "$(epochs_done "$RUN")" -eq 2 ] || fail "train: run $RUN has $(epochs_done "$RUN") epochs in metrics.jsonl, expected 2"
test -f "$ROOT/runs/$RUN/best.zip" || fail "train: no best.zip"
pass "train on the cluster: run $RUN, 2 epochs, best.zip"
APP="$(newest_app)"
mapfile -t TRAIN_EXEC_LOGS < <(executor_logs "$APP")
[ "${#TRAIN_EXEC_LOGS[@]}" -ge 2 ] || fail "train used ${#TRAIN_EXEC_LOGS[@]} executor JVM(s) (app $APP), expected 2"
for log in "${TRAIN_EXEC_LOGS[@]}"; do
  line="$(grep -m1 -E 'Initializing transport \[127\.0\.0\.[23]:[0-9]+\] with root as \[127\.0\.0\.1:' "$log" || true)"
  [ -n "$line" ] || { tail -30 "$log"; fail "executor log $log shows no gradient-sharing transport to the driver"; }
  echo "  evidence: ${log#$OUT/} -> ${line##*INFO }"
done
pass "gradient sharing: each executor JVM opened its own transport to the driver's (127.0.0.1)"

step "measure: the same training on local[2] (one JVM), and the bytes gradient sharing sent"
submit train-local "local[2]" train --dataset cards --variants early --epochs 2 "${TRAIN_SET[@]}"
RUN_LOCAL="$(latest_run)"
epoch_s() { sed -n "${2}p" "$ROOT/runs/$1/metrics.jsonl" | grep -oE '"seconds" *: *[0-9.]+' | grep -oE '[0-9.]+$'; }
params="$(grep -oE '"total" *: *[0-9]+' "$ROOT/runs/$RUN/run.json" | grep -oE '[0-9]+$')"
batches=$(( 2 * ( $(grep -oE '"train" *: *[0-9]+' "$ROOT/datasets/cards/v1/_manifest.json" | head -1 | grep -oE '[0-9]+$') + 15 ) / 16 ))
sent=0 jvms=0
for f in "$OUT"/aeron/*.txt; do
  [ -f "$f" ] || continue
  b="$(grep "Bytes sent" "$f" | grep -oE '[0-9,]+ - Bytes' | grep -oE '^[0-9,]+' | tr -d ,)"
  echo "  aeron $(basename "$f" .txt): $(head -1 "$f" | grep -oE 'pid [0-9]+'), bytes sent $b"
  sent=$((sent + b)) jvms=$((jvms + 1))
done
[ "$jvms" -ge 3 ] || echo "  note: Aeron counters of $jvms JVM(s) sampled (driver + 2 executors expected)"
c2="$(epoch_s "$RUN" 2)" l2="$(epoch_s "$RUN_LOCAL" 2)"
summary="$(printf '{"cluster_epoch2_s": %s, "local2_epoch2_s": %s, "cluster_over_local": %s, "parameters": %s, "dense_gradient_bytes": %s, "minibatches": %s, "aeron_jvms": %s, "bytes_sent_total": %s, "bytes_sent_per_minibatch": %s, "dense_over_sent": %s}' \
  "$c2" "$l2" "$(echo "scale=2; $c2 / $l2" | bc)" "$params" "$((params * 4))" "$batches" "$jvms" "$sent" \
  "$((sent / batches))" "$(echo "scale=1; $params * 4 / ($sent / $batches + 1)" | bc)")"
echo "  epoch 2: cluster (2 executor JVMs, 1 core each) ${c2} s vs local[2] (one JVM) ${l2} s; on 2 cores this is overhead, not speed-up"
echo "  gradient sharing: $sent bytes sent by $jvms JVMs over $batches minibatches = $((sent / batches)) bytes per minibatch vs a dense gradient of $((params * 4)) bytes"
echo "CLUSTER_MEASURE $summary"

step "eval the run on the cluster (eval job jar)"
submit eval "$MASTER" eval --runs "$RUN" --set fusionpipe.eval.bootstrap.resamples=100
EVAL="$(ls -t "$ROOT/evals" | head -1)"
test -f "$ROOT/evals/$EVAL/metrics.json" || fail "eval wrote no metrics.json"
pass "eval on the cluster: $EVAL"

# start_training NAME: a 3-epoch run in the background; returns once its first epoch is recorded,
# with DRIVER (the driver's pid) and NEW_RUN (its run id) set
start_training() {
  local prev; prev="$(latest_run)"
  submit_bg "$1" "$MASTER" train --dataset cards --variants early --epochs 3 "${TRAIN_SET[@]}"
  DRIVER=$SUBMIT_PID
  for _ in $(seq 1 600); do
    NEW_RUN="$(latest_run)"; [ "$NEW_RUN" != "$prev" ] && [ "$(epochs_done "$NEW_RUN")" -ge 1 ] && return 0; sleep 0.5
  done
  fail "$1: no epoch finished in 5 minutes"
}

if [ "${FP_CLUSTER_SKIP_FAULTS:-0}" != 1 ]; then
  step "fault 1: kill an executor JVM during epoch 2 of 3"
  start_training fault-executor
  RUN1="$NEW_RUN"
  APP1="$(newest_app)"
  victim="$(pgrep -f "CoarseGrainedExecutorBackend.*$APP1" | head -1 || true)"
  [ -n "$victim" ] || fail "fault 1: no executor JVM of $APP1 found"
  kill -9 "$victim"
  echo "  killed executor pid $victim of $APP1 after epoch $(epochs_done "$RUN1")"
  if timeout 600 tail --pid="$DRIVER" -f /dev/null; then :; fi
  wait "$DRIVER" && rc=0 || rc=$?
  echo "  driver exit code $rc; epochs recorded $(epochs_done "$RUN1"); last lines:"
  grep -E "epoch [0-9]+/[0-9]+:|failed|Lost executor|ERROR" "$OUT/logs/fault-executor.log" | tail -5 | sed 's/^/    /'
  if [ "$rc" -ne 0 ]; then
    grep -qE "^train failed: " "$OUT/logs/fault-executor.log" || fail "fault 1: the driver failed without a clear 'train failed:' error"
  fi
  before="$(epochs_done "$RUN1")"
  submit resume-executor "$MASTER" train --resume "$RUN1" --epochs 3 "${TRAIN_SET[@]}"
  [ "$(epochs_done "$RUN1")" -eq 3 ] || fail "fault 1: after --resume run $RUN1 has $(epochs_done "$RUN1") epochs, expected 3"
  pass "fault 1: executor killed (driver rc $rc, $before epoch(s) kept); --resume finished epoch 3"

  step "fault 2: kill the driver mid-epoch 2 of 3"
  start_training fault-driver
  RUN2="$NEW_RUN"
  sleep 5
  kill -9 "$DRIVER"; wait "$DRIVER" 2>/dev/null || true
  before="$(epochs_done "$RUN2")"
  echo "  killed the driver (pid $DRIVER) in epoch $((before + 1)); checkpoints: $(ls "$ROOT/runs/$RUN2/checkpoints" 2>/dev/null | tr '\n' ' ')"
  submit resume-driver "$MASTER" train --resume "$RUN2" --epochs 3 "${TRAIN_SET[@]}"
  [ "$(epochs_done "$RUN2")" -eq 3 ] || fail "fault 2: after --resume run $RUN2 has $(epochs_done "$RUN2") epochs, expected 3"
  pass "fault 2: driver killed after $before epoch(s); --resume finished epoch 3, no epoch lost beyond the checkpoint"
fi

step "done in $(( $(date +%s) - started )) s"
