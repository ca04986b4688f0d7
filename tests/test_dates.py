"""generator/dates.py: English dates whatever the locale, as strftime writes them in C."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from generator import dates


@given(st.dates(min_value=date(1000, 1, 1)))
def test_names_are_what_strftime_gives_in_english(day: date) -> None:
    assert dates.long_date(day) == f"{day:%A, %-d %B %Y}"
    assert dates.day_text(day) == f"{day:%-d %B %Y}"
    assert dates.short_date(day) == f"{day:%a %-d %b}"
    assert dates.month_text(day) == f"{day:%B %Y}"
    assert dates.short_month(day) == f"{day:%b %Y}"


def test_years_before_1000_are_not_padded() -> None:
    assert dates.long_date(date(1, 1, 1)) == "Monday, 1 January 1"
    assert dates.short_month(date(999, 9, 9)) == "Sep 999"


def test_a_week_ends_on_its_sunday_or_on_the_last_day_there_is() -> None:
    monday = date(2026, 5, 25)
    assert dates.week_end(monday) == monday + timedelta(days=6)
    assert dates.week_end(date(9999, 12, 27)) == date(9999, 12, 31)  # its Sunday is in 10000
