"""spark-submit entry of ``lifecircle dwell``: dwell profile, home/work anchors and the city view per period.

    spark-submit jobs/mobility_dwell.py --lake hdfs:///lifecircle/lake \
        --start 2026-11-01 --end 2026-11-30 [--period 2026-11] [--conf conf/cluster.yaml] [--set KEY=VALUE]

Without --period every month touched by START..END is profiled; each window is the configured
number of days ending on the month's last day or on END. On failure one line on stderr, non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("dwell"))
