#!/usr/bin/env bash
# A Spark standalone cluster of several simulated hosts on this machine, made only of Maven artifacts.
# Each worker host is a Linux network namespace with its own address on a private bridge this script
# creates; the master (and a driver started with SPARK_LOCAL_IP=$FP_NET.1) stays in the root namespace
# on the bridge's address:
#
#   bridge  fpbr0          10.213.0.1/24   master 10.213.0.1:7077 (web UI :8080), the driver
#   host 1  netns fph1     10.213.0.11     a Spark worker (and the executor JVMs it launches)
#   host N  netns fphN     10.213.0.(10+N)
#
# Where fpbr0 or those namespaces already exist (another cluster, or one a killed run left behind), `start`
# takes the next free set (fpbr1, fp1h1.., 10.213.1.0/24; and so on) and says so; the other commands read
# the chosen names from $FP_CLUSTER_DIR/network (`net` prints the network's first three octets).
#
#   deploy/local-cluster.sh start [--hosts N] [--cores-per-host C]    (default 2 hosts, 1 core each)
#   deploy/local-cluster.sh status | stop | secret | net
#   deploy/local-cluster.sh partition K | heal K                        (take host K's link down / up)
#   deploy/local-cluster.sh check                                       (can namespaces be made here? exit 0 or say why)
#
# Nothing per host is set by hand for gradient sharing: no DL4J_VOID_IP, no per-executor address; the
# trainer finds each executor's address itself. Needs root and iproute2 (`ip`). It creates, and `stop`
# removes, only what it recorded: the namespaces, veth pairs and bridge it made and the JVMs it started
# (with the executors their workers launched). No traffic leaves the namespaces and bridge it made.
#
# Spark authentication is on, with RPC and local-disk encryption: `start` makes a random shared secret
# ($FP_CLUSTER_DIR/spark-auth.secret, readable only by its owner) that the master, the workers and the
# executors they launch use; a driver needs it in FUSIONPIPE_SPARK_AUTH_SECRET (`secret` prints it):
#   FUSIONPIPE_SPARK_AUTH_SECRET="$(deploy/local-cluster.sh secret)" deploy/submit.sh standalone ...
#
# SPARK_HOME is a directory whose jars/ links to what a Spark distribution provides (the train module's
# provided-scope classpath: Spark 3.5 for Scala 2.12 and its Hadoop client), made with Maven from this
# checkout: no project artifact needs to be installed in ~/.m2.
#
# Environment:
#   FP_CLUSTER_DIR     state, logs and SPARK_HOME (default: target/local-cluster)
#   FP_NET             the bridge network's first three octets (default 10.213.K for the first free set K)
#   FP_WORKER_MEMORY   memory each worker offers (default 5g)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
DIR="${FP_CLUSTER_DIR:-$REPO/target/local-cluster}"
NETWORK="$DIR/network"     # the names start chose: NET, BRIDGE, NS (namespace prefix), VETH (veth prefix)
# names K: the bridge, namespace prefix and veth prefix of set K (set 0 keeps the original names)
names() {
  if [ "$1" = 0 ]; then BRIDGE=fpbr0 NS=fph VETH=fpv; else BRIDGE="fpbr$1" NS="fp$1h" VETH="fp$1v"; fi
}
if [ -f "$NETWORK" ]; then
  # shellcheck disable=SC1090
  . "$NETWORK"
else
  NET="${FP_NET:-10.213.0}"
  names 0
fi
MASTER_HOST="$NET.1"
MASTER_PORT=7077
UI_PORT=8080
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PIDS="$DIR/pids"
CREATED="$DIR/net.created"   # one line per network object this script made: "netns NAME", "link NAME"
SECRET="$DIR/spark-auth.secret"
# What the daemons need besides the secret: the same settings conf/cluster.conf and deploy/submit.sh give drivers.
AUTH_FLAGS=(-Dspark.authenticate=true -Dspark.network.crypto.enabled=true -Dspark.io.encryption.enabled=true)

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2; exit 2; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Why namespaces cannot be made here (empty when they can).
cannot() {
  [ "$(id -u)" -eq 0 ] || { echo "network namespaces need root (running as $(id -un))"; return; }
  command -v ip >/dev/null || { echo "iproute2's 'ip' is not installed"; return; }
  local probe="fpprobe$$"
  if ! ip netns add "$probe" 2>/dev/null; then echo "'ip netns add' failed: no network namespaces in this kernel or container"; return; fi
  ip netns del "$probe"
}

jvm_flags() {
  local props="$REPO/pipeline-platform/target/classes/io/fusionpipe/build.properties"
  [ -f "$props" ] || { echo "local-cluster: $props missing: build first (mvn -B -DskipTests package)" >&2; exit 1; }
  sed -n 's/^jvm.flags=//p' "$props"
}

