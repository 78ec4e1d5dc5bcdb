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

cleanup() { deploy/local-cluster.sh stop > "$OUT/logs/stop.log" 2>&1 || true; }
trap cleanup EXIT

step "start the cluster"
deploy/local-cluster.sh start
SPARK_HOME="$FP_CLUSTER_DIR/spark-home"

# submit NAME JAR_MODULE MASTER ARGS... : the driver in this shell's process group (client mode),
# its own DL4J/Spark address 127.0.0.1; log to logs/NAME.log. Sets SUBMIT_PID while it runs.
submit_bg() {
  local name="$1" module="$2" master="$3"; shift 3
  # shellcheck disable=SC2086
  SPARK_LOCAL_IP=127.0.0.1 DL4J_VOID_IP=127.0.0.1 "$JAVA" -Xmx2g $FLAGS -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" \
    org.apache.spark.deploy.SparkSubmit --master "$master" --deploy-mode client \
    --conf spark.executor.memory=2g --conf spark.executor.cores=1 --conf spark.cores.max=2 \
    --conf spark.ui.enabled=false \
    --class io.fusionpipe.cli.Fusionpipe "$(jar "$module")" "$@" --root "$ROOT" \
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
submit generate ingest "$MASTER" generate --count "$CARDS" --out "$OUT/cards" --style mixed
submit ingest ingest "$MASTER" ingest --name cards --input "$OUT/cards" --set fusionpipe.ingest.caption.min-count=1
test -f "$ROOT/datasets/cards/v1/_manifest.json" || fail "ingest wrote no manifest"
APP="$(newest_app)"
[ "$(workers_of "$APP")" -eq 2 ] || fail "ingest: application $APP ran executors on $(workers_of "$APP") worker(s), expected 2"
pass "ingest on the cluster ($APP, executors on both workers): $(grep -E '^published' "$OUT/logs/ingest.log")"

# the executors reach the driver's transport on 127.0.0.1 (each binds its own 127.0.0.N: DL4J_VOID_IP)
# a fit with no finished minibatch for 60 s fails with the lost executors named (train.stall-timeout)
TRAIN_SET=(--set fusionpipe.train.batch-size=16 --set fusionpipe.train.shared.controller-address=127.0.0.1
           --set fusionpipe.train.stall-timeout=60s)
step "train early fusion, 2 epochs, SharedTrainingMaster on 2 executor JVMs (train job jar)"
submit train train "$MASTER" train --dataset cards --variants early --epochs 2 "${TRAIN_SET[@]}"
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

step "eval the run on the cluster (eval job jar)"
submit eval eval "$MASTER" eval --runs "$RUN" --set fusionpipe.eval.bootstrap.resamples=100
EVAL="$(ls -t "$ROOT/evals" | head -1)"
test -f "$ROOT/evals/$EVAL/metrics.json" || fail "eval wrote no metrics.json"
pass "eval on the cluster: $EVAL"

if [ "${FP_CLUSTER_SKIP_FAULTS:-0}" != 1 ]; then
  step "fault 1: kill an executor JVM during epoch 2 of 3"
  submit_bg fault-executor train "$MASTER" train --dataset cards --variants early --epochs 3 "${TRAIN_SET[@]}"
  DRIVER=$SUBMIT_PID
  for _ in $(seq 1 600); do
    RUN1="$(latest_run)"; [ "$RUN1" != "$RUN" ] && [ "$(epochs_done "$RUN1")" -ge 1 ] && break; sleep 0.5
  done
  [ "$(epochs_done "$RUN1")" -ge 1 ] || fail "fault 1: no epoch finished"
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
  submit resume-executor train "$MASTER" train --resume "$RUN1" --epochs 3 "${TRAIN_SET[@]}"
  [ "$(epochs_done "$RUN1")" -eq 3 ] || fail "fault 1: after --resume run $RUN1 has $(epochs_done "$RUN1") epochs, expected 3"
  pass "fault 1: executor killed (driver rc $rc, $before epoch(s) kept); --resume finished epoch 3"

  step "fault 2: kill the driver mid-epoch 2 of 3"
  submit_bg fault-driver train "$MASTER" train --dataset cards --variants early --epochs 3 "${TRAIN_SET[@]}"
  DRIVER=$SUBMIT_PID
  for _ in $(seq 1 600); do
    RUN2="$(latest_run)"; [ "$RUN2" != "$RUN1" ] && [ "$(epochs_done "$RUN2")" -ge 1 ] && break; sleep 0.5
  done
  [ "$(epochs_done "$RUN2")" -ge 1 ] || fail "fault 2: no epoch finished"
  sleep 5
  kill -9 "$DRIVER"; wait "$DRIVER" 2>/dev/null || true
  before="$(epochs_done "$RUN2")"
  echo "  killed the driver (pid $DRIVER) in epoch $((before + 1)); checkpoints: $(ls "$ROOT/runs/$RUN2/checkpoints" 2>/dev/null | tr '\n' ' ')"
  submit resume-driver train "$MASTER" train --resume "$RUN2" --epochs 3 "${TRAIN_SET[@]}"
  [ "$(epochs_done "$RUN2")" -eq 3 ] || fail "fault 2: after --resume run $RUN2 has $(epochs_done "$RUN2") epochs, expected 3"
  pass "fault 2: driver killed after $before epoch(s); --resume finished epoch 3, no epoch lost beyond the checkpoint"
fi

step "done in $(( $(date +%s) - started )) s"
