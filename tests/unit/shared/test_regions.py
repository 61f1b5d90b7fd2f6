"""Region codes: both written forms in, one canonical form out."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.events import Location
from shared.regions import RegionCode, canonical_region, province_of

CODES = TypeAdapter(RegionCode)


@pytest.mark.parametrize(
    ("given", "canonical"),
    [("3578", "35.78"), ("35.78", "35.78"), ("35", "35"), (" 6501 ", "65.01")],
)
def test_both_forms_become_the_dotted_form(given: str, canonical: str) -> None:
    assert canonical_region(given) == canonical


@pytest.mark.parametrize("bad", ["357", "35.7", "35-78", "3578.01", "", "ab"])
def test_malformed_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="region code"):
        canonical_region(bad)
    with pytest.raises(ValidationError):
        CODES.validate_python(bad)


def test_the_type_and_the_event_location_canonicalise() -> None:
    assert CODES.validate_python("3578") == "35.78"
    assert Location(region_code="3578").region_code == "35.78"
    assert province_of("3578") == "35"
