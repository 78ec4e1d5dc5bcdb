#!/usr/bin/env bash
# kill -9 soak: ingest, train (also mid-checkpoint), promote and nightly started as real processes on a
# local root and on a real HDFS (MiniDFSCluster), SIGKILLed at seeded random moments, then rerun or
# resumed; prints a table and a JSON line (partial versions visible, runs resumed, registry history
# lost, leftovers cleaned) and fails if any invariant broke. CI runs --trials 1 inside the test suite.
#   deploy/soak.sh [--trials N] [--seed S] [--stores local,hdfs] [--kinds ingest,train,promote,nightly]
set -euo pipefail
cd "$(dirname "$0")/.."
trials=10 seed=7 stores=local,hdfs kinds=ingest,train,promote,nightly
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --stores) stores="$2"; shift 2 ;;
    --kinds) kinds="$2"; shift 2 ;;
    *) echo "soak.sh: unknown argument $1 (expected --trials N, --seed S, --stores LIST, --kinds LIST)" >&2; exit 2 ;;
  esac
done
case "$trials" in ''|*[!0-9]*) echo "soak.sh: --trials must be a whole number, got '$trials'" >&2; exit 2 ;; esac
# offline when everything is already in ~/.m2 (fast, no update checks); online once on a fresh machine
# (the tests' S3 server and MiniDFSCluster jars are fetched only for test runs)
mvn -B -q -o -DskipTests package >/dev/null 2>&1 || mvn -B -q -DskipTests package >/dev/null
mvn -B -q -o -Pall-tests test-compile >/dev/null 2>&1 || mvn -B -q -Pall-tests test-compile >/dev/null
exec mvn -B -o test -Pall-tests -pl pipeline-platform,pipeline-data,pipeline-generate,pipeline-ingest,pipeline-train,pipeline-eval,pipeline-report,pipeline-app \
  -Dtest=KillSoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsoak.trials="$trials" -Dsoak.seed="$seed" -Dsoak.stores="$stores" \
  -Dsoak.kinds="$kinds" -DtrimStackTrace=false
