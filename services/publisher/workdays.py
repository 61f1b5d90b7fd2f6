"""Working days (hari kerja) between two moments, for the public record and the report.

Why here and not the sla's calendar: services never import each other, and the publisher needs
only a count, not clocks. It takes the `holidays` package directly (national holidays, and
cuti bersama through the GOVERNMENT category), the same source the sla uses, plus the same
kind of local override list; counting is a dozen lines, not worth a shared module in `shared/`
(which holds no domain arithmetic).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import holidays

_SATURDAY = 5


class Calendar:
    """Monday to Friday minus Indonesian holidays, cuti bersama and local days off."""

    def __init__(self, *, utc_offset_hours: int = 7, days_off: Iterable[date] = ()) -> None:
        self._zone = timezone(timedelta(hours=utc_offset_hours))
        self._days_off = frozenset(days_off)

    def local_date(self, moment: datetime) -> date:
        """Return the date of `moment` in the region's time zone."""
        return moment.astimezone(self._zone).date()

    def is_working_day(self, day: date) -> bool:
        """Whether offices work on `day`."""
        if day.weekday() >= _SATURDAY or day in self._days_off:
            return False
        return day not in _national(day.year)

    def working_days(self, start: datetime, end: datetime) -> int:
        """Return the working days after `start`'s date up to and including `end`'s date
        (a case answered the same day took 0; one answered the next working day took 1)."""
        first, last = self.local_date(start), self.local_date(end)
        days = (first + timedelta(days=n) for n in range(1, (last - first).days + 1))
        return sum(1 for day in days if self.is_working_day(day))


@lru_cache(maxsize=32)
def _national(year: int) -> frozenset[date]:
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    return frozenset(found.keys())
