"""Ground truth for tests: what the simulator intended and planted, written as Parquet plus a
README that states every rule. Raw msisdn is used throughout (truth is test-only data)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .city import City
from .extracts import SCHEMAS
from .faults import CSV_REASONS, SIG_REASONS
from .tags import OTHER_RULES, VISIT_RULES
from .vocab import PRODUCTS
from .writer import FileLog

TZ = "Asia/Shanghai"
MONTHLY_KINDS = ["subscribers", "usage", "product_status", "complaints", "ocrm_feedback"]


def attendance(stays: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """(sub, event_id, overlap_s) where the stays at the venue overlap the event by
    >= min(30 min, half its duration) — the rule of INTERFACES.md."""
    m = stays.merge(events[["event_id", "place", "start_s", "end_s"]], on="place")
    m["overlap"] = (np.minimum(m["end"], m["end_s"]) - np.maximum(m["start"], m["start_s"])).clip(lower=0)
    g = m.groupby(["sub", "event_id"], as_index=False).agg(overlap_s=("overlap", "sum"), start_s=("start_s", "first"),
                                                           end_s=("end_s", "first"))
    need = np.minimum(1800, (g["end_s"] - g["start_s"]) / 2)
    return g.loc[g["overlap_s"] >= need, ["sub", "event_id", "overlap_s"]].reset_index(drop=True)


def local_ts(seconds, day0: date) -> pd.Series:
    """Seconds from local midnight of day0 → timezone-aware local timestamps."""
    ts = np.datetime64(day0, "s") + np.asarray(seconds, np.int64).astype("timedelta64[s]")
    return pd.Series(ts).dt.tz_localize(TZ)


def subscribers_table(pop: pd.DataFrame, churned: pd.DataFrame, city: City) -> pd.DataFrame:
    p, c = city.places, city.cells
    home_cell = p["cell"].to_numpy()[pop["home"]]
    has_work = pop["work"].to_numpy() >= 0
    work = np.where(has_work, pop["work"], 0)
    work_cell = p["cell"].to_numpy()[work]

    def nullable(values):
        arr = pd.array(values, dtype="Int64")
        arr[~has_work] = pd.NA
        return arr

    out = pd.DataFrame({
        "msisdn": pop["msisdn"].astype(str), "personas": pop["personas"], "role": pop["role"],
        "night_shift": pop["night_shift"],
        "home_place_id": p["place_id"].to_numpy()[pop["home"]], "work_place_id": nullable(p["place_id"].to_numpy()[work]),
        "home_lac": c["lac"].to_numpy()[home_cell], "home_cell_id": c["cell_id"].to_numpy()[home_cell],
        "work_lac": nullable(c["lac"].to_numpy()[work_cell]), "work_cell_id": nullable(c["cell_id"].to_numpy()[work_cell]),
        "home_district": p["district"].to_numpy()[pop["home"]],
        "brand": pop["brand"], "tier": pop["tier"], "trend": pop["trend"], "package_use": pop["package_use"],
        "sms_heavy": pop["sms_heavy"], "data_heavy": pop["data_heavy"], "night_data": pop["awake"] > 0,
        "roaming": pop["roaming"], "power_off_nights": pop["power_off"], "churned": False,
    })
    gone = pd.DataFrame({"msisdn": churned["msisdn"].astype(str), "churned": True, "brand": churned["brand"],
                         "tier": churned["tier"]})
    both = pd.concat([out, gone], ignore_index=True)
    for col in ("home_place_id", "home_lac", "home_cell_id"):
        both[col] = both[col].astype("Int64")
    for col in ("night_shift", "sms_heavy", "data_heavy", "night_data", "roaming", "power_off_nights"):
        both[col] = both[col].astype("boolean")  # null for numbers that left the city
    return both


def fault_tables(logs: list[FileLog]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(faults by file, totals by source, file manifest)."""
    rows, files = [], []
    for log in logs:
        for reason, n in sorted(log.reasons.items()):
            rows.append((log.source, log.file, reason, n))
        if log.duplicates:
            rows.append((log.source, log.file, "duplicate", log.duplicates))
        q = sum(log.reasons.values())
        files.append((log.source, log.file, log.records, q, log.duplicates, log.records - q - log.duplicates,
                      log.variants, log.blank, log.crlf, log.bom, log.truncated, log.sha256))
    faults = pd.DataFrame(rows, columns=["source", "file", "reason", "count"])
    totals = faults.groupby(["source", "reason"], as_index=False)["count"].sum()
    manifest = pd.DataFrame(files, columns=["source", "file", "records", "quarantined", "duplicates", "distinct_valid",
                                            "valid_variants", "blank_lines", "crlf", "bom", "truncated_last_line",
                                            "sha256"])
    return faults, totals, manifest


