"""Installs the lifecircle suite: one package serving jobs, notebooks and tests."""

from setuptools import find_packages, setup

setup(
    name="lifecircle",
    version="0.1.0",
    description="Subscriber life circles, tags, propensity matrix and contact planning on PySpark + Delta",
    python_requires=">=3.11",
    # Every package under lib/ (new domain packages are picked up without editing this file), plus
    # conf/ shipped as lifecircle.conf so that installed jobs find their default configuration.
    package_dir={"": "lib", "lifecircle.conf": "conf"},
    packages=[*find_packages("lib"), "lifecircle.conf"],
    package_data={"lifecircle": ["log4j2.properties"], "lifecircle.conf": ["*.yaml", "tags/*.yaml"]},
    install_requires=[
        "pyspark>=4.2,<4.3",
        "delta-spark==4.4.1",
        "deltalake>=1.6.6,<2",
        "mlflow>=3,<4",
        "scikit-learn>=1.5",
        "pandas>=2.2,<3",
        "numpy>=1.26",
        "pyarrow>=17",
        "pyyaml>=6",
        "click>=8.1",
        "matplotlib>=3.8",
        "skops>=0.10",  # model serialisation without pickle (models/registry.py)
        "threadpoolctl>=3.1",  # one BLAS thread per Spark task (models/training.py, scoring.py)
    ],
    extras_require={
        "dev": [
            "pytest>=8",
            "duckdb>=1.1",  # tests and benchmarks read the lake without Spark
            "ruff>=0.6",
            "nbformat>=5",
            "nbclient>=0.10",
            "ipykernel>=6",
        ],
    },
    entry_points={"console_scripts": ["lifecircle=lifecircle.cli:main"]},
)
