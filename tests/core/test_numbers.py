"""Figures read as each language writes them."""

from __future__ import annotations

from django.utils import translation

from hubbub.core.numbers import number, percent


def test_english_groups_with_commas_and_a_decimal_point() -> None:
    with translation.override("en"):
        assert number(1234567) == "1,234,567"
        assert number(1234.5, 2) == "1,234.50"
        assert percent(66.666) == "66.67\xa0%"


def test_french_groups_with_spaces_and_a_decimal_comma() -> None:
    with translation.override("fr"):
        assert number(1234567) == "1\xa0234\xa0567"
        assert number(1234.5, 2) == "1\xa0234,50"
        assert percent(3.6) == "3,60\xa0%"


def test_rounding_is_not_truncation() -> None:
    with translation.override("en"):
        assert number(2.675, 1) == "2.7"
        assert number(0.999, 2) == "1.00"
