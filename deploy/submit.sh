#!/usr/bin/env bash
# spark-submit wrapper for Fusionpipe's stages on a cluster:
#
#   deploy/submit.sh TARGET STAGE [STAGE ARGUMENTS...]
#
#   TARGET  standalone | yarn | k8s | local
#   STAGE   generate | ingest | export | train | train-bench | eval | report | promote | nightly | doctor
#
# It picks the stage's job jar (mvn -B -Pjob-jars -DskipTests package; -Pcuda,job-jars for GPU
# executors) and adds the --conf set every target needs:
#   - Java 17 --add-opens and the Aeron timeout on the driver and the executors (from the jar's
#     io/fusionpipe/build.properties: the same list the tests and bin/fusionpipe use)
#   - executor memory overhead for ND4J's off-heap memory, OMP_NUM_THREADS = executor cores
#   - for train/eval/nightly: the gradient-sharing UDP port (the driver's; each executor takes the first
#     free one from there up and binds the address its route to the driver leaves from: nothing per
#     host); on Kubernetes the driver pod's IP as DL4J_VOID_IP, the controller address executors dial
#   - FP_GPU=1: one GPU per executor and task, the GPU discovery script (conf/gpu.conf), the CUDA jar
#   - s3a:// in the arguments (or FP_S3=1, e.g. a root set in a --config file): Hadoop's S3A connector with
#     --packages (FP_S3_PACKAGES; "" where the cluster's Spark already has it); the images carry it
#   - Spark authentication with RPC and local-disk encryption (FP_SPARK_AUTH=0 turns it off): YARN and
#     Kubernetes make a secret per application; a standalone cluster's shared secret is read by the driver
#     from FUSIONPIPE_SPARK_AUTH_SECRET in its environment (never on the command line, where ps shows it)
# What the submission sets (these --conf, spark-submit's own) wins over conf/*.conf's fusionpipe.spark.conf;
# executor JVM options are merged with the project's (off-heap caps, Aeron timeout).
#
# Environment (defaults in brackets):
#   SPARK_SUBMIT [spark-submit]   FP_MASTER [spark://localhost:7077 | yarn | k8s://https://kubernetes.default.svc]
#   FP_DEPLOY_MODE [client; cluster on k8s]   FP_EXECUTORS [2]   FP_EXECUTOR_CORES [4]
#   FP_EXECUTOR_MEMORY [8g]   FP_EXECUTOR_OVERHEAD [6g]   FP_PORT [40123]
#   FP_IMAGE [fusionpipe/executor-cpu:<version>; -cuda with FP_GPU=1]   FP_NAMESPACE [fusionpipe]
#   FP_JAR_DIR [the modules' target/; in the images /opt/fusionpipe/jars]   FP_GPU [0]
#   FP_GPU_DISCOVERY [/opt/fusionpipe/gpu/discover-gpus.sh: where the executors find the GPU discovery script]
#   FP_S3 [1 when an argument names s3a://]   FP_S3_PACKAGES [org.apache.hadoop:hadoop-aws:3.3.4: Spark 3.5's Hadoop]
#   FP_SPARK_AUTH [1]   FUSIONPIPE_SPARK_AUTH_SECRET (standalone: the secret the master and workers run with)
#   FP_DRY_RUN=1   print the command instead of running it
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[ $# -ge 2 ] || usage
TARGET="$1" STAGE="$2"
shift 2

case "$STAGE" in
  generate|ingest|export) MODULE=ingest ;;
  train|train-bench) MODULE=train ;;
  eval|report|promote|nightly) MODULE=app ;;
  doctor) MODULE=train ;;
  *) echo "submit: unknown stage '$STAGE' (generate, ingest, export, train, train-bench, eval, report, promote, nightly, doctor)" >&2; exit 2 ;;
esac

find_jar() {
  local dir="${FP_JAR_DIR:-$HERE/pipeline-$MODULE/target}" jar
  jar="$(ls "$dir"/pipeline-"$MODULE"-*-job.jar 2>/dev/null | head -1 || true)"
  [ -n "$jar" ] || { echo "submit: no pipeline-$MODULE job jar in $dir: build it with mvn -B -Pjob-jars -DskipTests package" >&2; exit 1; }
  echo "$jar"
}
JAR="$(find_jar)"
if [ -z "${FP_JVM_FLAGS:-}" ]; then
  FP_JVM_FLAGS="$(unzip -p "$JAR" io/fusionpipe/build.properties 2>/dev/null | sed -n 's/^jvm.flags=//p')"
  [ -n "$FP_JVM_FLAGS" ] || { echo "submit: $JAR has no io/fusionpipe/build.properties (not a Fusionpipe job jar?)" >&2; exit 1; }
fi
CORES="${FP_EXECUTOR_CORES:-4}"
PORT="${FP_PORT:-40123}"
VERSION="$(basename "$JAR" | sed -E "s/^pipeline-$MODULE-(.*)-job\.jar$/\1/")"

