#!/usr/bin/env bash
# Start / stop a Spark standalone cluster on loopback from the pip-installed PySpark, to try the
# jobs under spark-submit exactly as on a real cluster.
#
#   scripts/standalone_cluster.sh start        # master spark://127.0.0.1:7077, one worker
#   scripts/standalone_cluster.sh submit jobs/lake_maintain.py --lake /tmp/lake
#   scripts/standalone_cluster.sh stop
set -euo pipefail
PY=${PYTHON:-$(command -v python)}
SPARK_HOME=$("$PY" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')
export SPARK_HOME PYSPARK_PYTHON="$PY"
RUN=${LIFECIRCLE_CLUSTER_DIR:-/tmp/lifecircle-cluster}
mkdir -p "$RUN"

case "${1:-}" in
  start)
    nohup "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
      --webui-port 8080 >"$RUN/master.log" 2>&1 & echo $! >"$RUN/master.pid"
    sleep 5
    nohup "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker spark://127.0.0.1:7077 \
      --host 127.0.0.1 --cores "${WORKER_CORES:-2}" --memory "${WORKER_MEMORY:-4g}" \
      --work-dir "$RUN/work" >"$RUN/worker.log" 2>&1 & echo $! >"$RUN/worker.pid"
    sleep 5
    echo "master spark://127.0.0.1:7077 (logs in $RUN)"
    ;;
  submit)
    shift
    "$SPARK_HOME/bin/spark-submit" --master spark://127.0.0.1:7077 \
      --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
      --conf spark.pyspark.python="$PY" --conf spark.executor.memory=2g "$@"
    ;;
  stop)
    for role in worker master; do
      [ -f "$RUN/$role.pid" ] && kill "$(cat "$RUN/$role.pid")" 2>/dev/null || true
      rm -f "$RUN/$role.pid"
    done
    echo stopped
    ;;
  *)
    echo "usage: $0 start|submit JOB.py ARGS…|stop" >&2
    exit 2
    ;;
esac