spark_home() {
  local sh="$DIR/spark-home"
  if [ ! -f "$sh/.ready" ]; then
    echo "local-cluster: assembling SPARK_HOME from the Maven classpath ($sh)" >&2
    rm -rf "$sh" && mkdir -p "$sh/jars" "$sh/conf"
    # -am with package: the reactor provides pipeline-platform and pipeline-data (nothing of the project is read from ~/.m2)
    local cp=(-B -q -DskipTests package dependency:build-classpath -pl pipeline-train -am -DincludeScope=provided
              -Dmdep.outputFile=target/spark.classpath)
    mvn -o "${cp[@]}" > "$DIR/classpath.log" 2>&1 || mvn "${cp[@]}" >> "$DIR/classpath.log" 2>&1 \
      || { tail -20 "$DIR/classpath.log" >&2; exit 1; }
    tr ":" "\n" < "$REPO/pipeline-train/target/spark.classpath" | while read -r jar || [ -n "$jar" ]; do
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

# launch NAME IP NETNS CLASS ARGS...: java in the background (inside NETNS unless it is "-"), own log, pid recorded.
launch() {
  local name="$1" ip="$2" ns="$3"; shift 3
  local sh; sh="$(spark_home)"
  local wrap=()
  [ "$ns" != "-" ] && wrap=(ip netns exec "$ns")
  # shellcheck disable=SC2046
  # _SPARK_AUTH_SECRET is where Spark's daemons look for the shared secret (kept off the command line, which ps shows)
  _SPARK_AUTH_SECRET="$(cat "$SECRET")" SPARK_HOME="$sh" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="$ip" OMP_NUM_THREADS=1 \
    nohup "${wrap[@]}" "$JAVA" -Xmx512m $(jvm_flags) "${AUTH_FLAGS[@]}" -Dlog4j2.configurationFile="$sh/conf/log4j2.properties" \
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

record() { echo "$*" >> "$CREATED"; }

# taken K: does anything of set K (its bridge, a namespace of its prefix, its default subnet) exist already?
# Leaves BRIDGE, NS and VETH set to set K's names.
taken() {
  names "$1"
  ip link show "$BRIDGE" >/dev/null 2>&1 && return 0
  ip netns list 2>/dev/null | grep -q "^$NS[0-9]" && return 0
  [ -z "${FP_NET:-}" ] && ip -4 addr show | grep -q "inet 10\.213\.$1\." && return 0
  return 1
}

# Choose the first free set of names (a killed run's leftovers are never reused, nor removed: they may be
# another live cluster's) and record it for the other commands.
choose_network() {
  local k
  for ((k = 0; k < 50; k++)); do taken "$k" || break; done
  [ "$k" -lt 50 ] || { echo "local-cluster: fpbr0..fpbr49 are all in use: stop the clusters left running (deploy/local-cluster.sh stop)" >&2; exit 1; }
  NET="${FP_NET:-10.213.$k}"
  if ip -4 addr show | grep -q "inet $NET\."; then
    echo "local-cluster: $NET.0/24 is already used on this machine; choose another FP_NET" >&2; exit 1
  fi
  [ "$k" = 0 ] || echo "local-cluster: fpbr0 is taken (another cluster, or one a killed run left: its 'stop' removes it); using $BRIDGE, namespaces $NS<i> and $NET.0/24" >&2
  MASTER_HOST="$NET.1"
  printf 'NET=%s BRIDGE=%s NS=%s VETH=%s\n' "$NET" "$BRIDGE" "$NS" "$VETH" > "$NETWORK"
}

make_network() {
  local hosts="$1" i
  choose_network
  : > "$CREATED"
  ip link add "$BRIDGE" type bridge && record link "$BRIDGE"
  ip addr add "$MASTER_HOST/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for ((i = 1; i <= hosts; i++)); do
    ip netns add "$NS$i" && record netns "$NS$i"
    ip link add "$VETH$i" type veth peer name eth0 netns "$NS$i" && record link "$VETH$i"
    ip link set "$VETH$i" master "$BRIDGE" up
    ip -n "$NS$i" addr add "$NET.$((10 + i))/24" dev eth0
    ip -n "$NS$i" link set eth0 up
    ip -n "$NS$i" link set lo up
  done
}

remove_network() {
  [ -f "$CREATED" ] || return 0
  local kind name
  # namespaces first (their veth ends go with them), then links, newest first
  tac "$CREATED" | while read -r kind name; do
    case "$kind" in
      netns) ip netns del "$name" 2>/dev/null && echo "local-cluster: removed namespace $name" || true ;;
      link) ip link del "$name" 2>/dev/null && echo "local-cluster: removed link $name" || true ;;
    esac
  done
  rm -f "$CREATED" "$NETWORK"
}

