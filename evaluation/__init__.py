"""Evaluation toolkit for Colombia's GCIO programme (Decree 415 of 2016).

The pipeline, one module per arrow::

    readers / validate -> dataset -> did (estimate -> aggregate) -> plots / report

``evaluation.did`` holds the estimators; ``evaluation.demo`` writes the synthetic
demo dataset; ``evaluation.runner`` executes the notebooks for one year;
``evaluation.safe`` is what every writer passes data strings through (HTML
escaping and sanitising, formula-neutral CSV/XLSX cells, bounded YAML).
"""

__version__ = "0.1.0"
