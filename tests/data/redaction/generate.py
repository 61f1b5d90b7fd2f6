"""Write generated.jsonl: template complaints with personal data in many written forms.

Run `python tests/data/redaction/generate.py` to rebuild it (deterministic seed). The
hand-written items live in hand.jsonl; both use the same format: {"id", "text", "reporter"
(optional), "expected": [[kind, value], ...] in text order}.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).with_name("generated.jsonl")
COUNT = 220

FIRST = [
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Eko",
    "Sri",
    "Joko",
    "Rina",
    "Wahyu",
    "Nur",
    "Yohanes",
    "Fransiska",
    "Ketut",
    "Made",
    "Ucok",
    "Butet",
    "Asep",
    "Euis",
    "Hendra",
    "Lilis",
    "Andi",
    "Fitri",
    "Bambang",
    "Kurniasih",
    "Teguh",
    "Lestari",
    "Rahmat",
    "Indah",
    "Imam",
    "Suryani",
    "Dedi",
    "Mega",
    "Ahmad",
    "Yuliana",
    "Stevanus",
    "Lie",
    "Hasan",
    "Ayu",
    "Rizal",
    "Wiwik",
]
LAST = [
    "Santoso",
    "Wijaya",
    "Rahayu",
    "Hidayat",
    "Susanti",
    "Pratama",
    "Saputra",
    "Nasution",
    "Simanjuntak",
    "Kusumawati",
    "Haryanto",
    "Wibowo",
    "Setiawati",
    "Siregar",
    "Gunawan",
    "Handoko",
    "Purnomo",
    "Maharani",
    "Hakim",
    "Sulistyo",
    "Tanjung",
    "Halim",
    "Firmansyah",
]
STREETS = [
    "Jl. Mawar",
    "Jalan Kenanga",
    "Jl. Raya Kupang Indah",
    "Jln. Semolowaru Utara",
    "Jl. Dr. Wahidin",
    "jl. kutisari selatan",
    "Jalan Tenggilis Mejoyo",
    "Jl. Pandegiling",
    "Jl. Medokan Ayu",
    "Jl. Klampis Jaya",
    "Jalan Margorejo Indah",
    "Jl. Raya Bogor",
]
PLACES = [
    "Kel. Ketintang",
    "Kelurahan Rungkut Kidul",
    "Desa Sukorejo",
    "Desa Wonoayu",
    "Kel. Tambaksari",
]
ESTATES = [
    "Perumahan Griya Permata",
    "Perum Bumi Asri",
    "Komplek Pondok Indah",
    "Perumahan Taman Sari",
]
AREAS = [
    "Kecamatan Wonokromo",
    "Kabupaten Sidoarjo",
    "Kota Malang",
    "Kec. Gubeng",
    "Kabupaten Jember",
]
INSTITUTIONS = [
    "Dinas PU Bina Marga",
    "RSUD dr. Soetomo",
    "Dispendukcapil",
    "Dinas Lingkungan Hidup",
    "Puskesmas Pucang Sewu",
    "RSUD dr. Iskak",
    "Dinas Perhubungan",
    "Satpol PP",
    "PDAM Surya Sembada",
    "Bapenda Jatim",
    "Samsat Manyar",
    "Dinas Sosial",
    "Kantor Kecamatan Sukolilo",
    "BPBD",
]
LOCATIONS = [
    "Jalan Ahmad Yani",
    "Jl. Basuki Rahmat",
    "Jalan Diponegoro",
    "Bundaran Waru",
    "Terminal Purabaya",
    "Pasar Keputran",
    "Taman Bungkul",
    "Jl. Raya Darmo",
    "alun-alun Sidoarjo",
]
PROBLEMS = [
    "jalan berlubang dan sering bikin pengendara jatuh",
    "lampu jalan mati sudah dua minggu",
    "sampah tidak diangkut sejak lebaran",
    "saluran air mampet dan banjir tiap hujan",
    "ada pungutan liar waktu mengurus surat",
    "pelayanan loket sangat lambat",
    "air PDAM keruh dan berbau",
    "parkir liar memakan badan jalan",
    "pohon besar hampir tumbang",
]
HONORIFICS = ["Bapak", "Ibu", "Pak", "Bu", "pak", "bu", "Mas", "Mbak", "Sdr.", "Sdri.", "Kak"]
REGIONS = ["357801", "357805", "351504", "351511", "357302", "352501", "350702", "350906"]
PLATE_CODES = ["L", "W", "N", "S", "AG", "B", "KT", "DK", "AE", "P", "M"]
DOMAINS = ["gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com", "ymail.com", "surabaya.go.id"]

rng = random.Random(20250301)


def name() -> str:
    """Return a person's name of one or two words."""
    first = rng.choice(FIRST)
    return first if rng.random() < 0.35 else f"{first} {rng.choice(LAST)}"


def nik(female: bool | None = None) -> str:
    """Return a NIK with a plausible structure, in one of its written forms."""
    female = rng.random() < 0.5 if female is None else female
    day = rng.randint(1, 28) + (40 if female else 0)
    digits = f"{rng.choice(REGIONS)}{day:02d}{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}"
    return _grouped(digits + f"{rng.randint(1, 30):04d}")


