#!/usr/bin/env bash
# MLflow UI and registry server for model reviewers, on loopback, over the lifecircle store.
#
#   scripts/mlflow_server.sh [--dir mlruns] [--port 5000]
#
# --dir is the folder of mlflow.dir (default: ./mlruns, as in conf/base.yaml; the demo uses
# <workdir>/mlruns). Runs in the foreground; stop it with Ctrl-C. Reviewers then open
# http://127.0.0.1:PORT, compare the runs of a training job and promote a model with
# `lifecircle models promote PRODUCT [VERSION]` (or the UI's alias editor).
set -euo pipefail

dir="mlruns"
port="5000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "mlflow_server.sh: unknown option $1 (use --dir DIR, --port PORT)" >&2; exit 2 ;;
  esac
done

if [[ ! -f "$dir/mlflow.db" ]]; then
  echo "mlflow_server.sh: no MLflow store at $dir/mlflow.db (run lifecircle train first, or pass --dir)" >&2
  exit 1
fi
store="$(cd "$dir" && pwd)"
python="${PYTHON:-python}"
if [[ -x .venv/bin/python && -z "${PYTHON:-}" ]]; then python=".venv/bin/python"; fi

echo "MLflow on http://127.0.0.1:$port over $store" >&2
exec "$python" -m mlflow server \
  --host 127.0.0.1 --port "$port" \
  --backend-store-uri "sqlite:///$store/mlflow.db" \
  --default-artifact-root "file://$store/artifacts" \
  --workers 1
