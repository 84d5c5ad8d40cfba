"""spark-submit entry of ``lifecircle maintain``: compact small files and vacuum every table (or the named ones).

    spark-submit jobs/lake_maintain.py --lake hdfs:///lifecircle/lake \
        [--table raw/signaling …] [--retention-hours 168] [--conf conf/cluster.yaml] [--set KEY=VALUE]

One line per table: files before and after compaction, files removed by vacuum.
"""

import sys

from lifecircle.entry import submit

if __name__ == "__main__":
    sys.exit(submit("maintain"))
