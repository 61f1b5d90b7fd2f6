"""Working-day calendars per region: Monday to Friday, less Indonesian holidays and cuti bersama,
with local overrides, office hours and the region's time zone. Pure: no clients, no clock.

Working time runs only inside office hours on working days. One working day (HK) is one day of
office hours, so "3 HK from Monday 10:00" is Thursday 10:00, and an instant outside office hours
counts from the next opening. Every instant maps to a position on a working-time axis; adding
working time and measuring it are subtraction and addition on that axis, so
`elapsed_days(t, add_days(t, n)) == n` holds exactly.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict, Field, model_validator

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
DEFAULT_CATEGORIES: tuple[str, ...] = (holidays.PUBLIC, holidays.GOVERNMENT)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_HOUR_US = 3_600_000_000


def zone_for_region(region_code: str | None) -> str:
    """Return the usual time zone of a BPS or Kemendagri region code (WIB when unknown)."""
    digits = (region_code or "").replace(".", "")
    province = int(digits[:2]) if digits[:2].isdigit() else 0
    # Maluku and Papua (8x, 9x) keep WIT; Bali and Nusa Tenggara (5x), South, East and North
    # Kalimantan (63-65) and Sulawesi (7x) keep WITA; both code systems agree on these prefixes.
    if province >= 81:
        return WIT
    if 51 <= province <= 59 or 63 <= province <= 65 or 71 <= province <= 79:
        return WITA
    return WIB


class RegionCalendar(BaseModel):
    """How one region works: time zone, office hours, and its own days off and working days."""

    model_config = ConfigDict(frozen=True)

    time_zone: str | None = None  # None: derived from the region code, see `zone_for_region`
    office_open: time = time(8, 0)
    office_close: time = time(16, 0)
    days_off: frozenset[date] = frozenset()  # regional holidays, late decrees
    working_days: frozenset[date] = frozenset()  # working despite the package (or a weekend)
    categories: tuple[str, ...] = DEFAULT_CATEGORIES

    @model_validator(mode="after")
    def _hours_make_a_day(self) -> RegionCalendar:
        if self.office_close <= self.office_open:
            raise ValueError("office_close must be later than office_open")
        return self


class CalendarConfig(BaseModel):
    """Calendars by region code (`35`, `35.78` or `3578`); `default` serves every other region."""

    model_config = ConfigDict(frozen=True)

    default: RegionCalendar = Field(default_factory=RegionCalendar)
    regions: dict[str, RegionCalendar] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Table:
    """Days `first` to `end` (exclusive, days since 1970-01-01 local): whether each is a working
    day, how many working days precede it in the table, and the working days themselves."""

    first: int
    end: int
    working: tuple[bool, ...]
    before: tuple[int, ...]
    dates: tuple[int, ...]


class WorkingCalendar:
    """One region's working time. Thread-safe: lookups read an immutable table that is replaced,
    a year at a time, when an instant falls outside it."""

    def __init__(self, spec: RegionCalendar, *, time_zone: str = WIB) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.time_zone or time_zone)
        self._offset_us = _fixed_offset_us(self.zone)
        self._open_us = _time_us(spec.office_open)
        self._day_us = _time_us(spec.office_close) - self._open_us
        self._lock = threading.Lock()
        self._years: dict[int, frozenset[date]] = {}
        self._table = _Table(0, 0, (), (), ())  # empty: the first lookup builds its years

    def is_working_day(self, day: date) -> bool:
        """Whether `day` (a local date) is a working day of this region."""
        if day in self.spec.working_days:
            return True
        if day.weekday() >= 5 or day in self.spec.days_off:
            return False
        return day not in self._holidays(day.year)

    def is_working_time(self, instant: datetime) -> bool:
        """Whether `instant` falls inside office hours on a working day."""
        local = self._local_us(instant)
        day, in_day = divmod(local, _DAY_US)
        table = self._covering(day, day)
        open_now = 0 <= in_day - self._open_us < self._day_us
        return table.working[day - table.first] and open_now

    def add_days(self, start: datetime, days: float) -> datetime:
        """Return the instant `days` working days (HK) after `start`, in UTC."""
        return self._add(start, round(days * self._day_us))

    def add_hours(self, start: datetime, hours: float) -> datetime:
        """Return the instant `hours` working hours after `start`, in UTC."""
        return self._add(start, round(hours * _HOUR_US))

    def elapsed_days(self, start: datetime, end: datetime) -> float:
        """Return the working days from `start` to `end` (negative when `end` is earlier)."""
        return self._elapsed_us(start, end) / self._day_us

    def elapsed_hours(self, start: datetime, end: datetime) -> float:
        """Return the working hours from `start` to `end` (negative when `end` is earlier)."""
        return self._elapsed_us(start, end) / _HOUR_US

    def _add(self, start: datetime, amount_us: int) -> datetime:
        if amount_us < 0:
            raise ValueError("working time to add must not be negative")
        if amount_us == 0:
            return start.astimezone(UTC)
        local = self._local_us(start)
        day = local // _DAY_US
        table = self._covering(day, day)
        target = self._position(table, local) + amount_us
        while target > len(table.dates) * self._day_us:  # the due day lies beyond the table
            table = self._covering(day, table.end + 366)
            target = self._position(table, local) + amount_us
        return self._instant(table, target)

    def _elapsed_us(self, start: datetime, end: datetime) -> int:
        first, last = self._local_us(start), self._local_us(end)
        table = self._covering(min(first, last) // _DAY_US, max(first, last) // _DAY_US)
        return self._position(table, last) - self._position(table, first)

    def _position(self, table: _Table, local_us: int) -> int:
        """Working microseconds from the table's first day to the local instant."""
        day, in_day = divmod(local_us, _DAY_US)
        index = day - table.first
        done = table.before[index] * self._day_us
        if not table.working[index]:
            return done
        return done + min(max(in_day - self._open_us, 0), self._day_us)

    def _instant(self, table: _Table, position: int) -> datetime:
        """The earliest instant at `position`: a whole number of days ends at the close, not at
        the next opening."""
        index, in_day = divmod(position, self._day_us)
        if in_day == 0 and index > 0:
            index, in_day = index - 1, self._day_us
        local = table.dates[index] * _DAY_US + self._open_us + in_day
        return _EPOCH + timedelta(microseconds=local - self._offset_us)

    def _local_us(self, instant: datetime) -> int:
        if instant.tzinfo is None:
            raise ValueError("a naive datetime has no time zone; pass an aware one")
        return (instant - _EPOCH) // _US + self._offset_us

    def _covering(self, first_day: int, last_day: int) -> _Table:
        table = self._table  # one read: another thread may swap in a larger table meanwhile
        if table.first <= first_day and last_day < table.end:
            return table
        with self._lock:
            table = self._table
            low, high = _year_of(first_day), _year_of(last_day)
            if table.dates:
                low, high = min(low, _year_of(table.first)), max(high, _year_of(table.end - 1))
            self._table = self._build(low, high)
            return self._table

    def _build(self, first_year: int, last_year: int) -> _Table:
        first = date(first_year, 1, 1).toordinal() - _EPOCH_ORDINAL
        end = date(last_year + 1, 1, 1).toordinal() - _EPOCH_ORDINAL
        working = tuple(self.is_working_day(_day_date(day)) for day in range(first, end))
        before, count = [], 0
        for is_working in working:
            before.append(count)
            count += is_working
        dates = tuple(first + i for i, is_working in enumerate(working) if is_working)
        return _Table(first, end, working, tuple(before), dates)

    def _holidays(self, year: int) -> frozenset[date]:
        found = self._years.get(year)
        if found is None:
            days = holidays.country_holidays("ID", years=year, categories=self.spec.categories)
            found = self._years[year] = frozenset(days.keys())
        return found