def kk() -> str:
    """Return a KK number (region, issue date, serial) in one of its written forms."""
    digits = f"{rng.choice(REGIONS)}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(5, 24):02d}"
    return _grouped(digits + f"{rng.randint(1, 99):04d}")


def _grouped(digits: str) -> str:
    """Write 16 digits plain, or in groups of four with spaces, dots or dashes."""
    sep = rng.choice(["", "", "", " ", ".", "-"])
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


def phone() -> str:
    """Return an Indonesian mobile or landline number in one of its written forms."""
    rest = f"{rng.randint(1000, 9999)}{rng.randint(100, 9999)}"
    prefix = f"8{rng.choice(['12', '13', '21', '52', '56', '57', '77', '78', '95', '96'])}"
    forms = [
        f"0{prefix}{rest}",
        f"0{prefix}-{rest[:4]}-{rest[4:]}",
        f"0{prefix} {rest[:4]} {rest[4:]}",
        f"+62 {prefix}-{rest[:4]}-{rest[4:]}",
        f"+62{prefix}{rest}",
        f"62{prefix}{rest}",
        f"0{prefix}.{rest[:4]}.{rest[4:]}",
        f"(031) {rng.randint(500, 899)}{rng.randint(1000, 9999)}",
        f"031-{rng.randint(500, 899)}{rng.randint(1000, 9999)}",
        f"0341 {rng.randint(300, 599)} {rng.randint(100, 999)}",
        f"+62 31 {rng.randint(500, 899)} {rng.randint(1000, 9999)}",
    ]
    return rng.choice(forms)


def email(person: str) -> str:
    """Return an e-mail address made from a name."""
    local = person.lower().replace(" ", rng.choice([".", "_", ""])) + rng.choice(
        ["", "88", "1990", "_sby"]
    )
    return f"{local}@{rng.choice(DOMAINS)}"


def plate() -> str:
    """Return a plate in one of its written forms."""
    code, num = rng.choice(PLATE_CODES), rng.randint(1, 9999)
    suffix = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(rng.randint(1, 3)))
    return rng.choice([f"{code} {num} {suffix}", f"{code}{num}{suffix}", f"{code} {num} {suffix}"])


def address() -> str:
    """Return a house-level address: street with number, maybe RT/RW and kelurahan."""
    rt, rw = rng.randint(1, 15), rng.randint(1, 12)
    parts = rng.choice(
        [
            [f"{rng.choice(STREETS)} No. {rng.randint(1, 200)}"],
            [
                f"{rng.choice(STREETS)} no {rng.randint(1, 99)}{rng.choice(['', 'A', 'B'])}",
                f"RT {rt:02d}/RW {rw:02d}",
            ],
            [f"{rng.choice(STREETS)} Gg. {rng.randint(1, 9)} No. {rng.randint(1, 40)}"],
            [f"RT {rt} RW {rw}", rng.choice(PLACES)],
            [
                f"{rng.choice(ESTATES)} Blok {rng.choice('ABCDFG')}{rng.randint(1, 12)} No. {rng.randint(1, 30)}"
            ],
            [
                f"{rng.choice(STREETS)} No. {rng.randint(1, 99)}",
                f"RT.{rt:03d}/RW.{rw:03d}",
                rng.choice(PLACES),
            ],
            [
                f"Gang {rng.choice(['Mawar', 'Kenari', 'Buntu', 'Masjid'])} {rng.choice(['I', 'II', 'IV'])}",
                f"rt {rt} rw {rw}",
            ],
        ]
    )
    return ", ".join(parts) if rng.random() < 0.6 else " ".join(parts)


Item = tuple[str, list[tuple[str, str]]]


def t_identity() -> Item:
    """A formal complaint that opens with the reporter's identity."""
    person, number, where = name(), nik(), address()
    text = (
        f"Dengan hormat, nama saya {person}, NIK {number}, beralamat di {where}, "
        f"{rng.choice(AREAS)}. Saya ingin melaporkan {rng.choice(PROBLEMS)} di {rng.choice(LOCATIONS)}."
    )
    return text, [("NAMA", person), ("NIK", number), ("ALAMAT", where)]


def t_whatsapp() -> Item:
    """An informal WhatsApp message with a number to call back."""
    number, problem = phone(), rng.choice(PROBLEMS)
    text = rng.choice(
        [
            f"min {problem} di {rng.choice(LOCATIONS)} 😡 tolong dong. kontak sy {number}",
            f"pagi kak, mau lapor {problem}. klo perlu info lbh lanjut wa aja ke {number} ya 🙏",
            f"{problem.capitalize()}!! Sudah lapor ke {rng.choice(INSTITUTIONS)} tapi nihil. Hub {number}",
        ]
    )
    return text, [("TELEPON", number)]


