"""lifecircle.simulate — a deterministic synthetic city: landing files in the exact interface
formats (with planted dirt) and the ground truth the suite is tested against.

    from lifecircle.simulate import simulate_city
    summary = simulate_city(out="LANDING", truth="TRUTH", subscribers=5000, days=14, seed=7)
"""

from .api import SimulationSummary, observed_months, simulate_city

__all__ = ["SimulationSummary", "observed_months", "simulate_city"]