start() {
  local hosts=2 cores=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --hosts) hosts="$2"; shift 2 ;;
      --cores-per-host) cores="$2"; shift 2 ;;
      *) usage ;;
    esac
  done
  [[ "$hosts" =~ ^[1-9][0-9]?$ ]] && [ "$hosts" -le 50 ] || { echo "local-cluster: --hosts must be 1..50, got '$hosts'" >&2; exit 2; }
  [[ "$cores" =~ ^[1-9][0-9]*$ ]] || { echo "local-cluster: --cores-per-host must be a positive whole number, got '$cores'" >&2; exit 2; }
  mkdir -p "$PIDS" "$DIR/logs"
  if alive "$PIDS/master.pid"; then echo "local-cluster: already running (master pid $(cat "$PIDS/master.pid"))"; status; return 0; fi
  local why; why="$(cannot)"
  [ -z "$why" ] || { echo "local-cluster: cannot simulate hosts here: $why" >&2; exit 4; }
  spark_home > /dev/null
  (umask 077 && head -c 32 /dev/urandom | base64 > "$SECRET")
  make_network "$hosts"
  echo "$hosts" > "$DIR/hosts"
  launch master "$MASTER_HOST" - org.apache.spark.deploy.master.Master \
    --host "$MASTER_HOST" --port "$MASTER_PORT" --webui-port "$UI_PORT"
  wait_for "$DIR/logs/master.log" "Starting Spark master|I have been elected leader" 1 60 \
    || { tail -30 "$DIR/logs/master.log"; stop; echo "local-cluster: master did not start" >&2; exit 1; }
  local i ip
  for ((i = 1; i <= hosts; i++)); do
    ip="$NET.$((10 + i))"
    mkdir -p "$DIR/work-$i"
    launch "worker-$i" "$ip" "$NS$i" org.apache.spark.deploy.worker.Worker --host "$ip" --cores "$cores" \
      --memory "${FP_WORKER_MEMORY:-5g}" --work-dir "$DIR/work-$i" --webui-port "$UI_PORT" \
      "spark://$MASTER_HOST:$MASTER_PORT"
  done
  wait_for "$DIR/logs/master.log" "Registering worker" "$hosts" 90 \
    || { tail -30 "$DIR/logs"/*.log; stop; echo "local-cluster: workers did not register" >&2; exit 1; }
  echo "local-cluster: master spark://$MASTER_HOST:$MASTER_PORT; $hosts hosts ($cores core(s) each): $(for ((i = 1; i <= hosts; i++)); do printf '%s%d=%s ' "$NS" "$i" "$NET.$((10 + i))"; done)"
  echo "local-cluster: drivers run here with SPARK_LOCAL_IP=$MASTER_HOST; logs in $DIR/logs"
}

stop() {
  local f pid children=()
  if [ -d "$PIDS" ]; then
    # Executors are children of the worker JVMs (under 'ip netns exec'): collect them before the workers go.
    for f in "$PIDS"/worker-*.pid; do
      [ -f "$f" ] || continue
      pid="$(cat "$f")"
      kill -0 "$pid" 2>/dev/null && children+=($(pgrep -P "$pid" || true)) || true
      for c in $(pgrep -P "$pid" || true); do children+=($(pgrep -P "$c" || true)); done
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
  fi
  rm -f "$SECRET"
  remove_network
}

status() {
  local f any=1 i n
  for f in "$PIDS"/*.pid; do
    [ -f "$f" ] || continue
    any=0
    if alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): DEAD (pid $(cat "$f"))"; fi
  done
  [ "$any" -eq 0 ] || { echo "local-cluster: not running"; return 3; }
  n="$(cat "$DIR/hosts" 2>/dev/null || echo 0)"
  echo "master: $MASTER_HOST:$MASTER_PORT on bridge $BRIDGE"
  for ((i = 1; i <= n; i++)); do
    echo "host $i: netns $NS$i, $(ip -n "$NS$i" -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}') link $(ip -n "$NS$i" -o link show dev eth0 2>/dev/null | grep -oE 'state [A-Z]+' || echo '?'), worker pid $(cat "$PIDS/worker-$i.pid" 2>/dev/null)"
  done
}

link_of() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && grep -qx "netns $NS$1" "$CREATED" 2>/dev/null || { echo "local-cluster: no host $1 in this cluster" >&2; exit 2; }
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  partition) link_of "${2:-}"; ip -n "$NS$2" link set eth0 down; echo "local-cluster: host $2 ($NET.$((10 + $2))) cut off" ;;
  heal) link_of "${2:-}"; ip -n "$NS$2" link set eth0 up; echo "local-cluster: host $2 ($NET.$((10 + $2))) reconnected" ;;
  secret) [ -s "$SECRET" ] || { echo "local-cluster: no secret: start the cluster first" >&2; exit 1; }; cat "$SECRET" ;;
  net) [ -f "$NETWORK" ] || { echo "local-cluster: not started" >&2; exit 1; }; echo "$NET" ;;
  check) why="$(cannot)"; [ -z "$why" ] && echo "local-cluster: network namespaces can be made here" || { echo "$why"; exit 4; } ;;
  *) usage ;;
esac
