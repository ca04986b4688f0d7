"""How pages and feeds write dates: English names whatever the machine's locale, and weeks."""

from __future__ import annotations

from datetime import date

# Not strftime's %A and %B: their names follow the locale the build runs in.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_text(day: date) -> str:
    """29 May 2026"""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date(day: date) -> str:
    """Friday, 29 May 2026"""
    return f"{WEEKDAYS[day.weekday()]}, {day_text(day)}"


def short_date(day: date) -> str:
    """Fri 29 May"""
    return f"{WEEKDAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"


def month_text(day: date) -> str:
    """May 2026, the month of a day."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def short_month(day: date) -> str:
    """Sep 2026"""
    return f"{MONTHS[day.month - 1][:3]} {day.year}"


def week_end(monday: date) -> date:
    """The Sunday of a week, or 9999-12-31 for the last week, whose Sunday would be in 10000."""
    return date.fromordinal(min(monday.toordinal() + 6, date.max.toordinal()))