ARGS=(--class io.fusionpipe.cli.Fusionpipe --name "fusionpipe-$STAGE"
      --driver-java-options "$FP_JVM_FLAGS"
      --conf "spark.executor.extraJavaOptions=$FP_JVM_FLAGS"
      --conf "spark.executor.instances=${FP_EXECUTORS:-2}"
      --conf "spark.executor.cores=$CORES"
      --conf "spark.executor.memory=${FP_EXECUTOR_MEMORY:-8g}"
      --conf "spark.executor.memoryOverhead=${FP_EXECUTOR_OVERHEAD:-6g}"
      --conf "spark.executorEnv.OMP_NUM_THREADS=$CORES")
if [ "${FP_SPARK_AUTH:-1}" = 1 ]; then
  ARGS+=(--conf spark.authenticate=true --conf spark.network.crypto.enabled=true --conf spark.io.encryption.enabled=true)
  if [ "$TARGET" = standalone ] && [ -z "${FUSIONPIPE_SPARK_AUTH_SECRET:-}" ]; then
    echo "submit: Spark authentication is on and a standalone cluster needs its shared secret: set FUSIONPIPE_SPARK_AUTH_SECRET" \
         "(or FP_SPARK_AUTH=0 on a network nobody else can reach)" >&2
    exit 2
  fi
fi
# S3A credentials come through Hadoop's providers (environment, instance/pod roles, or
# fusionpipe.spark.conf."spark.hadoop.fs.s3a.*" in a config file): never here, on the command line.
S3="${FP_S3:-}"
if [ -z "$S3" ]; then
  S3=0
  for a in "$@"; do case "$a" in *s3a://*) S3=1 ;; esac; done
fi
S3_PACKAGES="${FP_S3_PACKAGES-org.apache.hadoop:hadoop-aws:3.3.4}"
if [ "$S3" = 1 ] && [ "$TARGET" != k8s ] && [ -n "$S3_PACKAGES" ]; then
  ARGS+=(--packages "$S3_PACKAGES")
fi
STAGE_SETS=()
case "$STAGE" in
  train|train-bench|eval|nightly) STAGE_SETS=(--set "fusionpipe.train.shared.port=$PORT") ;;
esac

case "$TARGET" in
  standalone)
    ARGS=(--master "${FP_MASTER:-spark://localhost:7077}" --deploy-mode "${FP_DEPLOY_MODE:-client}" "${ARGS[@]}"
          --conf "spark.cores.max=$(( ${FP_EXECUTORS:-2} * CORES ))") ;;
  yarn)
    ARGS=(--master yarn --deploy-mode "${FP_DEPLOY_MODE:-client}" "${ARGS[@]}"
          --conf "spark.yarn.appMasterEnv.OMP_NUM_THREADS=$CORES") ;;
  k8s)
    IMAGE="${FP_IMAGE:-fusionpipe/executor-$([ "${FP_GPU:-0}" = 1 ] && echo cuda || echo cpu):$VERSION}"
    ARGS=(--master "${FP_MASTER:-k8s://https://kubernetes.default.svc}" --deploy-mode "${FP_DEPLOY_MODE:-cluster}" "${ARGS[@]}"
          --conf "spark.kubernetes.namespace=${FP_NAMESPACE:-fusionpipe}"
          --conf "spark.kubernetes.container.image=$IMAGE"
          --conf "spark.kubernetes.authenticate.driver.serviceAccountName=fusionpipe"
          # the pod template sets DL4J_VOID_IP to the pod's IP and opens the UDP port (see deploy/k8s)
          --conf "spark.kubernetes.driver.podTemplateFile=$HERE/deploy/k8s/pod-template.yaml"
          --conf "spark.kubernetes.executor.podTemplateFile=$HERE/deploy/k8s/pod-template.yaml")
    # in the image the jar lives at /opt/fusionpipe/jars (deploy/docker)
    JAR="local:///opt/fusionpipe/jars/$(basename "$JAR")" ;;
  local)
    ARGS=(--master "${FP_MASTER:-local[*]}" "${ARGS[@]}") ;;
  *) echo "submit: unknown target '$TARGET' (standalone, yarn, k8s, local)" >&2; exit 2 ;;
esac

if [ "${FP_GPU:-0}" = 1 ]; then
  ARGS+=(--conf spark.executor.resource.gpu.amount=1 --conf spark.task.resource.gpu.amount=1
         --conf "spark.task.cpus=$CORES" --files "$HERE/conf/gpu.conf"
         --conf "spark.executor.resource.gpu.discoveryScript=${FP_GPU_DISCOVERY:-/opt/fusionpipe/gpu/discover-gpus.sh}")
  if [ "$TARGET" = k8s ]; then ARGS+=(--conf spark.executor.resource.gpu.vendor=nvidia.com); fi
  STAGE_SETS+=(--config gpu.conf)
fi

CMD=("${SPARK_SUBMIT:-spark-submit}" "${ARGS[@]}" "$JAR" "$STAGE" "$@" "${STAGE_SETS[@]}")
if [ "${FP_DRY_RUN:-0}" = 1 ]; then
  printf '%q ' "${CMD[@]}"
  echo
  exit 0
fi
exec "${CMD[@]}"
