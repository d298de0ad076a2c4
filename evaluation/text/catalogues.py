"""Keep the gettext catalogues in step with the code: extract, update, compile, check.

A module whose sentences a reader sees declares its domain at the top
(``DOMAIN = "impact"``) and writes each message as ``_("...", name=value)`` or
``_.plural("...", "...", n, ...)`` with ``_ = Messages(language, DOMAIN)``.
Babel extracts those calls; ``update`` merges them into
``locale/<language>/LC_MESSAGES/<domain>.po`` (new messages arrive with an empty
translation, translations of messages still in use are kept); ``compile``
writes the ``.mo`` files the runtime reads; ``check`` lists what is missing.

    python -m evaluation.text.catalogues update [DOMAIN...]  # after adding or changing a message (make messages)
    python -m evaluation.text.catalogues compile   # done by make on install
    python -m evaluation.text.catalogues check     # what tests/test_translations.py asserts
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from evaluation.text.i18n import LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, placeholders

PACKAGE = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "plural": (1, 2)}
_DOMAIN = re.compile(r'^DOMAIN\s*=\s*["\']([a-z_]+)["\']', re.M)
TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)


def sources() -> dict[str, list[Path]]:
    """Domain -> the package files that declare it."""
    found: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        match = _DOMAIN.search(path.read_text(encoding="utf-8"))
        if match:
            found[match.group(1)].append(path)
    return dict(found)


def extract(domain: str, files: list[Path] | None = None) -> Catalog:
    """The messages the code of ``domain`` uses, as a template catalogue."""
    catalog = Catalog(domain=domain, project="gcio-evaluation", charset="utf-8")
    for path in files if files is not None else sources().get(domain, []):
        with path.open("rb"):
            pass
        for lineno, message, comments, context in extract_from_file("python", str(path), keywords=KEYWORDS):
            catalog.add(message, locations=[(str(path.relative_to(PACKAGE.parent)), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def po_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read(language: str, domain: str) -> Catalog | None:
    path = po_path(language, domain)
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=LANGUAGES[language], domain=domain)


def update(domains: list[str] | None = None) -> list[Path]:
    """Merge the extracted messages into every language's ``.po`` (translations kept); all domains by default."""
    written = []
    for domain, files in sources().items():
        if domains and domain not in domains:
            continue
        template = extract(domain, files)
        for language in TRANSLATED:
            catalog = read(language, domain) or Catalog(locale=LANGUAGES[language], domain=domain,
                                                         project="gcio-evaluation", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
            catalog.fuzzy = False
            catalog.obsolete.clear()
            path = po_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, sort_output=False, include_lineno=False)
            written.append(path)
    return written


def compile_all() -> list[Path]:
    """Write the ``.mo`` next to every ``.po``."""
    written = []
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def _ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def _strings(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)


def problems() -> list[str]:
    """Every message without a translation, with a fuzzy one, or whose translation drops or adds a placeholder."""
    out = []
    for domain, files in sources().items():
        template = extract(domain, files)
        for language in TRANSLATED:
            catalog = read(language, domain)
            for message in template:
                if not message.id:
                    continue
                where = f"{language}/{domain}.po"
                found = catalog.get(message.id) if catalog is not None else None
                shown = " | ".join(_ids(message))[:90]
                if found is None or not all(s.strip() for s in _strings(found)):
                    out.append(f"{where}: no translation for {shown!r}")
                    continue
                if found.fuzzy:
                    out.append(f"{where}: fuzzy translation for {shown!r}")
                wanted = set().union(*(placeholders(i) for i in _ids(message)))
                for string in _strings(found):
                    got = placeholders(string)
                    if got != wanted:
                        out.append(f"{where}: placeholders {sorted(got)} instead of {sorted(wanted)} in the "
                                   f"translation of {shown!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:] or ["check"]
    command = args[0]
    if command == "update":  # update [DOMAIN ...]
        for path in update(args[1:] or None):
            print(f"updated {path.relative_to(PACKAGE.parent)}")
    elif command == "compile":
        print(f"compiled {len(compile_all())} catalogues")
    elif command == "check":
        found = problems()
        print("\n".join(found) or "every message has a translation")
        return 1 if found else 0
    else:
        print("usage: python -m evaluation.text.catalogues [update|compile|check]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
