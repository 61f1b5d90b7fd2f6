"""Indonesian text normalisation for keyword matching: pure functions, no I/O."""

from __future__ import annotations

import re
from typing import Final

# Informal spellings and abbreviations seen in complaints (SMS, WhatsApp, social media), mapped
# to the standard word(s) rules are written in. Keys are single tokens.
SLANG: Final[dict[str, str]] = {
    "jl": "jalan",
    "jln": "jalan",
    "jalanan": "jalan",
    "gk": "tidak",
    "ga": "tidak",
    "gak": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "rs": "rumah sakit",
    "rsud": "rumah sakit umum daerah",
    "rsu": "rumah sakit umum",
    "rsj": "rumah sakit jiwa",
    "pkm": "puskesmas",
    "sy": "saya",
    "sya": "saya",
    "bgt": "banget",
    "bngt": "banget",
    "udh": "sudah",
    "udah": "sudah",
    "sdh": "sudah",
    "blm": "belum",
    "krn": "karena",
    "karna": "karena",
    "utk": "untuk",
    "tp": "tapi",
    "dr": "dari",
    "sm": "sama",
    "kpd": "kepada",
    "bpk": "bapak",
    "tlg": "tolong",
    "tolongin": "tolong",
    "mohon2": "mohon",
    "skrg": "sekarang",
    "lg": "lagi",
    "bnyk": "banyak",
    "byk": "banyak",
    "dlm": "dalam",
    "kab": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "ds": "desa",
    "ektp": "ktp",
    "bbrp": "beberapa",
    "hrs": "harus",
    "jg": "juga",
    "aja": "saja",
    "sampe": "sampai",
    "gmn": "bagaimana",
    "knp": "kenapa",
    "org": "orang",
    "pdhl": "padahal",
    "dpt": "dapat",
    "bln": "bulan",
    "thn": "tahun",
    "hr": "hari",
    "min": "admin",
    "mimin": "admin",
    "lampu2": "lampu",
    "pemprov": "pemerintah provinsi",
    "pemkab": "pemerintah kabupaten",
    "pemkot": "pemerintah kota",
}

# Regional words (Javanese, Madurese, Banjar) that carry the topic of a complaint.
REGIONAL: Final[dict[str, str]] = {
    "dalan": "jalan",
    "dalane": "jalan",
    "ndalan": "jalan",
    "jhalan": "jalan",
    "kreteg": "jembatan",
    "kretek": "jembatan",
    "banyu": "air",
    "banyune": "air",
    "aeng": "air",
    "mboten": "tidak",
    "ora": "tidak",
    "kada": "tidak",
    "durung": "belum",
    "wes": "sudah",
    "wis": "sudah",
    "uwis": "sudah",
    "sekolahan": "sekolah",
    "sekolahe": "sekolah",
    "sakola": "sekolah",
    "sakolah": "sekolah",
    "sakulah": "sekolah",
    "omah": "rumah",
    "sampahe": "sampah",
    "lampune": "lampu",
    "bolong": "lubang",
    "nyuwun": "mohon",
    "tulung": "tolong",
    "ulun": "saya",
    "kulo": "saya",
    "aku": "saya",
    "sing": "yang",
    "larang": "mahal",
    "kabeh": "semua",
    "listrike": "listrik",
}

# Frequent misspellings; other near-misses are caught by the rule set's own spelling checker.
TYPOS: Final[dict[str, str]] = {
    "lobang": "lubang",
    "puskemas": "puskesmas",
    "pukesmas": "puskesmas",
    "puskesmass": "puskesmas",
    "rumahsakit": "rumah sakit",
    "ambulan": "ambulans",
    "ambulance": "ambulans",
    "skolah": "sekolah",
    "sekola": "sekolah",
    "antri": "antre",
    "antrian": "antrean",
    "ijin": "izin",
    "perijinan": "perizinan",
    "apotik": "apotek",
    "resiko": "risiko",
    "sertifikat2": "sertifikat",
}

WORDS: Final[dict[str, str]] = {**REGIONAL, **TYPOS, **SLANG}

_REDUPLICATION = re.compile(r"\b([^\W\d_]+)2\b")  # "anak2" is written for "anak-anak"
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")  # three or more of one letter: "rusakkkk"
_SPACES = re.compile(r"\s+")


def _collapse_repeats(text: str) -> str:
    """Shrink runs of 3+ equal letters to one; runs of 2 stay ("saat", "maaf" are words)."""
    return _REPEATS.sub(r"\1", text)


def normalise(text: str) -> str:
    """Return lower-case, punctuation-free text with repeats collapsed and slang expanded."""
    text = text.lower()
    text = _REDUPLICATION.sub(r"\1 \1", text)
    text = _PUNCTUATION.sub(" ", text)
    text = _collapse_repeats(text)
    words = [WORDS.get(word, word) for word in text.split()]
    return _SPACES.sub(" ", " ".join(words)).strip()


def contains_phrase(normalised_text: str, normalised_phrase: str) -> bool:
    """Say whether the phrase occurs in the text as whole words."""
    if not normalised_phrase:
        return False
    return f" {normalised_phrase} " in f" {normalised_text} "