TABLES = ["subscribers", "stays", "expected_tags", "event_attendance", "faults", "fault_totals", "files", "adoption"]
REALISTIC_TABLES = ["trip_out_of_city", "place_cells"]
FILES = [f"{name}.parquet" for name in TABLES + REALISTIC_TABLES] + ["README.md"]


def write_truth(truth: Path, tables: dict[str, pd.DataFrame], context: dict) -> None:
    assert list(tables) in (TABLES, TABLES + REALISTIC_TABLES)
    truth.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_parquet(truth / f"{name}.parquet", index=False)
    text = readme(context)
    if "realism" in context:
        text += realistic_readme(context)
    (truth / "README.md").write_text(text, encoding="utf-8")


def realistic_tables(tables: dict[str, pd.DataFrame], pop: pd.DataFrame, city: City, stays: pd.DataFrame,
                     trips: pd.DataFrame, place_cells: pd.DataFrame, intent: pd.DataFrame,
                     day0: date) -> dict[str, pd.DataFrame]:
    """The realistic profile's truth: intent tags, habit columns, trips out of the city, serving cells."""
    out = dict(tables)
    msisdn = pop["msisdn"].astype(str).to_numpy()
    place_id = city.places["place_id"].to_numpy()
    region = tables["expected_tags"][tables["expected_tags"]["tag_code"].str.startswith("circle.region.")]
    tags = pd.DataFrame({"msisdn": msisdn[intent["sub"]], "tag_code": intent["tag_code"],
                         "place_id": pd.array(np.where(intent["place"] >= 0, place_id[np.maximum(intent["place"], 0)],
                                                       0), dtype="Int64"), "persona_intended": True})
    tags.loc[(intent["place"] < 0).to_numpy(), "place_id"] = pd.NA
    out["expected_tags"] = pd.concat([region, tags], ignore_index=True).sort_values(
        ["msisdn", "tag_code"], ignore_index=True)
    subs = tables["subscribers"].copy()
    live = ~subs["churned"].to_numpy()
    extra = {
        "shift": pop["shift"].to_numpy(), "dormitory": pop["dorm"].to_numpy(),
        "colorful": pop["colorful"].to_numpy(), "lu_period_s": pop["lu_period"].to_numpy(),
        "activity_scale": pop["activity_scale"].to_numpy(),
        "home_work_km": _home_work_km(pop, city),
        "out_of_city_trips": np.bincount(trips["sub"], minlength=len(pop)),
        **{f"planned_{k}_per_month": np.round(pop[f"rate_{k}"].to_numpy() * 30 / 7, 3)
           for k in ("gym", "basketball", "football", "golf", "cinema", "ktv", "concert", "bar", "mall",
                     "market", "park")},
    }
    n_gone = int((~live).sum())
    assert live[: len(pop)].all() and n_gone == len(subs) - len(pop)
    for name, values in extra.items():
        ser = pd.Series(values).convert_dtypes()
        subs[name] = pd.concat([ser, pd.Series([pd.NA] * n_gone, dtype=ser.dtype)], ignore_index=True)
    out["subscribers"] = subs
    depart = local_ts(trips["depart"], day0)
    nxt = stays.merge(trips[["sub", "back"]], on="sub")
    nxt = nxt[nxt["start"] >= nxt["back"]].sort_values(["sub", "back", "start"]).drop_duplicates(["sub", "back"])
    back_place = trips.merge(nxt[["sub", "back", "place"]], on=["sub", "back"], how="left")["place"]
    return_place = pd.Series(place_id[back_place.fillna(0).astype(int).to_numpy()], dtype="Int64")
    return_place[back_place.isna().to_numpy()] = pd.NA
    out["trip_out_of_city"] = pd.DataFrame({
        "msisdn": msisdn[trips["sub"]], "station_place_id": place_id[trips["station"]],
        "station_arrival_ts": local_ts(trips["station_start"], day0), "depart_ts": depart,
        "return_ts": local_ts(trips["back"], day0),
        "return_place_id": return_place.to_numpy(),
        "via_station": trips["via_station"].to_numpy(),
        "hours_away": np.round((trips["back"] - trips["depart"]).to_numpy() / 3600, 2)})
    out["place_cells"] = place_cells
    return out


