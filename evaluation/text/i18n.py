"""Messages in the reader's language, from gettext catalogues.

English is the source language: every message is written in English in the
code (``_("The effect is {effect}.", effect=...)``) and translated in
``locale/<language>/LC_MESSAGES/<domain>.po``, one domain per report plus
``common`` for words every report shares. Placeholders are ``str.format`` names,
so a translation may move them but must keep every one
(``tests/test_translations.py`` fails otherwise, and for any message without a
translation).

The catalogues are compiled to ``.mo`` files by ``make messages`` (``pybabel
compile``) and when the package is built; a catalogue whose ``.mo`` is missing or
older than its ``.po`` is compiled in memory instead, so an edited translation
is never ignored.

A message that has no translation in the chosen language is shown in English:
the user's run never fails for a missing translation. It is recorded, and when
the environment variable ``GCIO_MISSING_TRANSLATIONS`` names a file (the runner
sets it), appended there so the run can say once which messages fell back.
"""

from __future__ import annotations

import gettext
import io
import os
import re
from functools import lru_cache
from pathlib import Path

#: Report languages and the CLDR locale whose number and date formats they use.
LANGUAGES: dict[str, str] = {"es": "es_CO", "en": "en"}
DEFAULT_LANGUAGE = "es"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
MISSING_ENV = "GCIO_MISSING_TRANSLATIONS"

_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^{}]*)?\}(?!\})")
_missing: set[tuple[str, str, str]] = set()


class UnknownLanguageError(ValueError):
    """A language the reports are not written in."""


def check_language(value) -> str:
    """``value`` as a report language code, or an error that lists the valid ones.

    Accepts ``"es"``, ``"en"`` in any case and with surrounding spaces, and the
    locale forms ``es_CO``/``es-CO``/``en_US``.
    """
    code = str(value if value is not None else "").strip().lower().replace("-", "_").split("_")[0]
    if code not in LANGUAGES:
        raise UnknownLanguageError(
            f"language {str(value)!r} is not available: use one of {', '.join(LANGUAGES)} "
            "(es = español, en = English).")
    return code


def locale_of(language: str) -> str:
    """The CLDR locale (``es_CO``, ``en``) of a report language."""
    return LANGUAGES[check_language(language)]


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of a message (``{{`` and ``}}`` are literal braces)."""
    return set(_PLACEHOLDER.findall(message))


def _compile_in_memory(po_path: Path) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=None)
def catalogue(language: str, domain: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``language`` (English: no catalogue)."""
    language = check_language(language)
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if po.is_file():
        return _compile_in_memory(po)
    return gettext.NullTranslations()


def _record_missing(language: str, domain: str, message: str) -> None:
    key = (language, domain, message)
    if key in _missing:
        return
    _missing.add(key)
    target = os.environ.get(MISSING_ENV)
    if target:
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"{language}\t{domain}\t{' '.join(message.split())}\n")
        except OSError:
            pass  # a report is never lost for want of this note


def missing_translations() -> list[tuple[str, str, str]]:
    """(language, domain, message) of every message shown in English in this process."""
    return sorted(_missing)


class Messages:
    """The messages of one domain in one language: ``_ = Messages("es", "impact")``.

    ``_("{n} entities", n=3)`` translates, then fills the placeholders;
    ``_.plural("{n} entity", "{n} entities", n, n=n)`` chooses the plural form
    the language needs. The values are inserted as given: they are plain text,
    escaped later by the renderer.
    """

    def __init__(self, language: str, domain: str):
        self.language = check_language(language)
        self.domain = domain
        self._catalogue = catalogue(self.language, domain)

    def _known(self, message: str) -> bool:
        # A translation may equal its message ("FURAG", "MIPG"): look the key up, do not compare texts.
        return self.language == SOURCE_LANGUAGE or message in getattr(self._catalogue, "_catalog", {})

    def _lookup(self, message: str) -> str:
        if not self._known(message):
            _record_missing(self.language, self.domain, message)
        return self._catalogue.gettext(message)

    def __call__(self, message: str, /, **values) -> str:
        text = self._lookup(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values) -> str:
        if self.language != SOURCE_LANGUAGE and (singular, 0) not in getattr(self._catalogue, "_catalog", {}):
            _record_missing(self.language, self.domain, singular)
        return self._catalogue.ngettext(singular, plural, n).format(**values)

    def __repr__(self) -> str:
        return f"Messages({self.language!r}, {self.domain!r})"
