"""Installs the lifecircle suite: one package serving jobs, notebooks and tests."""

from setuptools import setup

setup(
    name="lifecircle",
    version="0.1.0",
    description="Subscriber life circles, tags, propensity matrix and contact planning on PySpark + Delta",
    python_requires=">=3.11",
    package_dir={"lifecircle": "lib/lifecircle", "lifecircle.conf": "conf"},
    packages=[
        "lifecircle",
        "lifecircle.conf",
        "lifecircle.ingest",
        "lifecircle.lake",
        "lifecircle.mobility",
        "lifecircle.tags",
        "lifecircle.models",
        "lifecircle.marketing",
        "lifecircle.reports",
        "lifecircle.simulate",
    ],
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
        "hdfs>=2.7",
        "duckdb>=1.1",
    ],
    extras_require={
        "dev": [
            "pytest>=8",
            "chispa>=0.10",
            "ruff>=0.6",
            "nbformat>=5",
            "nbclient>=0.10",
            "ipykernel>=6",
        ],
    },
    entry_points={"console_scripts": ["lifecircle=lifecircle.cli:main"]},
)
