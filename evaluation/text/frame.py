"""Words every report page shares: the data banner, the question box labels and the source line."""

from __future__ import annotations

from evaluation.text.format import Format
from evaluation.text.i18n import Messages

DOMAIN = "frame"

#: Which records a report's synthetic-data banner names (the demo simulates each of them).
RECORDS = ("outcomes", "monitoring", "costs", "surveys")


def dataset_name(dataset) -> str:
    """The dataset's name (``dataset.yml``'s ``name``, else its folder's name): never a path."""
    metadata = getattr(dataset, "metadata", None) or {}
    folder = getattr(dataset, "folder", None)
    return " ".join(str(metadata.get("name") or getattr(folder, "name", "") or "").split())


def _simulated(language: str, records: str) -> str:
    _ = Messages(language, DOMAIN)
    if records == "surveys":
        return _("The survey answers are simulated to look like the programme's 2015 diagnosis; they are not the "
                 "answers of any real office or director. Numbers in this report show how the suite works, not "
                 "what the diagnosis found.")
    if records == "monitoring":
        return _("Adoption dates, outcome scores and monitoring records are simulated to look like Colombia's "
                 "programme data; they are not real records of any entity. Numbers in this report show how the "
                 "suite works, not how the programme performed.")
    if records == "costs":
        return _("Adoption dates, outcome scores, monitoring records and budget lines are simulated to look like "
                 "Colombia's programme data; they are not real records of any entity. Numbers in this report show "
                 "how the suite works, not how the programme performed.")
    return _("Adoption dates and outcome scores are simulated to look like Colombia's programme data; they are not "
             "real records of any entity. Numbers in this report show how the suite works, not how the programme "
             "performed.")


def banner(dataset, language: str, records: str = "outcomes") -> tuple[str, str, bool]:
    """``(lead, text, warning)`` of the box at the top: the synthetic-data warning, or the data's name and source."""
    _ = Messages(language, DOMAIN)
    name = dataset_name(dataset)
    if getattr(dataset, "synthetic", False):
        return _("Synthetic demo data ({name}).", name=name), _simulated(language, records), True
    metadata = getattr(dataset, "metadata", None) or {}
    source = " ".join(str(metadata.get("source") or "").split())
    if not source:
        return _("Data:"), _("{name}. Source: not stated in dataset.yml.", name=name), False
    return _("Data:"), _("{name}. Source: {source}.", name=name, source=source), False


def labels(language: str) -> dict[str, str]:
    """The labels of the question box and of table sources."""
    _ = Messages(language, DOMAIN)
    question, answer, source = _("Question:"), _("Short answer:"), _("Source:")
    return {"question": question, "answer": answer, "source": source}


def source(dataset, language: str, *tables: str, method: str = "") -> str:
    """Which dataset and files a table comes from (file names only), and how its numbers were made."""
    _ = Messages(language, DOMAIN)
    files = Format(language).join([dataset.files[t].name for t in tables if t in getattr(dataset, "files", {})])
    name = dataset_name(dataset)
    if getattr(dataset, "synthetic", False):
        name = _("{name} (synthetic)", name=name)
    if method:
        return _("{name}: {files}. {method}.", name=name, files=files, method=method.rstrip("."))
    return _("{name}: {files}.", name=name, files=files)


class FrameWords:
    """The frame methods a report's text class shares: ``banner``, ``labels``, ``source_label``, ``source``.

    A class using it has ``fmt`` (a ``Format``) and may set ``RECORDS`` (which records its demo banner names).
    """

    RECORDS = "outcomes"
    fmt: Format  # set by the class using it

    def banner(self, dataset) -> tuple[str, str, bool]:
        """(lead, text, warning) of the box at the top: synthetic data, or the data's provenance."""
        return banner(dataset, self.fmt.language, records=self.RECORDS)

    def labels(self) -> dict:
        """The labels of the question box (``page.question(..., **t.labels())``)."""
        words = labels(self.fmt.language)
        return {"label_question": words["question"], "label_answer": words["answer"]}

    def source_label(self) -> str:
        return labels(self.fmt.language)["source"]

    def source(self, dataset, *tables: str, method: str = "") -> str:
        """The source line under a table: the dataset, its files and how the numbers were made."""
        return source(dataset, self.fmt.language, *tables, method=method)
