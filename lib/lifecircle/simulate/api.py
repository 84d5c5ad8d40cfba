"""simulate_city: the one entry point (CLI, demo, notebooks and tests call it)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from .city import build_city
from .consumption import monthly_usage, trip_roaming
from .events import build_events
from .extracts import write_feedback, write_monthly, write_params
from .habits import add_habits
from .intent import intent_tags
from .lifestyle import build_stays_realistic
from .personas import build_population, draw_msisdns
from .products import simulate_products
from .radio import build_signaling_realistic
from .realism import PROFILES, Realism
from .schedules import build_stays
from .serving import build_city_realistic, honest_cell_place, place_cells_truth
from .sigfiles import write_signaling
from .signaling import build_signaling
from .tags import expected_tags
from .truth import FILES as TRUTH_FILES
from .truth import attendance, fault_tables, local_ts, realistic_tables, subscribers_table, write_truth

LANDING_DIRS = ["params", "signaling", "boss", "vgop", "crm", "ocrm"]
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class SimulationSummary:
    """What was written: files and valid distinct records per source, injected faults and duplicates."""

    landing: str
    truth: str
    subscribers: int
    days: int
    start: date
    seed: int
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    faults: dict[str, dict[str, int]] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    profile: str = "clean"
    drawn: dict[str, float] = field(default_factory=dict)  # realistic: the city-level draws

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """Human-readable report, one line per source."""
        out = [f"simulated {self.subscribers} subscribers x {self.days} days from {self.start} "
               f"(seed {self.seed}) in {self.seconds:.1f}s -> {self.landing} (truth {self.truth})"]
        if self.profile != "clean":
            out.append(f"  profile {self.profile}: " + ", ".join(f"{k}={v}" for k, v in self.drawn.items()))
        for src in self.files:
            f = ", ".join(f"{r}={n}" for r, n in sorted(self.faults.get(src, {}).items()))
            out.append(f"  {src:<15} files={self.files[src]:<4} rows={self.rows[src]:<10} "
                       f"duplicates={self.duplicates.get(src, 0):<6} faults: {f or '-'}")
        return out


def observed_months(start: date, n_days: int) -> list[date]:
    """First days of the months spanned by the days, preceded by the two months before them."""
    last = start + timedelta(days=n_days - 1)
    months, m = [], (np.datetime64(start, "M") - 2)
    while m <= np.datetime64(last, "M"):
        months.append(m.astype("datetime64[D]").astype(date))
        m += 1
    return months


def _prepare(path: Path, overwrite: bool, owned: list[str]) -> None:
    if path.exists() and any(path.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{path} is not empty (pass overwrite=True to replace a previous simulation)")
        for name in owned:
            target = path / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    path.mkdir(parents=True, exist_ok=True)


def simulate_city(out, truth, subscribers: int = 5000, days: int = 14, start: date = date(2026, 11, 1),
                  seed: int = 7, gzip_signaling: bool = True, progress: Progress | None = None,
                  overwrite: bool = False, profile: str = "clean", traits: dict | None = None) -> SimulationSummary:
    """Simulate a city into the landing directory `out` and its ground truth into `truth`.

    Deterministic: the same arguments give byte-identical files. `progress(stage, rows)` is
    called after each stage. `overwrite` replaces a previous simulation in the same folders.
    `profile` is "clean" (the simulator's tidy habits, the default) or "realistic" (hostile phone
    and city behaviour drawn from the ranges of `Realism`; `traits` overrides some of them, e.g.
    `{"lu_interval_h": 6, "neighbour_share": 0.1, "density": 0.5}`).
    """
    t0 = time.perf_counter()
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    if profile == "clean" and traits:
        raise ValueError("traits apply to the realistic profile only")
    realism = Realism.from_overrides(traits) if profile == "realistic" else None
    if subscribers < 1 or days < 1:
        raise ValueError("subscribers and days must be at least 1")
    landing, truth_dir = Path(out).resolve(), Path(truth).resolve()
    if landing == truth_dir or landing in truth_dir.parents or truth_dir in landing.parents:
        raise ValueError("the truth directory must be separate from the landing directory")
    _prepare(landing, overwrite, LANDING_DIRS)
    _prepare(truth_dir, overwrite, TRUTH_FILES)
    report = progress or (lambda stage, rows: None)
    seeds = np.random.SeedSequence(seed).spawn(9)  # the 9th stream only drives the realistic draws
    rng = dict(zip(["city", "people", "schedule", "signal", "files", "usage", "products", "extracts"],
                   [np.random.default_rng(s) for s in seeds[:8]], strict=True))
    real_rng = np.random.default_rng(seeds[8])
    day_list = [start + timedelta(days=d) for d in range(days)]
    months = observed_months(start, days)
    next_month = (np.datetime64(months[-1], "M") + 1).astype("datetime64[D]").astype(date)
    drawn: dict[str, float] = {}
    trips = None

    if realism is None:
        city = build_city(rng["city"], subscribers)
    else:
        city = build_city_realistic(rng["city"], real_rng, subscribers, realism)
    events = build_events(rng["city"], city, day_list)
    if realism is None:
        logs = write_params(landing, city, events, start)
    report("city", len(city.cells) + len(city.places))

    pop = build_population(rng["people"], city, subscribers, months[0], start)
    if realism is None:
        stays = build_stays(rng["schedule"], pop, city, events, day_list)
    else:
        drawn = add_habits(real_rng, pop, city, realism)
        stays, trips, _ = build_stays_realistic(rng["schedule"], pop, city, events, day_list, realism)
    report("stays", len(stays))

    if realism is None:
        sig = build_signaling(rng["signal"], pop, stays, city, days)
    else:
        sig = build_signaling_realistic(rng["signal"], pop, stays, city, trips, realism, day_list)
        # cell_place.csv describes where the records of stays at each place really landed.
        city = replace(city, cell_place=honest_cell_place(city, sig))
        logs = write_params(landing, city, events, start)
    report("signaling events", len(sig))
    logs += write_signaling(rng["files"], sig, pop["msisdn"].to_numpy(), city, day_list, landing,
                            gzip_signaling, report)

    usage = monthly_usage(rng["usage"], pop, len(months))
    if realism is not None:
        usage = trip_roaming(real_rng, usage, pop, trips, months, start)
        last = usage[usage["k"] == len(months) - 1].set_index("sub")["roaming_min"]
        pop["roaming"] = last.reindex(range(len(pop))).to_numpy() > 0
    pop["package"] = usage.loc[usage["k"] == 0, "package"].to_numpy()
    churned = _churned(rng["people"], pop)
    last = [d for d in day_list if (d.year, d.month) == (months[-1].year, months[-1].month)]
    fb_days = sorted({last[int(i)] for i in np.rint(np.linspace(0, len(last) - 1, min(3, len(last))))})
    hist = simulate_products(rng["products"], pop, usage, months + [next_month], fb_days)
    logs += write_monthly(rng["extracts"], landing, pop, churned, usage, hist, months)
    logs += write_feedback(rng["extracts"], landing, pop, hist)
    report("extracts", len(usage))

    tables = _truth_tables(pop, churned, city, stays, events, logs, hist, day_list, start)
    context = {"subscribers": subscribers, "days": days, "start": start, "seed": seed,
               "months": [f"{m:%Y%m}" for m in months], "next_month": f"{next_month:%Y%m}",
               "weekdays": sum(d.weekday() < 5 for d in day_list)}
    if realism is not None:
        tables = realistic_tables(tables, pop, city, stays, trips, place_cells_truth(city, sig),
                                  intent_tags(pop, city), start)
        context |= {"realism": realism, "drawn": drawn}
    write_truth(truth_dir, tables, context)
    report("truth", len(tables["expected_tags"]))
    return _summary(logs, landing, truth_dir, subscribers, days, start, seed, time.perf_counter() - t0,
                    "clean" if realism is None else "realistic", drawn)


def _churned(rng: np.random.Generator, pop: pd.DataFrame) -> pd.DataFrame:
    """Copies of a few subscribers' profiles under new numbers: customers who left."""
    n = max(2, round(0.02 * len(pop)))
    src = rng.choice(len(pop), min(n, len(pop)), replace=False)
    numbers = draw_msisdns(rng, len(pop) + 4 * n)
    fresh = numbers[~np.isin(numbers, pop["msisdn"].to_numpy())][: len(src)]
    out = pop.iloc[src].reset_index(drop=True).copy()
    out["msisdn"], out["src"] = fresh, src
    return out