def t_officer() -> Item:
    """A complaint about a named officer, introduced by an honorific."""
    person, hon = name(), rng.choice(HONORIFICS)
    inst = rng.choice(INSTITUTIONS)
    text = rng.choice(
        [
            f"Petugas di {inst}, {hon} {person}, meminta uang tambahan untuk mempercepat berkas.",
            f"Saya dilayani {hon} {person} di {inst}, orangnya kasar dan tidak mau menjelaskan.",
            f"tadi ketemu {hon} {person} di {inst}, katanya berkas sy hilang. gmn ini??",
        ]
    )
    return text, [("NAMA", person)]


def t_kk() -> Item:
    """A civil registration problem that quotes a KK number."""
    number = kk()
    cue = rng.choice(
        ["No. KK", "nomor KK", "Kartu Keluarga", "KK", "no kk", "nomor kartu keluarga"]
    )
    text = (
        f"Data anggota keluarga di {cue} {number} salah, nama anak tidak tercantum. "
        f"Sudah ke {rng.choice(['Dispendukcapil', 'kantor kecamatan', 'kelurahan'])} dua kali."
    )
    return text, [("KK", number)]


def t_nik_bare() -> Item:
    """A NIK quoted with no cue word before it."""
    number = nik()
    text = rng.choice(
        [
            f"Bantuan PKH ibu saya ({number}) dihentikan tanpa alasan.",
            f"Data {number} tidak ditemukan di aplikasi Cek Bansos, mohon dicek.",
        ]
    )
    return text, [("NIK", number)]


def t_plate() -> Item:
    """A traffic complaint with a plate."""
    number = plate()
    text = rng.choice(
        [
            f"Mobil dengan nomor polisi {number} sering parkir di trotoar {rng.choice(LOCATIONS)}.",
            f"Truk {number} menumpahkan tanah di {rng.choice(LOCATIONS)}, jalan licin dan berbahaya.",
            f"bus pariwisata plat {number} ngebut di {rng.choice(LOCATIONS)} hampir nabrak anak sekolah",
        ]
    )
    return text, [("PLAT", number)]


def t_email() -> Item:
    """A reply-to request with an e-mail address."""
    person = name()
    mail = email(person)
    text = (
        f"Mohon jawaban dikirim ke {mail}. Terima kasih atas perhatian {rng.choice(INSTITUTIONS)}.\n\n"
        f"Hormat saya,\n{person}"
    )
    return text, [("EMAIL", mail), ("NAMA", person)]


def t_clean() -> Item:
    """A complaint with no personal data, full of institutions and places."""
    text = (
        f"{rng.choice(PROBLEMS).capitalize()} di {rng.choice(LOCATIONS)}, {rng.choice(AREAS)}. "
        f"Mohon {rng.choice(INSTITUTIONS)} segera menindaklanjuti. Kejadian sejak "
        f"{rng.randint(1, 28)}-{rng.randint(1, 12):02d}-2024 sekitar pukul {rng.randint(6, 22):02d}.{rng.choice(['00', '30'])} WIB."
    )
    return text, []


def t_address_only() -> Item:
    """A neighbourhood complaint with the reporter's house address."""
    where = address()
    text = rng.choice(
        [
            f"Rumah kami di {where} kebanjiran setiap hujan deras karena saluran tersumbat.",
            f"depan rumah sy {where} ada tiang listrik miring mau roboh, bahaya bgt",
            f"Lokasi: {where}. Masalah: {rng.choice(PROBLEMS)}.",
        ]
    )
    return text, [("ALAMAT", where)]


def t_form() -> Item:
    """A structured form with every field."""
    person, number, tel, where = name(), nik(), phone(), address()
    mail = email(person)
    text = (
        f"Nama: {person}\nNIK: {number}\nTelp: {tel}\nEmail: {mail}\nAlamat: {where}\n"
        f"Isi aduan: {rng.choice(PROBLEMS)} di {rng.choice(LOCATIONS)}"
    )
    return text, [
        ("NAMA", person),
        ("NIK", number),
        ("TELEPON", tel),
        ("EMAIL", mail),
        ("ALAMAT", where),
    ]


def t_reporter() -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    """A complaint whose reporter block names the reporter, who signs with a first name."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    tel = phone()
    text = (
        f"Sudah tiga kali saya lapor {rng.choice(PROBLEMS)} di {rng.choice(LOCATIONS)}. "
        f"Tolong kabari {first} di nomor yang terdaftar. Salam, {first}"
    )
    return text, {"name": f"{first} {last}", "phone": tel}, [("NAMA", first), ("NAMA", first)]


TEMPLATES: list[Callable[[], Item]] = [
    t_identity,
    t_whatsapp,
    t_officer,
    t_kk,
    t_nik_bare,
    t_plate,
    t_email,
    t_clean,
    t_address_only,
    t_form,
    t_clean,
]


def main() -> None:
    """Write COUNT items to generated.jsonl."""
    lines = []
    for n in range(COUNT):
        reporter = None
        if n % 12 == 11:
            text, reporter, expected = t_reporter()
        else:
            text, expected = rng.choice(TEMPLATES)()
        item = {"id": f"g{n:03d}", "text": text, "expected": [list(e) for e in expected]}
        if reporter:
            item["reporter"] = reporter
        lines.append(json.dumps(item, ensure_ascii=False))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
