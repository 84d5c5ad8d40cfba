"""spark-submit entry of ``lifecircle trajectories``: stays (客户轨迹表) and daily dwell for local days START..END.

    spark-submit jobs/mobility_trajectories.py --lake hdfs:///lifecircle/lake \
        --start 2026-11-01 --end 2026-11-30 [--conf conf/cluster.yaml] [--set KEY=VALUE] [--debug]

Writes mobility/stays, mobility/dwell_daily and mobility/dwell_daily_cell (one commit each,
replacing those days); on failure one line on stderr and a non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("trajectories"))
