#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, made only of Maven artifacts:
#   master  127.0.0.1:7077 (web UI 127.0.0.1:8080)
#   worker  127.0.0.2 and 127.0.0.3, one core each, each with its own SPARK_LOCAL_IP and DL4J_VOID_IP
#           (executors inherit them, so each executor's gradient-sharing transport binds its own address)
# Separate JVMs for master, workers, executors and the driver: what spark-submit does on a cluster.
#
#   deploy/local-cluster.sh start|stop|status
#
# SPARK_HOME is a directory whose jars/ links to what a Spark distribution provides (the train
# module's provided-scope classpath: Spark 3.5 for Scala 2.12 and its Hadoop client); the job jars
# carry everything else (mvn -Pjob-jars package). Only loopback addresses are used.
# stop kills exactly the processes start recorded (and the executors their workers launched).
#
# Environment:
#   FP_CLUSTER_DIR       state, logs and SPARK_HOME (default: target/local-cluster)
#   FP_WORKER_MEMORY     memory each worker offers (default 5g)
#   FP_WORKER_IPS        worker addresses (default "127.0.0.2 127.0.0.3")
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
DIR="${FP_CLUSTER_DIR:-$REPO/target/local-cluster}"
MASTER_HOST=127.0.0.1
MASTER_PORT=7077
UI_PORT=8080
WORKER_IPS=(${FP_WORKER_IPS:-127.0.0.2 127.0.0.3})
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PIDS="$DIR/pids"

usage() { echo "usage: $0 start|stop|status" >&2; exit 2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

jvm_flags() {
  local props="$REPO/pipeline-core/target/classes/io/fusionpipe/build.properties"
  [ -f "$props" ] || { echo "local-cluster: $props missing: build first (mvn -B -DskipTests install)" >&2; exit 1; }
  sed -n 's/^jvm.flags=//p' "$props"
}

spark_home() {
  local sh="$DIR/spark-home"
  if [ ! -f "$sh/.ready" ]; then
    echo "local-cluster: assembling SPARK_HOME from the Maven classpath ($sh)"
    rm -rf "$sh" && mkdir -p "$sh/jars" "$sh/conf"
    mvn -B -q -o dependency:build-classpath -pl pipeline-train -DincludeScope=provided \
        -Dmdep.outputFile="$sh/classpath.txt" > "$DIR/classpath.log" 2>&1 \
      || mvn -B -q dependency:build-classpath -pl pipeline-train -DincludeScope=provided \
        -Dmdep.outputFile="$sh/classpath.txt" >> "$DIR/classpath.log" 2>&1 \
      || { tail -20 "$DIR/classpath.log"; exit 1; }
    tr ":" "\n" < "$sh/classpath.txt" | while read -r jar || [ -n "$jar" ]; do
      [ -n "$jar" ] && ln -sf "$jar" "$sh/jars/$(basename "$jar")"
    done
    # Daemons and executors log at INFO (the events the cluster test looks for), to their stdout/stderr.
    cat > "$sh/conf/log4j2.properties" <<'LOG'
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
LOG
    touch "$sh/.ready"
  fi
  echo "$sh"
}

# java ... CLASS ARGS in the background with its own log; records its pid under NAME.
launch() {
  local name="$1" ip="$2"; shift 2
  local sh; sh="$(spark_home)"
  # shellcheck disable=SC2046
  SPARK_HOME="$sh" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="$ip" DL4J_VOID_IP="$ip" OMP_NUM_THREADS=1 \
    nohup "$JAVA" -Xmx512m $(jvm_flags) -Dlog4j2.configurationFile="$sh/conf/log4j2.properties" \
    -cp "$sh/conf:$sh/jars/*" "$@" > "$DIR/logs/$name.log" 2>&1 &
  echo $! > "$PIDS/$name.pid"
}

wait_for() {  # wait_for LOGFILE PATTERN COUNT SECONDS
  local i c
  for ((i = 0; i < $4 * 2; i++)); do
    c="$(grep -c -E "$2" "$1" 2>/dev/null || true)"
    [ "${c:-0}" -ge "$3" ] && return 0
    sleep 0.5
  done
  return 1
}

start() {
  mkdir -p "$PIDS" "$DIR/logs"
  if alive "$PIDS/master.pid"; then echo "local-cluster: already running (master pid $(cat "$PIDS/master.pid"))"; status; return 0; fi
  for ip in "$MASTER_HOST" "${WORKER_IPS[@]}"; do
    case "$ip" in 127.*) ;; *) echo "local-cluster: $ip is not a loopback address" >&2; exit 2 ;; esac
  done
  spark_home > /dev/null
  launch master "$MASTER_HOST" org.apache.spark.deploy.master.Master \
    --host "$MASTER_HOST" --port "$MASTER_PORT" --webui-port "$UI_PORT"
  wait_for "$DIR/logs/master.log" "Starting Spark master|I have been elected leader" 1 60 \
    || { tail -30 "$DIR/logs/master.log"; stop; echo "local-cluster: master did not start" >&2; exit 1; }
  local n=0
  for ip in "${WORKER_IPS[@]}"; do
    n=$((n + 1))
    mkdir -p "$DIR/work-$n"
    launch "worker-$n" "$ip" org.apache.spark.deploy.worker.Worker --host "$ip" --cores 1 \
      --memory "${FP_WORKER_MEMORY:-5g}" --work-dir "$DIR/work-$n" --webui-port $((UI_PORT + n)) \
      "spark://$MASTER_HOST:$MASTER_PORT"
  done
  wait_for "$DIR/logs/master.log" "Registering worker" "${#WORKER_IPS[@]}" 90 \
    || { tail -30 "$DIR/logs"/*.log; stop; echo "local-cluster: workers did not register" >&2; exit 1; }
  echo "local-cluster: master spark://$MASTER_HOST:$MASTER_PORT, ${#WORKER_IPS[@]} workers (${WORKER_IPS[*]}), logs in $DIR/logs"
}

stop() {
  [ -d "$PIDS" ] || { echo "local-cluster: not started here ($PIDS missing)"; return 0; }
  local f pid children=()
  # Executors are children of the worker JVMs: collect them before the workers go.
  for f in "$PIDS"/worker-*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    kill -0 "$pid" 2>/dev/null && children+=($(pgrep -P "$pid" || true))
  done
  for f in "$PIDS"/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" && echo "local-cluster: stopped $(basename "$f" .pid) (pid $pid)"; fi
  done
  for pid in "${children[@]}" $(cat "$PIDS"/*.pid 2>/dev/null); do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null && echo "local-cluster: killed pid $pid (did not stop in 10 s)"; fi
  done
  rm -f "$PIDS"/*.pid
}

status() {
  local f any=1
  for f in "$PIDS"/*.pid; do
    [ -f "$f" ] || continue
    any=0
    if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): DEAD (pid $(cat "$f"))"; fi
  done
  [ "$any" -eq 0 ] || { echo "local-cluster: not running"; return 3; }
  if command -v curl >/dev/null; then
    curl -fsS "http://$MASTER_HOST:$UI_PORT/json/" 2>/dev/null | grep -oE '"(aliveworkers|status)" : [^,]*' | tr '\n' ' ' && echo
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