class Calendars:
    """The calendar of each region, built once per configured region and per time zone."""

    def __init__(self, config: CalendarConfig) -> None:
        self.config = config
        self._specs = {code.replace(".", ""): spec for code, spec in config.regions.items()}
        self._built: dict[str, WorkingCalendar] = {}
        self._lock = threading.Lock()

    def for_region(self, region_code: str | None) -> WorkingCalendar:
        """Return the calendar of a kabupaten/kota, else of its province, else the default."""
        digits = (region_code or "").replace(".", "")
        for key in (digits, digits[:2]):
            spec = self._specs.get(key)
            if spec is not None:
                return self._calendar(key, spec, zone_for_region(key))
        zone = zone_for_region(digits)
        return self._calendar(f"default:{zone}", self.config.default, zone)

    def _calendar(self, key: str, spec: RegionCalendar, zone: str) -> WorkingCalendar:
        found = self._built.get(key)
        if found is None:
            with self._lock:
                found = self._built.setdefault(key, WorkingCalendar(spec, time_zone=zone))
        return found


def _fixed_offset_us(zone: ZoneInfo) -> int:
    """The zone's UTC offset, refused when it changes: Indonesia has kept fixed offsets since
    1964, and a fixed offset keeps the arithmetic to integers."""
    walls = [datetime(year, month, 1) for year in range(1970, 2101, 5) for month in (1, 7)]
    offsets = {zone.utcoffset(wall) for wall in walls}
    if len(offsets) != 1:
        raise ValueError(f"time zone {zone.key} changes its UTC offset; not supported")
    offset = offsets.pop()
    assert offset is not None  # ZoneInfo always knows the offset of an aware instant
    return offset // _US


def _time_us(moment: time) -> int:
    return (
        (moment.hour * 60 + moment.minute) * 60 + moment.second
    ) * 1_000_000 + moment.microsecond


def _day_date(day: int) -> date:
    return date.fromordinal(day + _EPOCH_ORDINAL)


def _year_of(day: int) -> int:
    return _day_date(day).year
