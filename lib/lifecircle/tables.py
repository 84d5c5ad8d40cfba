"""The one registry of lake tables: name, columns, partitioning, grain, producing job, description.

Every other module names a table through the constants here (``tables.STAYS``), never by spelling
its path; ``docs/tables.md`` is generated from this file (``python -m lifecircle.tables``) and a test
keeps the two in step. A :class:`Table` *is* its ``layer/table`` name (a ``str``), so it goes
wherever a table name goes, and carries its contract with it.

The lake checks every write to a registered table against its columns, and jobs check their
inputs with :meth:`lifecircle.lake.Lake.require` before any work. A table with ``open_columns``
(``models/features``: one column per feature of the configuration) declares its key columns only.

This module imports nothing of the suite, so any module may import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

_SIMPLE = {
    "string": T.StringType(),
    "int": T.IntegerType(),
    "bigint": T.LongType(),
    "tinyint": T.ByteType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "date": T.DateType(),
    "timestamp": T.TimestampType(),
    "binary": T.BinaryType(),
}
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")
_MAP = re.compile(r"^map<(\w+),(\w+)>$")
_ARRAY = re.compile(r"^array<(\w+)>$")


def parse_type(text: str) -> T.DataType:
    """A Spark type from its DDL name (the few forms the lake uses; no JVM needed)."""
    text = text.replace(" ", "")
    if text in _SIMPLE:
        return _SIMPLE[text]
    if m := _DECIMAL.match(text):
        return T.DecimalType(int(m[1]), int(m[2]))
    if m := _MAP.match(text):
        return T.MapType(parse_type(m[1]), parse_type(m[2]))
    if m := _ARRAY.match(text):
        return T.ArrayType(parse_type(m[1]))
    raise ValueError(f"unsupported column type {text!r}")


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str  # DDL spelling, e.g. "bigint", "decimal(12,2)"
    note: str = ""

    @property
    def dtype(self) -> T.DataType:
        return parse_type(self.type_name)


def _columns(ddl: str) -> tuple[Column, ...]:
    """``name type  # note`` per line (blank lines ignored)."""
    out = []
    for line in ddl.strip().splitlines():
        spec, _, note = line.partition("#")
        if not spec.strip():
            continue
        name, type_name = spec.split(None, 1)
        out.append(Column(name, type_name.strip(), note.strip()))
    return tuple(out)