def _home_work_km(pop: pd.DataFrame, city: City) -> np.ndarray:
    from .habits import home_work_km

    return np.round(home_work_km(pop, city), 2)


def realistic_readme(ctx: dict) -> str:
    from .intent import DEFINITIONS
    from .lifestyle import DAY_WEIGHT, TIMES

    realism = ctx["realism"]
    drawn = ", ".join(f"`{k}` = {v}" for k, v in ctx["drawn"].items())
    defs = "\n".join(f"| `{code}` | {text} |" for code, text in DEFINITIONS.items())
    traits = "\n".join(realism.lines())
    times = "\n".join(
        f"| {kind} | {t[0] // 100:02d}:{t[0] % 100:02d} ± {t[1]} min | {t[2] // 100:02d}:{t[2] % 100:02d} ± {t[3]} min "
        f"| {t[4]}–{t[5]} | " + " / ".join(f"{w:g}" for w in DAY_WEIGHT[kind]) + " |" for kind, t in TIMES.items())
    return f"""
# Realistic profile

This city was simulated with `profile="realistic"`: phones and people behave like real ones, and
every habit is drawn per city, subscriber, place or stay from the ranges below (the defaults of
`lifecircle.simulate.realism.Realism`, with the `traits` overrides applied). Drawn once for the
city: {drawn}.

| trait | range | meaning |
|---|---|---|
{traits}

What that means in the data:
- **Silent phones.** Calls, SMS and data sessions are rarer (activity scale) and nearly absent
  01:00–06:00; the periodic location update (event 6) fires only after the network timer of
  silence (`lu_period_s` per subscriber in subscribers.parquet), so an idle phone at home may
  report once every 1–6 h. Subscribers with `power_off_nights` switch off (8) at home
  22:30–01:00 and on (7) 06:00–08:00 on most nights.
- **Several cells per place, several places per cell.** A place has 1–4 serving cells
  (`place_cells.parquet`: `place_id`, `lac`, `cell_id`, `main`, `records`, `share` = share of
  the records of stays at the place on that cell). Per stay, `neighbour_share` of the records land
  on the non-main serving cells, in runs of 1–4 records and in quick A-B-A handover bursts; an
  alternate cell is often the main cell of a neighbouring place. `params/cell_place.csv` weights
  are honest: weight = records of stays at the place on the cell / all records on the cell
  (plus {20:g} pseudo-records per place for places nobody visited), floored to 0.01. A cell's
  primary place may therefore be a neighbour. Some cinemas are inside a mall and share its cells.
- **stays.parquet** keeps one row per true continuous presence (multi-day stays at home or on
  campus are one row); `lac`/`cell_id` are the place's main serving cell. Stays are missing while
  a subscriber is out of the city.
- **trip_out_of_city.parquet**: `msisdn`, `station_place_id`, `station_arrival_ts`, `depart_ts`
  (end of the station stay; no records from then on), `return_ts` (first presence again; a
  location update 5 there), `return_place_id` (the station for `via_station` returns), `hours_away`.
  The BOSS `roaming_min` of a traveller follows their hours away that month (0 without trips).
- **subscribers.parquet** adds `shift` (day / night / rotating; `night_shift` = permanent night
  shift), `dormitory` (home = the campus), `colorful`, `lu_period_s`, `activity_scale`,
  `home_work_km`, `out_of_city_trips` and the planned visits per month of each leisure kind
  (`planned_<kind>_per_month`; the window holds a sample of them, at least one visit for a
  positive persona rate). Dormitory students' `home_place_id` is their university.

Leisure visits (kind: weekday start, weekend start, duration in minutes, day weights
Mon–Thu / Fri / Sat / Sun); malls last `shop_duration_min` ± 40 %:

| kind | weekday | weekend | minutes | weights |
|---|---|---|---|---|
{times}

Work: office workers arrive at their own mean time (`office_arrival_h`) ± their own spread (at
most 45 min), stay `office_hours_h`, do 1–3 h overtime on `overtime_days`, work from home on
`wfh_days`; irregular office workers arrive 10:00–11:30 and stay 9.5–11 h, some Saturdays. Factory
day shifts 08:00–17:30 (long shifts 07:45–20:00, 60 % of Saturdays); night shifts 19:45–07:45 on
weeknights and half the Sundays, asleep at home by day; rotating workers alternate weekly.
University students 08:10–17:00 (a fifth of the days until 12:30); pupils 07:35–16:45. Job seekers:
talent market 1–3 mornings a week, training 0–2 afternoons. Homebodies: market errands 2–4
mornings a week (not shopping), parks. Parents (office or homebody) drop children at school at
07:20 on `school_run_days`; homebody parents also pick them up at 16:30; Saturday classes.
Business travellers: `trips_per_week`, of which `trip_out_share` leave the city (station
07:00–10:00 or 16:00–20:00, `station_stay_min`, away `trip_away_h`, back at the station for
`return_via_station_share`), the others a client office and a hotel night in the city.
`stay_home_share` of the other subscribers stay home `stay_home_days` from a Friday or Saturday.

## Tag truth of the realistic profile
`expected_tags.parquet` holds the persona INTENT for the 21 contract codes (not rules on the
stays; `persona_intended` is true, `place_id` is the landmark candidate: the work place, the
favourite venue, …) plus the rule-based region circles above:

| tag | the subscriber truly holds it when |
|---|---|
{defs}
"""


