#!/usr/bin/env bash
# Installs the "Java (Fusionpipe)" Jupyter kernel: a kernel.json whose command is
# bin/fusionpipe kernel, so notebooks run on the project's own classes (JShell cells; see
# io.fusionpipe.notebook.JavaKernel). Nothing is downloaded: Jupyter comes from Debian
# (apt-get install jupyter-nbconvert python3-nbclient jupyter-client), the kernel from this build.
#
#   notebooks/install-kernel.sh [KERNELS_DIR]    default: ${JUPYTER_DATA_DIR:-~/.local/share/jupyter}/kernels
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels}/fusionpipe-java"
mkdir -p "$DIR"
# builds the project if needed, so the kernel's first start does not
"$HERE/bin/fusionpipe" --version > /dev/null
cat > "$DIR/kernel.json" <<JSON
{
  "argv": ["$HERE/bin/fusionpipe", "kernel", "--connection-file", "{connection_file}"],
  "display_name": "Java (Fusionpipe)",
  "language": "java",
  "interrupt_mode": "message",
  "env": {"FUSIONPIPE_NO_BUILD": "1"}
}
JSON
echo "installed kernel fusionpipe-java in $DIR"