class Table(str):
    """A lake table: the string is its ``layer/table`` name, the attributes its contract."""

    columns: tuple[Column, ...]
    partition_by: tuple[str, ...]
    grain: str
    producer: str
    description: str
    open_columns: bool
    built: bool

    def __new__(
        cls,
        name: str,
        *,
        columns: str,
        grain: str,
        producer: str,
        description: str,
        partition_by: tuple[str, ...] = (),
        open_columns: bool = False,
        built: bool = True,
    ) -> Table:
        table = super().__new__(cls, name)
        table.columns = _columns(columns)
        table.partition_by = tuple(partition_by)
        table.grain = grain
        table.producer = producer
        table.description = description
        table.open_columns = open_columns
        table.built = built
        names = [c.name for c in table.columns]
        missing = [p for p in table.partition_by if p not in names]
        if missing or len(set(names)) != len(names):
            raise ValueError(f"{name}: partition columns {missing} not declared, or a column declared twice")
        return table

    @property
    def name(self) -> str:
        return str(self)

    @property
    def layer(self) -> str:
        return self.split("/")[0]

    @property
    def schema(self) -> T.StructType:
        """The declared columns (all nullable, as Spark writes them), in table order."""
        return T.StructType([T.StructField(c.name, c.dtype, True) for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def empty(self, spark: SparkSession) -> DataFrame:
        """An empty DataFrame of the declared schema (first runs, optional inputs)."""
        return spark.createDataFrame([], self.schema)


_LINEAGE = """
source_file string  # landing path of the file the row came from
line_no bigint  # 1-based line of that file
"""

# --------------------------------------------------------------------------- raw: ingest
SIGNALING = Table(
    "raw/signaling",
    grain="one valid, deduplicated signaling record",
    producer="ingest",
    partition_by=("day", "cell_bucket"),
    description="Signaling records (INTERFACES.md §1) after validation and dedup; msisdn pseudonymised.",
    columns="""
subscriber_id string  # HMAC-SHA256 pseudonym of the normalised msisdn
event_ts timestamp  # UTC instant of the event
event_type int  # 1–10
lac int
cell_id int
day date  # local day of the file's folder
cell_bucket int  # hash bucket of (lac, cell_id)
""" + _LINEAGE,
)
QUARANTINE = Table(
    "raw/quarantine",
    grain="one rejected input line",
    producer="ingest",
    partition_by=("source", "day"),
    description="Every rejected line with its reason code; numbers in `raw` are masked.",
    columns="""
source string  # interface kind: signaling, cells, subscribers, …
file string  # path relative to the landing root
line_no bigint  # 1-based; 0 for a damaged or unreadable file as a whole
raw string  # the line, msisdn masked
reason string  # reason code (README, quarantine reason codes)
detail string  # the failing field or check
day date  # the file's day (first day of the month for monthly files)
month string  # yyyyMM of monthly files
""",
)
SUBSCRIBERS = Table(
    "raw/subscribers",
    grain="one subscriber in one monthly BOSS snapshot",
    producer="ingest",
    partition_by=("month",),
    description="BOSS customer data (INTERFACES.md §6); a subscriber missing from a month has left.",
    columns="""
subscriber_id string
brand string  # gotone | mzone | easyown
tier string  # diamond | platinum | gold | silver | normal
gender string
birth_year int
open_date date
package_code string
status string  # active | suspended | closed
month string  # yyyy-MM
""" + _LINEAGE,
)
USAGE = Table(
    "raw/usage",
    grain="one subscriber's monthly usage and billing",
    producer="ingest",
    partition_by=("month",),
    description="Monthly usage and billing (INTERFACES.md §7).",
    columns="""
subscriber_id string
arpu decimal(12,2)
voice_out_min double
voice_in_min double
sms_out bigint
sms_in bigint
data_mb double
roaming_min double
package_fee decimal(12,2)
extra_fee decimal(12,2)
night_data_mb double
weekend_voice_min double
month string  # yyyy-MM
""" + _LINEAGE,
)
PRODUCT_STATUS = Table(
    "raw/product_status",
    grain="one subscriber × product relation at a month's end",
    producer="ingest",
    partition_by=("month",),
    description="VGOP product relations (INTERFACES.md §9): marketed < opened < active, or cancelled.",
    columns="""
subscriber_id string
product_code string
status string  # marketed | opened | active | cancelled
status_date date
month string  # yyyy-MM
""" + _LINEAGE,
)
COMPLAINTS = Table(
    "raw/complaints",
    grain="one customer-service complaint",
    producer="ingest",
    partition_by=("month",),
    description="CRM complaints (INTERFACES.md §10); category `harassment` suppresses contacts.",
    columns="""
subscriber_id string
complaint_ts timestamp
category string
month string  # yyyy-MM
""" + _LINEAGE,
)
OCRM_FEEDBACK = Table(
    "raw/ocrm_feedback",
    grain="one contact outcome reported by the OCRM",
    producer="ingest",
    partition_by=("day",),
    description="Contact feedback of the outbound CRM (INTERFACES.md §11).",
    columns="""
campaign_id string
subscriber_id string
product_code string
channel string  # sms | outbound_call | app_push | hall
contact_ts timestamp
response string  # accepted | declined | no_response | complained
opened_within_days int
day date  # the file's day
""" + _LINEAGE,
)

# --------------------------------------------------------------------------- dim: parameter data
CELLS = Table(
    "dim/cells",
    grain="one cell (lac, cell_id)",
    producer="ingest",
    description="Cells with location and district (INTERFACES.md §2); replaced whole on a new delivery.",
    columns="""
lac int
cell_id int
site_id string
longitude double  # WGS-84
latitude double
azimuth int  # null for an omni cell
district string
""",
)
PLACES = Table(
    "dim/places",
    grain="one place",
    producer="ingest",
    description="Places with their category path and landmark flag (INTERFACES.md §3).",
    columns="""
place_id string
name string
category_l1 string
category_l2 string
category_l3 string
longitude double
latitude double
radius_m double
district string
is_landmark boolean
""",
)
CELL_PLACE = Table(
    "dim/cell_place",
    grain="one cell × place it serves",
    producer="ingest",
    description="Which places a cell serves, with the share of its traffic (INTERFACES.md §4).",
    columns="""
lac int
cell_id int
place_id string
weight double  # (0, 1]; a cell's weights sum to ≤ 1
""",
)
EVENTS = Table(
    "dim/events",
    grain="one event at a place",
    producer="ingest",
    description="Events (INTERFACES.md §5), times as UTC instants.",
    columns="""
event_id string
name string
event_type string
place_id string
start_ts timestamp
end_ts timestamp
""",
)
PRODUCTS = Table(
    "dim/products",
    grain="one data service",
    producer="ingest",
    description="The product catalogue (INTERFACES.md §8).",
    columns="""
product_code string
name string
category string
monthly_fee decimal(12,2)
launch_date date
""",
)

# --------------------------------------------------------------------------- ops
INGEST_FILES = Table(
    "ops/ingest_files",
    grain="one ingested file version",
    producer="ingest",
    description="The ingest ledger: rows_read = rows_accepted + rows_quarantined + rows_duplicate.",
    columns="""
file string  # path relative to the landing root
source string
sha256 string  # of the bytes as delivered (null when unreadable)
bytes bigint
rows_read bigint
rows_accepted bigint
rows_quarantined bigint
rows_duplicate bigint
status string  # current | corrupt | replaced | skipped_same_hash | unreadable
ingested_at timestamp
day date
month string
""",
)
JOB_RUNS = Table(
    "ops/job_runs",
    grain="one job run, failed ones too",
    producer="every job",
    description="Job, parameters, input and output table versions, rows, seconds, status, code version.",
    columns="""
run_id string
job string
params string  # JSON
inputs string  # JSON: table → version read
outputs string  # JSON: [{table, version, rows}]
rows bigint
seconds double
status string  # success | failed
error string
code_version string
started_at timestamp
finished_at timestamp
""",
)
LAKE_KEY = Table(
    "ops/lake_key",
    grain="one row: the lake's pseudonym key",
    producer="ingest",
    description=(
        "The fingerprint of the LIFECIRCLE_PSEUDONYM_KEY the lake's subscriber_ids were made with, written by"
        " the first ingest (the first key wins); an ingest with another key is refused before it writes."
    ),
    columns="""
fingerprint string  # hex HMAC-SHA256(key, a fixed text); never the key
algorithm string
written_at timestamp
""",
)
CHAIN_RUNS = Table(
    "ops/chain_runs",
    grain="one chain run for one business date",
    producer="run, backfill",
    built=False,
    description="Scheduler-facing record of each business date's chain (not built yet).",
    columns="""
run_id string
business_date date
run_type string  # scheduled | manual | backfill
status string
steps string
seconds double
code_version string
started_at timestamp
""",
)
BACKFILLS = Table(
    "ops/backfills",
    grain="one backfill request",
    producer="backfill",
    built=False,
    description="Backfill requests and their outcome (not built yet).",
    columns="""
backfill_id string
date_from date
date_to date
reprocess string  # none | failed | completed
status string
requested_at timestamp
""",
)

# --------------------------------------------------------------------------- vault
IDENTITY = Table(
    "vault/identity",
    grain="one subscriber",
    producer="ingest",
    description=(
        "subscriber_id ↔ msisdn: the only place raw numbers live, read only by the OCRM export. Not under"
        " the lake root: under the vault root (`vault.root`, default `<LAKE>_vault` beside the lake, owner-only),"
        " so the path is `<VAULT>/vault/identity`; opened only by `lifecircle/vault.py`."
    ),
    columns="""
subscriber_id string
msisdn string  # 11 digits
""",
)

# --------------------------------------------------------------------------- mobility
STAYS = Table(
    "mobility/stays",
    grain="one stay of a subscriber",
    producer="trajectories",
    partition_by=("day",),
    description=(
        "The trajectory base table (客户轨迹表): a stay belongs to the local day of its start; a"
        " presence cut at mobility.stays.cut_hour on later days keeps one visit_id in all its pieces."
    ),
    columns="""
subscriber_id string
seq int  # order of the stay within the subscriber's day
visit_id string  # one per continuous presence: pieces of a multi-day stay share it
lac int
cell_id int
place_id string
start_ts timestamp
end_ts timestamp
duration_s bigint
n_events int
day date  # local day of start_ts
""",
)
DWELL_DAILY_CELL = Table(
    "mobility/dwell_daily_cell",
    grain="subscriber × cell × day × time slot",
    producer="trajectories",
    partition_by=("day",),
    description="Dwell seconds per cell, split exactly at day and slot boundaries.",
    columns="""
subscriber_id string
lac int
cell_id int
place_id string
district string
slot string  # a name of mobility.dwell.slots
is_weekend boolean
dwell_s bigint
n_stays int  # visits (distinct visit_id) in this cell, day and slot
day date
""",
)
DWELL_DAILY = Table(
    "mobility/dwell_daily",
    grain="subscriber × place × day × time slot",
    producer="trajectories",
    partition_by=("day",),
    description="Dwell seconds per place (驻留区域分析), from the per-cell dwell.",
    columns="""
subscriber_id string
place_id string
district string
slot string
is_weekend boolean
dwell_s bigint
n_stays int
day date
""",
)
_PROFILE_COLUMNS = """
window_start date
window_end date
observed_days int  # days of the window holding data
days_present int
dwell_s bigint
night_dwell_s bigint
work_dwell_s bigint
weekend_dwell_s bigint
first_day date
last_day date
frequency_class string  # frequent | general | occasional
frequency_class_zh string  # 经常到达 | 一般到达 | 偶尔到达
period string  # yyyy-MM
"""
DWELL_PROFILE = Table(
    "mobility/dwell_profile",
    grain="subscriber × place over the profile window",
    producer="dwell",
    partition_by=("period",),
    description="Days present, dwell and frequency class of every place a subscriber visits.",
    columns="subscriber_id string\nplace_id string\ndistrict string\n" + _PROFILE_COLUMNS,
)
DWELL_PROFILE_DISTRICT = Table(
    "mobility/dwell_profile_district",
    grain="subscriber × district over the profile window",
    producer="dwell",
    partition_by=("period",),
    description="The dwell profile by district.",
    columns="subscriber_id string\ndistrict string\n" + _PROFILE_COLUMNS,
)
_ANCHOR_COLUMNS = """
subscriber_id string
anchor_type string  # home | work
place_id string
lac int
cell_id int
confidence double  # [0, 1]
method string
days int
dwell_s bigint
period string
"""
ANCHORS = Table(
    "mobility/anchors",
    grain="subscriber × anchor_type",
    producer="dwell",
    partition_by=("period",),
    description="Home and work per subscriber from the method chosen in conf (mobility.anchors.method).",
    columns=_ANCHOR_COLUMNS,
)
ANCHOR_CANDIDATES = Table(
    "mobility/anchor_candidates",
    grain="subscriber × anchor_type × detection method",
    producer="dwell",
    partition_by=("period",),
    description="Every detection method's anchors, same columns as mobility/anchors.",
    columns=_ANCHOR_COLUMNS,
)
ANCHOR_AGREEMENT = Table(
    "mobility/anchor_agreement",
    grain="anchor_type × pair of methods",
    producer="dwell",
    partition_by=("period",),
    description="How often two anchor methods agree.",
    columns="""
anchor_type string
method_a string
method_b string
subscribers_both bigint
agreeing bigint
only_a bigint
only_b bigint
agreement double
period string
""",
)
AREA_POPULATION = Table(
    "mobility/area_population",
    grain="place × hour of week",
    producer="dwell",
    partition_by=("period",),
    description="The city view (城市分时段主流驻留区域): subscribers present, peak and valley hours.",
    columns="""
place_id string
district string
hour_of_week int  # 0 = Monday 00:00 local
weekday int
hour int
subscribers_avg double
subscribers_max int
occurrences int  # how many times the observed days hold this hour
is_peak boolean
is_valley boolean
period string
""",
)

# --------------------------------------------------------------------------- features and tags
FEATURES = Table(
    "models/features",
    grain="one subscriber and period",
    producer="tags",
    partition_by=("period",),
    open_columns=True,
    description="The feature layer: one wide row per subscriber; its columns are "
    "lifecircle.features.schema.feature_schema of the configuration (dwell, stays, anchors, BOSS, VGOP, events).",
    columns="""
subscriber_id string
period string
""",
)
CUSTOMER_TAGS = Table(
    "tags/customer_tags",
    grain="subscriber × tag",
    producer="tags",
    partition_by=("period",),
    description="Every tag a subscriber holds, with the key landmark of life circles.",
    columns="""
subscriber_id string
tag_code string
value string  # null for yes/no tags
landmark_place_id string
landmark_name string
period string
""",
)
CATALOG = Table(
    "tags/catalog",
    grain="one tag",
    producer="tags",
    description="The expanded tag catalogue with its coverage in the latest tagged period.",
    columns="""
code string
name string
level1 string
level2 string
level3 string
level_path string
kind string  # rule | statistical | model
source string
family string
definition string
value_definition string
landmark_rule string
file string  # the conf/tags file defining it
coverage bigint
share double
period string
""",
)
EVENT_PARTICIPANTS = Table(
    "tags/event_participants",
    grain="subscriber × event",
    producer="tags",
    partition_by=("event_day",),
    description="Who attended which event (stays overlapping it long enough).",
    columns="""
subscriber_id string
event_id string
event_type string
place_id string
overlap_s bigint
event_day date
""",
)

# --------------------------------------------------------------------------- models
CIRCLE_PRODUCTS = Table(
    "models/circle_products",
    grain="life circle × product",
    producer="train",
    partition_by=("period",),
    description="Initial matching: acceptance rates and lift per circle and product, and the focus list.",
    columns="""
circle_code string
product_code string
members bigint
rate_marketed double
rate_opened double
rate_active double
lift_marketed double
lift_opened double
lift_active double
objective_rank int
expert boolean
objective boolean
focus boolean
source string  # expert | objective | both | null (not in focus)
period string
""",
)
TRAINING_STATUS = Table(
    "models/training_status",
    grain="product × period",
    producer="train",
    partition_by=("period",),
    description="One row per product and training run: status, reason, held-out metrics, registered version.",
    columns="""
product_code string
status string  # trained | skipped | failed
reason string
n_rows bigint
n_positives bigint
n_test bigint
n_test_positives bigint
n_features bigint
base_rate double
auc double
pr_auc double
lift_top10 double
brier double
calibration string  # JSON
importance string  # JSON
params string  # JSON
seconds double
model_name string
model_version string
mlflow_run_id string
feature_month string
label_month string
trained_at timestamp
period string
""",
)
MATCHING_MATRIX = Table(
    "models/matching_matrix",
    grain="subscriber × product not held at the end of the period",
    producer="score",
    partition_by=("period",),
    description="The customer × product matching matrix (客户-业务匹配矩阵).",
    columns="""
subscriber_id string
product_code string
score int  # round(100 × probability)
probability double  # calibrated, of adopting in the month after the period
customer_rank int  # 1 = the customer's best product
product_percentile double  # share (0–100) of the product's customers with a lower probability
model_version string
period string
""",
)

# --------------------------------------------------------------------------- marketing (module E, F)
CONTACT_PLAN = Table(
    "marketing/contact_plan",
    grain="one selected contact",
    producer="plan",
    partition_by=("plan_day",),
    built=False,
    description="The plan of one day (not built yet).",
    columns="""
subscriber_id string
campaign_id string
product_code string
channel string
window_start timestamp
window_end timestamp
probability double
score int
expected_value double
tags string
control boolean
plan_day date
""",
)
PLAN_SUMMARY = Table(
    "marketing/plan_summary",
    grain="one plan run",
    producer="plan",
    partition_by=("plan_day",),
    built=False,
    description="Candidates, drops by reason, contacts and value of one plan (not built yet).",
    columns="""
candidates bigint
drops string  # JSON: reason → count
contacts string  # JSON: campaign × channel → count
value double
lp_bound double
greedy_value double
plan_day date
""",
)
CONTACT_HISTORY = Table(
    "marketing/contact_history",
    grain="one contact made",
    producer="plan, ingest of OCRM feedback",
    partition_by=("day",),
    built=False,
    description="Contacts exported by plans or reported by the OCRM (not built yet).",
    columns="""
subscriber_id string
campaign_id string
product_code string
channel string
contact_time timestamp
source string  # plan | ocrm
day date
""",
)
EFFECTIVENESS = Table(
    "marketing/effectiveness",
    grain="campaign × channel × contact day × group",
    producer="effect",
    partition_by=("day",),
    built=False,
    description="Responses, openings, rates and lift against control (not built yet).",
    columns="""
campaign_id string
channel string
grp string  # contacted | control
contacts bigint
responses bigint
openings bigint
response_rate double
opening_rate double
lift double
ci_low double
ci_high double
p_value double
day date
""",
)

REGISTRY: dict[str, Table] = {
    t.name: t for t in list(globals().values()) if isinstance(t, Table)
}


def lookup(name: str) -> Table | None:
    """The registered table of a ``layer/table`` name, or None (scratch tables of tests)."""
    return REGISTRY.get(str(name))


def markdown() -> str:
    """docs/tables.md: every table with its grain, partitioning, producer and columns."""
    lines = [
        "# Lake tables",
        "",
        "Generated from `lib/lifecircle/tables.py` by `python -m lifecircle.tables > docs/tables.md`;",
        "a test keeps it in step. Paths are `<LAKE>/<layer>/<table>`; every table is Delta (reader 1 / writer 2).",
        "The one exception is `vault/identity`: it lives under the vault root, `<VAULT>/vault/identity`",
        "(`vault.root`, by default `<LAKE>_vault` beside the lake), not under the lake root.",
        "",
        "| table | grain | partitioned by | written by |",
        "|---|---|---|---|",
    ]
    for t in REGISTRY.values():
        producer = t.producer if t.built else f"{t.producer} (not built yet)"
        lines.append(f"| `{t}` | {t.grain} | {', '.join(t.partition_by) or '—'} | {producer} |")
    for t in REGISTRY.values():
        lines += ["", f"## `{t}`", "", t.description, ""]
        if t.open_columns:
            lines += ["Key columns below; the other columns follow the configuration.", ""]
        lines += ["| column | type | notes |", "|---|---|---|"]
        for c in t.columns:
            part = " (partition)" if c.name in t.partition_by else ""
            lines.append(f"| `{c.name}` | {c.type_name} | {c.note}{part} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
