"""The reports' two languages: complete catalogues, kept placeholders, locale formats, fallback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.text import catalogues, i18n
from evaluation.text.format import Format
from evaluation.text.i18n import Messages, UnknownLanguageError, check_language, placeholders
from evaluation.text.wording import Wording


def test_every_message_has_a_spanish_translation_with_the_same_placeholders():
    assert catalogues.problems() == []


def test_the_check_finds_a_missing_translation_and_a_dropped_placeholder(tmp_path, monkeypatch):
    source = tmp_path / "fake.py"
    source.write_text('DOMAIN = "fake"\n_ = Messages("es", DOMAIN)\n_("{n} entities in {year}", n=1, year=2)\n'
                      '_("Not translated")\n', encoding="utf-8")
    po = tmp_path / "locale" / "es" / "LC_MESSAGES" / "fake.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "{n} entities in {year}"\nmsgstr "{n} entidades"\n', encoding="utf-8")
    monkeypatch.setattr(catalogues, "sources", lambda: {"fake": [source]})
    monkeypatch.setattr(catalogues, "PACKAGE", tmp_path)
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path / "locale")
    found = catalogues.problems()
    assert any("placeholders ['n'] instead of ['n', 'year']" in p for p in found)
    assert any("no translation for 'Not translated'" in p for p in found)


def test_no_message_is_hidden_from_extraction():
    """Babel misses a ``_()`` inside an f-string, and a plural call that passes ``_`` on as an argument."""
    from babel.messages.extract import extract_from_file

    for files in catalogues.sources().values():
        for path in files:
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"""\bf["'][^\n]*\{_(\.plural)?\(""", text), f"{path}: a _() call inside an f-string"
            found = list(extract_from_file("python", str(path), keywords=catalogues.KEYWORDS))
            plurals = sum(isinstance(m[1], tuple) for m in found)
            assert plurals == text.count("_.plural("), f"{path}: a _.plural() call was not extracted as a plural"


def test_every_text_module_declares_its_domain_and_only_report_renders():
    text_dir = Path(catalogues.PACKAGE) / "text"
    for path in text_dir.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "IPython" not in source and "<p>" not in source, f"{path.name} renders; only evaluation.report may"
        if "Messages(" in source and path.name not in {"i18n.py", "catalogues.py"}:
            assert re.search(r'^DOMAIN = "', source, re.M), f"{path.name} uses messages without DOMAIN"


@pytest.mark.parametrize("value, code", [("es", "es"), ("EN", "en"), (" es_CO ", "es"), ("en-US", "en")])
def test_language_codes(value, code):
    assert check_language(value) == code


@pytest.mark.parametrize("value", ["fr", "", None, "spanish"])
def test_an_unknown_language_is_refused_with_the_valid_values(value):
    with pytest.raises(UnknownLanguageError, match="use one of es, en"):
        check_language(value)


def test_a_message_without_translation_falls_back_to_english_and_is_recorded(tmp_path, monkeypatch):
    record = tmp_path / "missing.txt"
    monkeypatch.setenv(i18n.MISSING_ENV, str(record))
    _ = Messages("es", "common")
    assert _("A message nobody translated, {n}", n=3) == "A message nobody translated, 3"
    _("A message nobody translated, {n}", n=4)  # recorded once
    assert record.read_text(encoding="utf-8").splitlines() == ["es\tcommon\tA message nobody translated, {n}"]
    assert ("es", "common", "A message nobody translated, {n}") in i18n.missing_translations()
    assert _("entities") == "entidades"


def test_placeholders_ignore_literal_braces_and_format_specs():
    assert placeholders("{a} {{b}} {c:.2f} {d!r}") == {"a", "c", "d"}


def test_colombian_and_english_number_formats():
    es, en = Format("es"), Format("en")
    assert es.number(1234.5) == "1.234,5" and en.number(1234.5) == "1,234.5"
    assert es.money(4510909699) == "COP 4.510.909.699"
    assert en.money(4510909699) == "COP 4,510,909,699"
    assert es.date("2024-03-05") == "05/03/2024" and en.date("2024-03-05") == "2024-03-05"
    assert es.interval(3.741, 4.5, 2) == "[3,74; 4,50]" and en.interval(3.741, 4.5, 2) == "[3.74, 4.50]"
    assert es.percent(0.253, 1) == "25,3 %" and en.percent(0.253, 1) == "25.3%"
    assert es.p_value(0.0004) == "p < 0,001" and en.p_value(0.034) == "p = 0.03"
    assert es.signed(4.06) == "+4,1" and es.signed(-0.26) == "-0,3"
    assert es.year(2024) == "2024" and es.count(6712) == "6.712"
    assert es.years([2019, 2020, 2021]) == "2019–2021" and es.years([2016, 2018, 2020]) == "2016, 2018 y 2020"
    assert en.years([2016, 2018]) == "2016 and 2018"
    assert es.number(float("nan")) == "–"


class _Data:
    def __init__(self, metadata):
        self.metadata, self.folder = metadata, Path("castle")


def test_wording_of_gcio_data_in_spanish_and_of_a_converted_panel():
    gcio = Wording.for_dataset(_Data({"name": "GCIO demo data"}), "es")
    assert gcio.programme and gcio.units == "entidades" and gcio.effect_unit == "puntos del índice"
    assert gcio.level("departmental") == "departamental"
    assert "Director de Tecnologías y Sistemas de Información" in gcio.treatment
    castle = Wording.for_dataset(_Data({"labels": {"unit": "state", "units": "states",
                                                    "treatment": "castle-doctrine law",
                                                    "effect_unit": "log points",
                                                    "outcomes": {"l_homicide": "log homicides"}}}), "en")
    assert not castle.programme and castle.units == "states" and castle.effect_unit == "log points"
    assert castle.level("departmental") == "state"  # never a Colombian level on a US panel
    assert castle.outcome("l_homicide") == "l_homicide – log homicides"
    per_language = Wording.for_dataset(_Data({"labels": {"es": {"unit": "estado", "units": "estados"},
                                                          "en": {"unit": "state"}}}), "es")
    assert per_language.units == "estados"
