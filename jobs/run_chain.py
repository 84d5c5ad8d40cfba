"""spark-submit entry of ``lifecircle run``: the whole chain (ingest, trajectories, dwell, tags,
train, score) for a date range, idempotently, in one Spark application.

    spark-submit jobs/run_chain.py --landing hdfs:///landing --lake hdfs:///lifecircle/lake \
        --start 2026-11-01 --end 2026-11-30 [--steps ingest,trajectories] \
        [--conf conf/cluster.yaml] [--set KEY=VALUE] [--debug]

Each step records itself in ops/job_runs and prints its result; on failure one line on stderr and
a non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("run"))
