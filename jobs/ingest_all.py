"""spark-submit entry of ``lifecircle ingest``: every interface file of the landing folder into the lake.

    spark-submit jobs/ingest_all.py --landing hdfs:///landing --lake hdfs:///lake \
        [--start 2026-11-01 --end 2026-11-30] [--conf conf/cluster.yaml] [--set KEY=VALUE] [--debug]

Progress goes to stderr, the summary to stdout; on failure one line on stderr and a non-zero exit.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("ingest"))
