"""spark-submit entry of ``lifecircle score``: the customer × product matching matrix of one period.

    spark-submit jobs/score_matrix.py --lake hdfs:///lifecircle/lake --period 2026-11 \
        [--conf conf/cluster.yaml] [--set KEY=VALUE] [--debug]

Loads each product's champion model (else its newest version, saying so) from MLflow, scores
every subscriber for every product they do not hold and replaces the period of
models/matching_matrix. On failure one line on stderr, non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("score"))
