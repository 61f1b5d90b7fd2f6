"""Properties of the redactor over generated text: total, idempotent, no 16-digit run left."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from services.publisher.redaction import Kind, redact

WORDS = [
    "Pak",
    "Bu",
    "nama",
    "saya",
    "Budi",
    "Jl.",
    "Melati",
    "No.",
    "5",
    "RT",
    "03",
    "RW",
    "Gg.",
    "Blok",
    "C-12",
    "NIK",
    "KK",
    "L",
    "1234",
    "AB",
    "at",
    "gmail",
    "dot",
    "com",
    "dr.",
    "RSUD",
    "Kel.",
    "Desa",
    "Hormat",
    "kami,",
    "\n",
    "atas",
    "warga",
    "0812",
    "+62",
    "(031)",
    "😷",
    ",",
]
SIXTEEN = re.compile(r"\d{16}")
noisy_text = st.lists(
    st.one_of(
        st.sampled_from(WORDS), st.text(max_size=6), st.from_regex(r"\d{1,18}", fullmatch=True)
    ),
    max_size=30,
).map(" ".join)
reporters = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=20),
        "nik": st.text(max_size=20),
        "phone": st.text(max_size=16),
        "email": st.text(max_size=20),
        "address": st.text(max_size=30),
    },
)


@settings(max_examples=300, deadline=None)
@given(noisy_text, reporters)
def test_never_raises_and_every_removed_value_came_from_the_text(
    text: str, reporter: dict[str, str] | None
) -> None:
    result = redact(text, reporter)

    # Later passes (see engine.redact) find what an earlier one uncovered, never a placeholder.
    for item in result.removed:
        assert item.value in text
        assert item.kind in Kind


@settings(max_examples=300, deadline=None)
@given(noisy_text)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text).text

    assert redact(once).text == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.from_regex(r"\d{16,20}", fullmatch=True) | st.sampled_from(WORDS), max_size=12))
def test_no_run_of_sixteen_digits_survives(pieces: list[str]) -> None:
    assert not SIXTEEN.search(redact(" ".join(pieces)).text)


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=200))
def test_output_grows_by_at_most_a_placeholder_per_removal(text: str) -> None:
    public = redact(text).text

    assert not SIXTEEN.search(public)
    assert len(public) <= len(text) + 9 * len(redact(text).removed)
