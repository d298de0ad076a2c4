"""Numbers as the reader's locale writes them: ``1.234,5`` in Colombia, ``1,234.5`` in English.

One ``Format`` per report language; every number a report states goes through
it, so a report never mixes conventions. Formats come from CLDR through Babel:
``es_CO`` writes ``1.234,5``, ``25,3 %``, ``COP 4.510.909.699`` and dates as
``dd/mm/aaaa``; English writes ``1,234.5``, ``25.3%``, ``COP 4,510,909,699`` and
ISO dates (``2024-03-05``). Missing values are written as a dash.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal

from evaluation.text.i18n import Messages, check_language, locale_of

DOMAIN = "common"

DASH = "–"


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


@dataclass(frozen=True)
class Format:
    """Number, interval, p-value, percentage, amount, date and year formats of one language."""

    language: str = "es"

    def __post_init__(self):
        object.__setattr__(self, "language", check_language(self.language))

    @property
    def locale(self) -> str:
        return locale_of(self.language)

    @property
    def _(self) -> Messages:
        return Messages(self.language, DOMAIN)

    # numbers -------------------------------------------------------------------------------
    def number(self, value, digits: int = 1) -> str:
        """``value`` with ``digits`` decimals and thousands separators (``1.234,5``)."""
        if _missing(value):
            return DASH
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(round(float(value), digits) + 0.0, format=pattern, locale=self.locale)

    def signed(self, value, digits: int = 1) -> str:
        """``value`` with an explicit sign (``+4,1``, ``-0,3``): for effects and differences."""
        if _missing(value):
            return DASH
        text = self.number(value, digits)
        return text if text.startswith("-") or float(text.replace(",", "").replace(".", "")) == 0 \
            else "+" + text

    def count(self, value) -> str:
        """A whole number with thousands separators (``6.712``)."""
        return DASH if _missing(value) else format_decimal(int(round(float(value))), format="#,##0",
                                                              locale=self.locale)

    def percent(self, share, digits: int = 0) -> str:
        """A share (0.253) as a percentage: ``25,3 %`` (Spanish, with the space CLDR and the RAE use), ``25.3%``."""
        if _missing(share):
            return DASH
        return self.number(float(share) * 100, digits) + (" %" if self.language == "es" else "%")

    def points(self, value, digits: int = 1) -> str:
        """A difference of percentages in percentage points (``+3,2 p. p.`` / ``+3.2 pp``)."""
        return self._("{value} pp", value=self.signed(value, digits))

    def money(self, amount, currency: str = "COP", digits: int = 0) -> str:
        """An amount with its currency code first: ``COP 4.510.909.699``."""
        if _missing(amount):
            return DASH
        return f"{currency} {self.number(amount, digits)}"

    # intervals and tests ---------------------------------------------------------------------
    def interval(self, low, high, digits: int = 1, signed: bool = False) -> str:
        """A confidence interval: ``[3,7; 4,5]`` (Spanish: the comma is the decimal mark) or ``[3.7, 4.5]``."""
        if _missing(low) or _missing(high):
            return DASH
        show = self.signed if signed else self.number
        sep = "; " if self.language == "es" else ", "
        return f"[{show(low, digits)}{sep}{show(high, digits)}]"

    def p_value(self, p) -> str:
        """``p = 0,03``; below 0.001 as ``p < 0,001``."""
        if _missing(p):
            return DASH
        p = float(p)
        if p < 0.001:
            return f"p < {self.number(0.001, 3)}"
        return f"p = {self.number(p, 3 if p < 0.01 else 2)}"

    def confidence(self, alpha: float) -> str:
        """The confidence level of ``alpha`` (``95 %`` / ``95%``)."""
        return self.percent(1 - float(alpha), 0 if abs((1 - alpha) * 100 - round((1 - alpha) * 100)) < 1e-9 else 1)

    # dates and years -------------------------------------------------------------------------
    def date(self, value) -> str:
        """A date: ``05/03/2024`` in Spanish, ``2024-03-05`` in English."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return DASH
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        if isinstance(value, dt.datetime):
            value = value.date()
        if hasattr(value, "to_pydatetime"):
            value = value.to_pydatetime().date()
        if self.language == "es":
            return format_date(value, "dd/MM/yyyy", locale=self.locale)
        return value.isoformat()

    def year(self, value) -> str:
        """A year, never with a thousands separator."""
        return DASH if _missing(value) else str(int(value))

    def years(self, values) -> str:
        """A list of years: ``2019–2023`` when consecutive, else ``2016, 2018 y 2020``."""
        years = sorted({int(v) for v in values if not _missing(v)})
        if not years:
            return DASH
        if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
            return f"{years[0]}–{years[-1]}"
        return self.join([str(y) for y in years])

    def join(self, items) -> str:
        """``a, b y c`` / ``a, b and c``."""
        items = [str(i) for i in items]
        if len(items) <= 1:
            return "".join(items)
        return self._("{first} and {last}", first=", ".join(items[:-1]), last=items[-1])
