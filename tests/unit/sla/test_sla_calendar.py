"""The working-day calendar: Lebaran and cuti bersama, year ends, weekends, office hours, time
zones, local overrides, and the arithmetic's laws as properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.sla.calendar import (
    WIB,
    WIT,
    WITA,
    CalendarConfig,
    Calendars,
    RegionCalendar,
    WorkingCalendar,
    zone_for_region,
)

JKT = timezone(timedelta(hours=7))
MKS = timezone(timedelta(hours=8))
JYP = timezone(timedelta(hours=9))
CAL = {
    WIB: WorkingCalendar(RegionCalendar()),
    WITA: WorkingCalendar(RegionCalendar(time_zone=WITA)),
}
CAL[WIT] = WorkingCalendar(RegionCalendar(time_zone=WIT))
JAKARTA = CAL[WIB]


def wib(*args: int) -> datetime:
    """An instant in WIB: wib(2025, 3, 27, 10) is 27 March 2025, 10:00 Jakarta time."""
    return datetime(*args, tzinfo=JKT)


# --- Lebaran and cuti bersama -----------------------------------------------------------------


def test_lebaran_2025_and_its_cuti_bersama_are_days_off() -> None:
    days_off = [date(2025, 3, 28), *(date(2025, 3, 31) + timedelta(n) for n in range(5))]
    assert not any(JAKARTA.is_working_day(day) for day in [*days_off, date(2025, 4, 7)])
    assert JAKARTA.is_working_day(date(2025, 3, 27))
    assert JAKARTA.is_working_day(date(2025, 4, 8))


def test_one_working_day_before_lebaran_2025_lands_after_the_cuti_bersama() -> None:
    start = wib(2025, 3, 27, 10)  # Thursday before Nyepi's cuti bersama and Idul Fitri
    assert JAKARTA.add_days(start, 1) == wib(2025, 4, 8, 10)
    assert JAKARTA.add_days(start, 3) == wib(2025, 4, 10, 10)
    assert JAKARTA.elapsed_days(start, wib(2025, 4, 8, 12)) == pytest.approx(1.25)


def test_lebaran_2026_joins_nyepi_and_idul_fitri() -> None:
    start = wib(2026, 3, 17, 9)  # Tuesday; 18-24 March are Nyepi, Idul Fitri and their cuti
    assert JAKARTA.add_days(start, 1) == wib(2026, 3, 25, 9)
    assert JAKARTA.elapsed_days(start, wib(2026, 3, 25, 9)) == 1.0


def test_cuti_bersama_come_only_with_the_government_category() -> None:
    public_only = WorkingCalendar(RegionCalendar(categories=("public",)))
    assert public_only.is_working_day(date(2026, 3, 18))  # cuti bersama Nyepi
    assert not JAKARTA.is_working_day(date(2026, 3, 18))
    assert public_only.add_days(wib(2026, 3, 17, 9), 1) == wib(2026, 3, 18, 9)


# --- year ends, weekends, office hours -----------------------------------------------------------


def test_christmas_and_new_year_are_skipped() -> None:
    assert JAKARTA.add_days(wib(2025, 12, 24, 12), 2) == wib(2025, 12, 30, 12)
    assert JAKARTA.add_days(wib(2025, 12, 31, 15), 1) == wib(2026, 1, 2, 15)
    assert JAKARTA.elapsed_days(wib(2025, 12, 31, 8), wib(2026, 1, 5, 8)) == 2.0


def test_a_fresh_calendar_extends_backwards_and_forwards_by_year() -> None:
    calendar = WorkingCalendar(RegionCalendar())
    assert calendar.add_days(wib(2030, 1, 2, 9), 1) == wib(2030, 1, 3, 9)
    assert calendar.add_days(wib(2024, 12, 31, 9), 1) == wib(2025, 1, 2, 9)  # before 2030
    assert calendar.elapsed_days(wib(2024, 12, 31, 9), wib(2030, 1, 3, 9)) > 5 * 240


def test_weekends_are_skipped() -> None:
    assert JAKARTA.add_days(wib(2025, 1, 10, 15), 1) == wib(2025, 1, 13, 15)  # Fri -> Mon
    assert JAKARTA.add_days(wib(2025, 1, 11, 11), 1) == wib(2025, 1, 13, 16)  # Sat -> Mon close
    assert JAKARTA.add_days(wib(2025, 1, 10, 14), 0.5) == wib(2025, 1, 13, 10)
    assert JAKARTA.elapsed_days(wib(2025, 1, 10, 16), wib(2025, 1, 13, 8)) == 0.0


def test_time_outside_office_hours_counts_from_the_next_opening() -> None:
    assert JAKARTA.add_days(wib(2025, 1, 13, 7), 1) == wib(2025, 1, 13, 16)
    assert JAKARTA.add_days(wib(2025, 1, 13, 17), 1) == wib(2025, 1, 14, 16)
    assert JAKARTA.add_hours(wib(2025, 1, 13, 15), 2) == wib(2025, 1, 14, 9)
    assert JAKARTA.elapsed_hours(wib(2025, 1, 13, 6), wib(2025, 1, 13, 20)) == 8.0


def test_office_hours_are_configurable() -> None:
    early = WorkingCalendar(RegionCalendar(office_open=time(7, 30), office_close=time(15, 30)))
    assert early.add_hours(wib(2025, 1, 13, 15), 1) == wib(2025, 1, 14, 8)
    assert early.elapsed_days(wib(2025, 1, 13, 7, 30), wib(2025, 1, 13, 11, 30)) == 0.5


def test_adding_nothing_returns_the_same_instant_and_adding_less_is_refused() -> None:
    saturday = wib(2025, 1, 11, 11)
    assert JAKARTA.add_days(saturday, 0) == saturday
    with pytest.raises(ValueError, match="negative"):
        JAKARTA.add_days(saturday, -1)


def test_is_working_time() -> None:
    assert JAKARTA.is_working_time(wib(2025, 1, 13, 8))
    assert not JAKARTA.is_working_time(wib(2025, 1, 13, 16))
    assert not JAKARTA.is_working_time(wib(2025, 1, 11, 10))


# --- time zones ----------------------------------------------------------------------------------


def test_one_instant_is_before_hours_in_wib_and_inside_them_further_east() -> None:
    instant = datetime(2025, 1, 6, 0, 30, tzinfo=UTC)  # Mon 07:30 WIB, 08:30 WITA, 09:30 WIT
    assert CAL[WIB].add_days(instant, 1) == datetime(2025, 1, 6, 16, tzinfo=JKT)
    assert CAL[WITA].add_days(instant, 1) == datetime(2025, 1, 7, 8, 30, tzinfo=MKS)
    assert CAL[WIT].add_days(instant, 1) == datetime(2025, 1, 7, 9, 30, tzinfo=JYP)


def test_the_local_date_decides_the_working_day() -> None:
    instant = datetime(2025, 1, 10, 16, 30, tzinfo=UTC)  # Fri 23:30 WIB, Sat 00:30 WITA
    assert CAL[WIB].add_hours(instant, 1) == datetime(2025, 1, 13, 9, tzinfo=JKT)
    assert CAL[WITA].add_hours(instant, 1) == datetime(2025, 1, 13, 9, tzinfo=MKS)
    sunday_utc = datetime(2025, 1, 12, 23, 30, tzinfo=UTC)  # Mon 08:30 WIT
    assert CAL[WIT].is_working_time(sunday_utc)
    assert not CAL[WIB].is_working_time(sunday_utc)


def test_results_are_utc_and_naive_input_is_refused() -> None:
    assert JAKARTA.add_days(wib(2025, 1, 13, 9), 1).tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        JAKARTA.add_days(datetime(2025, 1, 13, 9), 1)


def test_zones_with_daylight_saving_and_empty_office_days_are_refused() -> None:
    with pytest.raises(ValueError, match="offset"):
        WorkingCalendar(RegionCalendar(time_zone="Europe/Berlin"))
    with pytest.raises(ValueError, match="office_close"):
        RegionCalendar(office_open=time(16), office_close=time(8))


def test_zone_for_region_follows_the_province() -> None:
    assert zone_for_region("35.78") == WIB  # Surabaya
    assert zone_for_region("6501") == WITA  # Bulungan, North Kalimantan
    assert zone_for_region("51") == WITA  # Bali
    assert zone_for_region("62.01") == WIB  # Central Kalimantan
    assert zone_for_region("94.71") == WIT  # Jayapura
    assert zone_for_region(None) == WIB


# --- overrides and the per-region registry -----------------------------------------------------


def test_local_days_off_and_working_days_override_the_package() -> None:
    spec = RegionCalendar(
        days_off=frozenset({date(2025, 1, 14)}), working_days=frozenset({date(2025, 4, 7)})
    )
    local = WorkingCalendar(spec)
    assert local.add_days(wib(2025, 1, 13, 10), 1) == wib(2025, 1, 15, 10)
    assert local.add_days(wib(2025, 3, 27, 10), 1) == wib(2025, 4, 7, 10)  # cuti bersama cancelled
    saturday = date(2025, 1, 18)
    assert WorkingCalendar(RegionCalendar(working_days=frozenset({saturday}))).is_working_day(
        saturday
    )


def test_calendars_pick_the_kabupaten_then_the_province_then_the_default() -> None:
    surabaya = RegionCalendar(days_off=frozenset({date(2025, 5, 30)}))
    kaltara = RegionCalendar(office_open=time(7, 30), office_close=time(15, 30))
    book = Calendars(CalendarConfig(regions={"35.78": surabaya, "65": kaltara}))
    assert book.for_region("3578").spec is surabaya
    assert book.for_region("65.01").spec is kaltara
    assert book.for_region("65.01").zone.key == WITA
    assert book.for_region("94.71").zone.key == WIT
    assert book.for_region(None).zone.key == WIB
    assert book.for_region("35.78") is book.for_region("3578")


# --- properties ----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
zones = st.sampled_from([WIB, WITA, WIT])
day_counts = st.integers(min_value=1, max_value=80)


@given(start=instants, days=day_counts, zone=zones)
def test_adding_working_days_lands_on_a_working_day_in_office_hours(
    start: datetime, days: int, zone: str
) -> None:
    calendar = CAL[zone]
    local = calendar.add_days(start, days).astimezone(calendar.zone)
    assert calendar.is_working_day(local.date())
    assert time(8) < local.time() <= time(16)


@given(start=instants, days=st.floats(min_value=0, max_value=80, allow_nan=False), zone=zones)
def test_elapsed_undoes_add(start: datetime, days: float, zone: str) -> None:
    calendar = CAL[zone]
    assert calendar.elapsed_days(start, calendar.add_days(start, days)) == pytest.approx(
        days, abs=1e-9
    )


@given(a=instants, b=instants, days=day_counts, zone=zones)
def test_adding_is_monotonic_in_the_start(a: datetime, b: datetime, days: int, zone: str) -> None:
    early, late = sorted((a, b))
    assert CAL[zone].add_days(early, days) <= CAL[zone].add_days(late, days)


@given(start=instants, days=day_counts, more=day_counts, zone=zones)
def test_adding_is_monotonic_in_the_amount(
    start: datetime, days: int, more: int, zone: str
) -> None:
    calendar = CAL[zone]
    assert start < calendar.add_days(start, days) < calendar.add_days(start, days + more)


@settings(max_examples=50)
@given(a=instants, b=instants, c=instants)
def test_elapsed_adds_up_and_changes_sign(a: datetime, b: datetime, c: datetime) -> None:
    total = JAKARTA.elapsed_days(a, b) + JAKARTA.elapsed_days(b, c)
    assert total == pytest.approx(JAKARTA.elapsed_days(a, c), abs=1e-9)
    assert JAKARTA.elapsed_days(a, b) == -JAKARTA.elapsed_days(b, a)
