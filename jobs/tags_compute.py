"""spark-submit entry of ``lifecircle tags``: features, event participants, customer tags and the
tag catalogue of one period.

    spark-submit jobs/tags_compute.py --lake hdfs:///lifecircle/lake --period 2026-11 \
        [--conf conf/cluster.yaml] [--set KEY=VALUE] [--debug]

Needs the period's mobility tables (trajectories and dwell jobs) and the month's BOSS/VGOP
extracts. Idempotent per period. On failure one line on stderr, non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("tags"))
