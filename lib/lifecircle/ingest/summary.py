"""The run's summary: files by decision, rows by outcome, quarantined lines by source and reason."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lifecircle.ingest.files import Decisions, FileProblem, LandingFile

OUTCOMES = ("accepted", "quarantined", "duplicate")


@dataclass
class Summary:
    ignored: list[str] = field(default_factory=list)
    unknown_categories: list[Any] = field(default_factory=list)  # Rows of params.compute_unknown_categories
    problems: list[FileProblem] = field(default_factory=list)  # damaged or unreadable files
    _files: dict[str, int] = field(default_factory=dict)
    _rows: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    _reasons: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, kind: str, kind_files: list[LandingFile], counts: Iterable[tuple[str, str, str | None, int]]) -> None:
        self._rows[kind]["files"] += len(kind_files)
        for _, outcome, reason, rows in counts:
            self._rows[kind][outcome] += rows
            if reason is not None:
                self._reasons[kind][reason] += rows

    def files(self, decisions: Decisions) -> None:
        self._files = {
            "new": len(decisions.new),
            "replaced": len(decisions.replaced),
            "skipped_same_hash": len(decisions.skipped),
            "reread": len(decisions.reread),
            "ignored": len(self.ignored),
        }

    def as_dict(self) -> dict[str, Any]:
        by_source = {
            kind: {"files": c["files"], "read": sum(c[o] for o in OUTCOMES), **{o: c[o] for o in OUTCOMES}}
            for kind, c in sorted(self._rows.items())
        }
        totals = {o: sum(s[o] for s in by_source.values()) for o in ("read", *OUTCOMES)}
        reasons = {kind: dict(sorted(c.items())) for kind, c in sorted(self._reasons.items())}
        categories = [
            {"category_l1": r.category_l1, "category_l2": r.category_l2, "category_l3": r.category_l3, "places": r.places}
            for r in self.unknown_categories
        ]
        summary = {
            "files": dict(self._files),
            "ignored_files": list(self.ignored),
            "rows": totals,
            "by_source": by_source,
            "quarantined_by_reason": reasons,
            "unknown_place_categories": categories,
            "file_problems": [{"file": p.file.file, "reason": p.reason, "detail": p.detail} for p in self.problems],
        }
        summary["text"] = format_summary(summary)
        return summary


def format_summary(s: dict[str, Any]) -> str:
    f, r = s["files"], s["rows"]
    lines = [
        f"files: {f['new']} new, {f['replaced']} replaced, {f['skipped_same_hash']} skipped (same hash), "
        f"{f['ignored']} ignored" + (f", {f['reread']} read again (may hold copies of rows that left)" if f["reread"] else ""),
        f"rows: {r['read']:,} read = {r['accepted']:,} accepted + {r['quarantined']:,} quarantined "
        f"+ {r['duplicate']:,} duplicate",
    ]
    for kind, c in s["by_source"].items():
        reasons = ", ".join(f"{k} {v:,}" for k, v in s["quarantined_by_reason"].get(kind, {}).items())
        lines.append(
            f"  {kind:<15} {c['files']:>4} files {c['read']:>12,} read {c['accepted']:>12,} accepted "
            f"{c['quarantined']:>9,} quarantined {c['duplicate']:>9,} duplicate" + (f"  [{reasons}]" if reasons else "")
        )
    if s["ignored_files"]:
        shown = ", ".join(s["ignored_files"][:5]) + (" …" if len(s["ignored_files"]) > 5 else "")
        lines.append(f"ignored (not an interface file): {shown}")
    for p in s["file_problems"]:
        what = "not ingested, tried again next run" if p["reason"] == "unreadable_file" else "readable lines ingested"
        lines.append(f"file problem {p['reason']}: {p['file']} — {p['detail']} ({what})")
    for c in s["unknown_place_categories"]:
        path = "/".join(x or "" for x in (c["category_l1"], c["category_l2"], c["category_l3"]))
        lines.append(f"place category outside the vocabulary (kept): {path} ({c['places']} places)")
    return "\n".join(lines)
