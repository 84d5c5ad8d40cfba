"""The ``models:`` and ``mlflow:`` sections of the configuration (validated at start-up)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

STATUSES = ("marketed", "opened", "active", "cancelled")
DEFAULT_EXCLUDED = (
    r"^dwell_s_.+_(night|morning_commute|work_hours|evening_commute|evening)$",
    r"^days_.+_ge[0-9]+m$",
)


@dataclass(frozen=True)
class MatchingSettings:
    """Initial matching: which circles, and what makes a product a circle's focus."""

    # Tag code prefixes that make a circle (life circles; region circles are circle.region.*).
    circle_prefixes: tuple[str, ...] = ("circle.",)
    # A circle needs this many members before its rates count.
    min_members: int = 20
    # The acceptance level whose lift ranks products objectively (marketed < opened < active).
    rank_level: Literal["marketed", "opened", "active"] = "opened"
    # Objectively matched: lift at rank_level of at least this ...
    min_lift: float = 1.2
    # ... among the best this many products of the circle.
    top_n: int = 3

    def __post_init__(self) -> None:
        if self.min_members < 1 or self.top_n < 0 or self.min_lift <= 0:
            raise ValueError("min_members must be >= 1, top_n >= 0 and min_lift positive")


@dataclass(frozen=True)
class TrainingSettings:
    # A product is held when its month-end status is one of these; adopted = held now, not a month before.
    hold_statuses: tuple[str, ...] = ("opened", "active")
    # Monthly transitions pooled for training, latest first (M−1→M, M−2→M−1, …) where the
    # extracts hold them: more adopters per product at the same model complexity.
    transitions: int = 2
    # Tag families joined as 0/1 features (mobility-based only: BOSS and VGOP tags would leak the
    # label month, so the model gets those sources as of the feature month instead).
    tag_prefixes: tuple[str, ...] = ("circle.", "mobility.", "event.")
    # Feature names matching any of these regular expressions are left out of the models. By
    # default the per-category × slot dwell and the stay-length day counts: hundreds of sparse
    # columns that the category totals, the tags and the region circles already summarise, and
    # that cost accuracy against a few hundred adopters (docs/benchmarks.md).
    exclude_features: tuple[str, ...] = DEFAULT_EXCLUDED
    # Most common package codes one-hot encoded (the rest share one column).
    top_packages: int = 20
    algorithm: Literal["logistic", "hgb"] = "logistic"
    # Inverse L2 strength of the logistic model (standardised features).
    logistic_c: float = 0.003
    hgb_max_iter: int = 200
    hgb_learning_rate: float = 0.05
    hgb_max_depth: int = 4
    hgb_min_samples_leaf: int = 40
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    calibration_folds: int = 3
    # Fewer positives (or negatives) than this: the product is skipped with a recorded reason.
    min_positives: int = 30
    # Held out per product, stratified, for the reported metrics.
    test_fraction: float = 0.25
    # Rows per product at most (all positives kept first; negatives subsampled and weighted up so
    # probabilities stay those of the whole population). Bounds one Python worker's memory.
    max_rows_per_product: int = 200_000
    # Negatives per positive at most (0 = no limit besides max_rows_per_product).
    negatives_per_positive: int = 50
    # Permutation importance on at most this many held-out rows.
    importance_rows: int = 2000
    importance_top: int = 30
    seed: int = 7

    def __post_init__(self) -> None:
        bad = [s for s in self.hold_statuses if s not in STATUSES]
        if not self.hold_statuses or bad:
            raise ValueError(f"hold_statuses must be a non-empty list of {', '.join(STATUSES)}")
        for pattern in self.exclude_features:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"exclude_features: {pattern!r} is not a regular expression ({exc})") from None
        if self.transitions < 1:
            raise ValueError("transitions must be at least 1")
        if not 0 < self.test_fraction < 0.9:
            raise ValueError("test_fraction must lie between 0 and 0.9")
        if self.calibration_folds < 2 or self.min_positives < self.calibration_folds:
            raise ValueError("calibration_folds must be >= 2 and min_positives >= calibration_folds")
        if self.logistic_c <= 0 or self.hgb_learning_rate <= 0 or self.max_rows_per_product < 100:
            raise ValueError("logistic_c, hgb_learning_rate must be positive, max_rows_per_product >= 100")
        if self.negatives_per_positive < 0 or self.importance_rows < 0 or self.top_packages < 0:
            raise ValueError("negatives_per_positive, importance_rows and top_packages must not be negative")


@dataclass(frozen=True)
class ScoringSettings:
    # Alias loaded per product; without it the newest version is used (and the job says so).
    alias: str = "champion"
    # Rows per Arrow batch in the scoring function.
    batch_rows: int = 20_000


@dataclass(frozen=True)
class ModelSettings:
    # Expert product choices per circle (subjective matching); empty = the packaged conf/products.yaml.
    products_file: str = ""
    # Products to model; empty = every product of dim/products and raw/product_status.
    products: tuple[str, ...] = ()
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    training: TrainingSettings = field(default_factory=TrainingSettings)
    scoring: ScoringSettings = field(default_factory=ScoringSettings)


@dataclass(frozen=True)
class MlflowSettings:
    # Any MLflow tracking URI; empty = sqlite:///<dir>/mlflow.db with artifacts under <dir>/artifacts.
    tracking_uri: str = ""
    # Local store folder (relative to the working directory, like lake.root).
    dir: str = "mlruns"
    experiment: str = "lifecircle-propensity"
    # Registered model names are <model_prefix><product_code>.
    model_prefix: str = "propensity_"
