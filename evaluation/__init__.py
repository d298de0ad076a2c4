"""Evaluation toolkit for Colombia's GCIO programme (Decree 415 of 2016).

The folders follow the data flow, from the files an evaluator hands in to the
pages a reader receives::

    importers/ -> load/ -> panel -> did/ -> questions/ -> text/ -> report/, plots/
                                                        runner, cli

- ``importers``: FURAG workbooks, the adoption registry template, other panels (``panel_config``)
  turned into contract files.
- ``load``: the data contract (``contract``), file readers (``readers``), the checks that
  name file, row, column and fix (``checks``), the checked ``dataset``.
- ``panel``: the one place that builds the analysis panel (entity groups, covariates, late adopters).
- ``did``: the estimators (Callaway & Sant'Anna and the rest); results are frozen dataclasses with ``tidy()``.
- ``questions``: one module per report, numbers only (impact, robustness, heterogeneity,
  monitoring, surveys, costs, findings, data_quality); ``verdicts``: the findings' verdict rules as data.
- ``text``: sentences from results in the reader's language (gettext catalogues in
  ``text/locale``), number formats (``format``), the dataset's words (``wording``); plain strings.
- ``report``: the only renderer: page blocks (``page``), HTML export and the index (``html``).
- ``plots``: the figures. ``context.setup`` is the one call at the top of every notebook.
- ``runner`` executes the notebooks for one year (``gcio-eval run``); ``cli`` is ``gcio-eval``;
  ``demo`` writes the synthetic demo dataset; ``safe`` is what every writer passes data strings
  through (escaping, sanitising, formula-neutral CSV/XLSX, bounded YAML).
"""

__version__ = "0.1.0"
