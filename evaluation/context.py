"""One call at the top of every notebook: the data, the year, the panel, the covariates and the words.

``setup(...)`` takes the notebook's parameters exactly as the parameters cell
holds them (literal defaults: ``year = 0`` for the latest year, ``data_dir = ""``
for the embedded demo data, ``language = ""`` for the dataset's own language)
and interprets them here, once, for every report::

    report = setup(year=year, data_dir=data_dir, language=language, output_dir=output_dir,
                   outcome=outcome, entities=entities, covariates=covariates)
    report.panel, report.covariates, report.words, report.fmt

so two notebooks given the same parameters analyse the same panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evaluation import paths
from evaluation.load import checked_copy
from evaluation.load.readers import release_freed_memory
from evaluation.panel import analysis_panel, late_adopters, resolve_covariates
from evaluation.text.format import Format
from evaluation.text.i18n import DEFAULT_LANGUAGE, Messages, check_language
from evaluation.text.wording import Wording


@dataclass
class Report:
    """What a notebook works with, after its parameters were interpreted.

    Attributes
    ----------
    data : Dataset
        The checked contract data.
    year : int
        The evaluation year (the last vigencia used).
    language : str
        ``es`` or ``en``; ``fmt`` and ``words`` follow it.
    panel : DataFrame or None
        The analysis panel of ``outcome`` and ``entities`` up to ``year`` (when an outcome is given).
    covariates : list of str
        The covariate columns the ``covariates`` parameter means for ``entities``.
    """

    data: object
    year: int
    language: str
    fmt: Format
    words: Wording
    output_dir: str = ""
    outcome: str | None = None
    entities: str | None = None
    covariates: list[str] = field(default_factory=list)
    panel: pd.DataFrame | None = None
    late_adopters: int = 0

    def messages(self, domain: str) -> Messages:
        """The messages of one report (``"impact"``) in this report's language."""
        return Messages(self.language, domain)

    @property
    def synthetic(self) -> bool:
        return bool(getattr(self.data, "synthetic", False))


def report_language(language: str, data=None) -> str:
    """The language parameter, interpreted: given explicitly, else the dataset's ``language:``, else Spanish."""
    if language is not None and str(language).strip():
        return check_language(language)
    declared = (getattr(data, "metadata", None) or {}).get("language") if data is not None else None
    if declared is not None and str(declared).strip():
        try:
            return check_language(declared)
        except ValueError as exc:
            folder = getattr(data, "folder", None)
            where = f"{Path(folder).name}/dataset.yml" if folder else "dataset.yml"
            raise ValueError(f"{where}, key 'language': {exc}") from None
    return DEFAULT_LANGUAGE


def setup(*, year: int = 0, data_dir: str = "", language: str = "", output_dir: str = "",
          outcome: str | None = None, entities: str | None = None, covariates: str | None = None) -> Report:
    """Load and check the data, resolve the year, the language, the panel and the covariates.

    Parameters
    ----------
    year : int
        Evaluation year; 0 takes the latest year in the data.
    data_dir : str
        Folder with the contract files; empty takes the embedded demo data.
    language : str
        ``es`` or ``en``; empty takes ``language:`` from ``dataset.yml`` (Spanish if it has none).
    outcome, entities, covariates : str, optional
        Given by the reports that estimate: the indicator code, the entity group
        (``evaluation.panel.ENTITY_GROUPS``) and the covariate specification
        (``"default"``, ``"none"`` or column names).
    """
    data = checked_copy.load(paths.resolve_data_dir(data_dir))  # the run's checked copy, else a fresh check
    year = int(year or max(data.years))
    lang = report_language(language, data)
    report = Report(data=data, year=year, language=lang, fmt=Format(lang), words=Wording.for_dataset(data, lang),
                    output_dir=output_dir or "", outcome=outcome, entities=entities)
    if entities is not None and covariates is not None:
        report.covariates = resolve_covariates(data, covariates, entities)
    if outcome is not None and entities is not None:
        report.panel = analysis_panel(data, outcome, entities, until_year=year)
        report.late_adopters = late_adopters(data, outcome, year)
    # The selections above went over every outcome row; give the memory they freed back to the system
    # (the C allocator keeps it otherwise), for the other kernels of the run.
    release_freed_memory()
    return report
