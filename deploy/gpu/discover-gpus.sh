#!/usr/bin/env bash
# Spark GPU discovery script (spark.{worker,executor,driver}.resource.gpu.discoveryScript): prints the
# GPUs this host (or container) exposes in the format Spark expects, e.g.
#   {"name": "gpu", "addresses": ["0","1"]}
# Indices are those of nvidia-smi, i.e. CUDA's in PCI bus order (CUDA_DEVICE_ORDER=PCI_BUS_ID); inside
# a container that sees only some GPUs (Kubernetes device plugin, YARN isolation) they start at 0.
# UNVERIFIED here: the build machine has no GPU.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null; then
  echo '{"name": "gpu", "addresses": []}'
  exit 0
fi
addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | awk 'NF { printf "%s\"%s\"", (n++ ? "," : ""), $1 }')"
echo "{\"name\": \"gpu\", \"addresses\": [$addresses]}"
