"""spark-submit entry of ``lifecircle train``: initial matching and one calibrated propensity model per product.

    spark-submit jobs/train_propensity.py --lake hdfs:///lifecircle/lake --period 2026-11 \
        [--conf conf/cluster.yaml] [--set KEY=VALUE] [--debug]

Learns features of the month before the period → adoption in the period, every product in one
applyInPandas (one task per product). The driver logs to MLflow (mlflow.tracking_uri in conf) and
registers propensity_<product> with alias challenger. Writes models/circle_products and
models/training_status. On failure one line on stderr, non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("train"))