def _truth_tables(pop, churned, city, stays, events, logs, hist, day_list, start) -> dict[str, pd.DataFrame]:
    msisdn = pop["msisdn"].astype(str).to_numpy()
    place_id = city.places["place_id"].to_numpy()
    cell = city.places["cell"].to_numpy()[stays["place"]]
    st = pd.DataFrame({
        "msisdn": msisdn[stays["sub"]], "place_id": place_id[stays["place"]],
        "lac": city.cells["lac"].to_numpy()[cell], "cell_id": city.cells["cell_id"].to_numpy()[cell],
        "start_ts": local_ts(stays["start"], start), "end_ts": local_ts(stays["end"], start),
        "day": (np.datetime64(start, "D") + (stays["start"].to_numpy() // 86400).astype("timedelta64[D]")).astype(date),
        "category": city.places["cat"].to_numpy()[stays["place"]],
        "district": city.cells["district"].to_numpy()[cell]})
    tags = expected_tags(stays, city, pop, day_list)
    tag_place = pd.array(np.where(tags["place"] >= 0, place_id[np.maximum(tags["place"], 0)], 0), dtype="Int64")
    tag_place[tags["place"].to_numpy() < 0] = pd.NA
    att = attendance(stays, events)
    faults, totals, manifest = fault_tables(logs)
    adopt = hist.truth
    return {
        "subscribers": subscribers_table(pop, churned, city),
        "stays": st,
        "expected_tags": pd.DataFrame({"msisdn": msisdn[tags["sub"]], "tag_code": tags["tag_code"],
                                       "place_id": tag_place, "persona_intended": tags["persona_intended"]}),
        "event_attendance": pd.DataFrame({"msisdn": msisdn[att["sub"]], "event_id": att["event_id"],
                                          "overlap_s": att["overlap_s"]}),
        "faults": faults, "fault_totals": totals, "files": manifest,
        "adoption": pd.DataFrame({"msisdn": msisdn[adopt["sub"]], "product_code": adopt["product_code"],
                                  "month": adopt["month"], "probability": adopt["probability"],
                                  "adopted": adopt["adopted"], "in_data": adopt["in_data"]}),
    }


def _summary(logs, landing, truth, subscribers, days, start, seed, seconds, profile, drawn) -> SimulationSummary:
    files: dict[str, int] = {}
    rows: dict[str, int] = {}
    faults: dict[str, dict[str, int]] = {}
    dups: dict[str, int] = {}
    for log in logs:
        files[log.source] = files.get(log.source, 0) + 1
        q = sum(log.reasons.values())
        rows[log.source] = rows.get(log.source, 0) + log.records - q - log.duplicates
        dups[log.source] = dups.get(log.source, 0) + log.duplicates
        for r, n in log.reasons.items():
            faults.setdefault(log.source, {})[r] = faults.get(log.source, {}).get(r, 0) + n
    return SimulationSummary(str(landing), str(truth), subscribers, days, start, seed, files, rows, faults, dups,
                             round(seconds, 2), profile, drawn)
