"""lifecircle: subscriber life circles, tags and propensity matrix on PySpark + Delta."""

__version__ = "0.1.0"
