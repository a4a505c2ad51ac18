"""Figures as people of the active language read them: 1,234.5 in English, 1 234,5 in
French (Django's locale formats, so a third language comes with its own).

CSV cells are not formatted here: they keep digits and a dot, for spreadsheets to read.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

NBSP = "\xa0"


def number(value: float | Decimal, decimals: int = 0) -> str:
    """Grouped thousands and the language's decimal mark; `decimals` places for floats
    (integers and decimals, such as a goal's target, are shown whole)."""
    if not isinstance(value, float):
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    # Django's number_format cuts extra digits (66.666 → "66.66"): round first.
    rounded = round(value, decimals)
    return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)


def percent(value: float, decimals: int = 2) -> str:
    # A no-break space before % in both languages: "12.5 %" must not break over two lines.
    return f"{number(float(value), decimals)}{NBSP}%"