def readme(ctx: dict) -> str:
    visit = "\n".join(f"| `{code}` | {rule[0]} |" for code, rule in VISIT_RULES.items())
    other = "\n".join(f"| `{code}` | {text} |" for code, text in OTHER_RULES.items())
    schemas = "\n".join(f"- `{kind}`: " + ", ".join(f"{c} {k}{'*' if req else ''}" for c, k, req in cols)
                        for kind, cols in SCHEMAS.items() if kind in MONTHLY_KINDS)
    products = "\n".join(
        f"| `{p[0]}` | {p[1]} | {p[5]} | " + ", ".join(f"{k} {v:+}" for k, v in p[6].items()) + " |" for p in PRODUCTS)
    return f"""# Simulation truth (test-only; never part of the landing directory)

Simulated {ctx['subscribers']} subscribers over {ctx['days']} days from {ctx['start']} (seed {ctx['seed']}).
Observed months: {', '.join(ctx['months'])}; the adoption truth
also covers the next month {ctx['next_month']} (not in the landing data). Raw `msisdn` everywhere.
All timestamps are timezone-aware ({TZ}). All files are Parquet.

## subscribers.parquet
One row per subscriber: `msisdn`, `personas` (`|`-separated: one role of office, factory,
student_uni, student_school, homebody, job_seeker plus up to two traits), `role`, `night_shift`,
`home_place_id`, `work_place_id` (null without a regular place; a pupil's is the school),
`home_lac`/`home_cell_id`, `work_lac`/`work_cell_id` (the cell stays at that place use),
`home_district`, planted consumption patterns `brand`, `tier`, `trend` (growing / stable / declining:
volumes and extra spending change by about +12 % / 0 / −12 % a month), `package_use` (over: package
allowance ~0.5× usage; normal ~1.2×; under ~3×), `sms_heavy`, `data_heavy`, `night_data`
(night-shift or night-owl: 35–50 % of data at night), `roaming`, `power_off_nights`, and `churned`
(numbers that appear in the first month, are `closed` in the second and gone afterwards; no
signalling, personas null).

## stays.parquet
The true stays the schedules intended, before any signalling noise: `msisdn`, `place_id`, `lac`,
`cell_id` (the place's own cell: the place is that cell's primary place), `start_ts`, `end_ts`,
`day` (local date of the start: a stay belongs to that day and is kept whole across midnight),
`category` (simulator key of the place category), `district`. Stays are contiguous per subscriber
except for travel between places; the first starts at 00:00 of the first day, the last ends at
24:00 of the last day unless the subscriber was travelling.

## expected_tags.parquet
`msisdn`, `tag_code`, `place_id` (the subscriber's most-dwelled place supporting the tag — the
landmark candidate — null where not meaningful), `persona_intended` (the subscriber has a persona
that aims at the tag; tags are expected from the *stays*, so a few come without the persona and some
personas do not reach the threshold). Rules (a stay belongs to the local day of its start; "days"
count distinct days; D = {ctx['days']} days, WD = {ctx['weekdays']} weekdays;
reg(k) = max(1, ceil(k·D/7)); categories are INTERFACES.md place categories; leisure = category_l1
in 体育, 娱乐, 旅游, 购物):

| tag | rule |
|---|---|
{other}
{visit}

## event_attendance.parquet
`msisdn`, `event_id`, `overlap_s`: the subscriber's stays at the event's place overlap the event's
time by at least min(30 min, half the event's duration) in total (INTERFACES.md §5). About 8 % of
the intended attendees only pass by briefly, so not every intended attendee qualifies.

## faults.parquet, fault_totals.parquet, files.parquet
`faults`: `source`, `file` (relative to the landing root), `reason`, `count`: every injected
faulty line with the quarantine reason ingestion must assign (first failing check wins):
signalling {', '.join(SIG_REASONS)}; CSV {', '.join(CSV_REASONS)}. Each faulty line is a mutated
copy of a valid record that fails exactly one check and passes all earlier ones; a truncated last
line (no trailing newline, cut before its third `|`) is a `field_count`. Reason `duplicate`
counts injected copies of valid records (exact copies in the same file, copies in another file of
the same day, copies whose msisdn is spelled `86…`, `+86…` or with surrounding spaces); naturally
identical signalling records are removed before writing, so `distinct valid records = records −
quarantined − duplicates` per day. A copy in another file always sits in a file whose path sorts
after the original's, so the per-file counts are those of "the first occurrence in (path, line)
order is the record, later ones are duplicates". `fault_totals`: the sum per `source` × `reason`. `files`: one row per landing
file with `records` (non-blank lines, header excluded), `quarantined`, `duplicates`,
`distinct_valid`, `valid_variants` (valid records spelled with 86 / +86 / spaces that are not
duplicates), `blank_lines` (not records), `crlf`, `bom`, `truncated_last_line`, `sha256` of the bytes.
Parameter files (`params/*.csv`) are clean.

Fault variants planted (each passes every earlier check):

| reason | signalling examples | CSV examples |
|---|---|---|
| `encoding` | GBK / invalid bytes inside the msisdn | GBK bytes in a text, code or enum field |
| `field_count` | heartbeat text, 4 or 6 fields, comma-separated line, `####`, truncated last line | one field missing or one extra |
| `missing_required` | — | a required field other than msisdn empty |
| `bad_msisdn` | `0086…`, `+852…`, 10 / 12 digits, `86`+10 digits, letters, inner space, not starting with 1, empty | same, never empty |
| `bad_number` | — | `abc`, `1.2.3`, `12a`, `N/A`, `--5` in a number / int field |
| `bad_timestamp` | month 13, day 32, hour 25, 13 digits, `yyyy-MM-dd HH:mm:ss`, a letter, empty | — |
| `bad_date` | — | `2026-02-30`, `/` or no separators, month 13; timestamps with day 31/32 or hour 25; `month` `yyyy13` or 5 digits |
| `ts_outside_day` | a valid time 1 or 2 days later, 1 day or 31 days earlier | — |
| `bad_event_type` | `0`, `11`, `12`, `99`, `-3`, `A`, empty | — |
| `bad_cell_key` | empty lac or cell_id, `L`+lac, cell_id+`x` | — |
| `unknown_cell` | an existing LAC with a cell_id of 90000–99999 (none exists) | — |
| `bad_enum` | — | `vip`, `unknown_value`, `pending`, `X9` |

CSV field kinds the faults assume (`*` required; empty optional fields are null; `code` and
`text` are free strings; enum vocabularies are those of INTERFACES.md; `date` is `yyyy-MM-dd`,
`timestamp` is `yyyy-MM-dd HH:mm:ss` local — INTERFACES.md does not fix the format of
`complaint_time` and `contact_time`, the simulator uses the one of events.csv — and `month` is `yyyyMM`):

{schemas}

## adoption.parquet
`msisdn`, `product_code`, `month` (yyyyMM), `probability`, `adopted`, `in_data`: one row per
subscriber × product eligible in that month (subscriber exists, product launched, not held at the
end of the previous month), for every month after the first observed one and for the next month
({ctx['next_month']}, `in_data` false). `probability` is the true model:
sigmoid(intercept + persona weights + usage weights · z(previous month) + 0.5 · marketed at the end
of the previous month), z = standardised log1p of the previous month's data_mb / sms_out /
voice_out_min over the population. `adopted` is the sampled outcome; in the last observed month,
OCRM contacts answered `accepted` force adoption for 85 % of them (`opened_within_days` set).

| code | name | intercept | weights |
|---|---|---|---|
{products}
"""
