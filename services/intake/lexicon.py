"""Word lists for comparing complaints: slang, stop words, stemmer fixes and problem topics.

Data only. Written for East Java complaints on every channel (SMS and WhatsApp shorthand, call
center summaries, formal e-mail); extend them from real traffic, never from the labelled set.
"""

from __future__ import annotations

from typing import Final


def _set(words: str) -> frozenset[str]:
    """Return the whitespace-separated words of a block of text, as a set."""
    return frozenset(words.split())


# Shorthand and informal spellings -> the standard word(s). Keys are single lower-case tokens.
SLANG: Final[dict[str, str]] = {
    "jl": "jalan", "jln": "jalan", "jalanan": "jalan", "gg": "gang",
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "nggak": "tidak", "ngga": "tidak",
    "tdk": "tidak", "enggak": "tidak", "g": "tidak",
    "yg": "yang", "dgn": "dengan", "dg": "dengan", "dr": "dari", "utk": "untuk", "u": "untuk",
    "sy": "saya", "sya": "saya", "aq": "saya", "aku": "saya", "kmi": "kami",
    "bgt": "banget", "bngt": "banget", "udh": "sudah", "udah": "sudah", "sdh": "sudah",
    "dah": "sudah", "blm": "belum", "krn": "karena", "karna": "karena", "tp": "tapi",
    "jg": "juga", "lg": "lagi", "bs": "bisa", "gmn": "bagaimana", "knp": "kenapa",
    "dpn": "depan", "dkt": "dekat", "deket": "dekat", "sblh": "sebelah", "smp": "sampai",
    "mgg": "minggu", "hr": "hari", "bln": "bulan", "skrg": "sekarang", "kmrn": "kemarin",
    "tlg": "tolong", "mhn": "mohon", "pd": "pada", "dlm": "dalam", "sm": "sama",
    "bener": "benar", "gede": "besar", "gedhe": "besar", "bolong": "lubang",
    "lobang": "lubang", "growong": "lubang", "kubangan": "lubang",
    "mampet": "sumbat", "buntu": "sumbat", "tersumbat": "sumbat",
    "numpuk": "tumpuk", "menggunung": "tumpuk",
    "ambrol": "ambles", "amblas": "ambles", "amblesnya": "ambles",
    "pdam": "pdam", "ledeng": "pdam", "bangjo": "apill", "trafficlight": "apill",
    "pju": "pju", "lpj": "pju", "lampu2": "lampu", "wc": "toilet",
    "sampahnya": "sampah", "tps3r": "tps", "banjirnya": "banjir", "kebanjiran": "banjir",
    "tergenang": "genang", "genangan": "genang", "nggenang": "genang",
    "mati": "mati", "padam": "mati", "kedip2": "kedip", "byarpet": "kedip",
    "sman": "sma", "smpn": "smp", "sdn": "sd", "smkn": "smk", "mtsn": "mts",
    "kel": "kelurahan", "kec": "kecamatan", "ds": "desa", "perum": "perumahan",
    "rt": "rt", "rw": "rw", "no": "nomor", "nmr": "nomor",
    "traffic": "apill", "light": "", "nunggu": "tunggu", "dateng": "datang",
    "nampung": "tampung", "kpn": "kapan", "ngalir": "alir", "blangko": "blanko",
    "suhat": "soekarno hatta", "ayani": "ahmad yani", "dishub": "dishub", "dlh": "dlh", "dkrth": "dlh", "pu": "pupr",
}  # fmt: skip

# Dropped before comparing: grammar words, courtesy, complaint boilerplate, vague time words.
STOPWORDS: Final[frozenset[str]] = _set(
    """
    yang di ke dari dan atau untuk karena tapi juga lagi ini itu ada sudah belum tidak bisa
    akan sangat banget sekali saja pun lah kah dengan pada dalam oleh sama agar supaya jadi
    saya kami kita kamu anda dia mereka nya mohon tolong segera cepat harap lapor adu keluh
    pak bu bapak ibu admin min kak mas mbak gan sob halo hai selamat pagi siang sore malam
    terima kasih makasih hormat salam assalamualaikum wr wb sebut terkait perihal hal mengenai
    warga masyarakat telepon penelepon pelapor informasi info kondisi keadaan sampai hingga
    hari minggu bulan tahun kemarin sekarang tadi sejak selama udah lama sering terus masih
    sedang baru pagi kali jam sudah hampir cukup agak para buat bikin mau ingin minta
    tindak lanjut perhatian pihak terkait dinas instansi pemerintah kota kabupaten kab
    the and of to a is in please sir bro guys pemkot pemkab pemprov rek
    depan dekat sebelah samping belakang arah sekitar tepat persis area daerah wilayah
    nomor tolongin dong deh nih sih kok ya yah wkwk hehe tks thx thanks
    """
)

# Parts of addresses that name no particular place on their own.
GENERIC_PLACE: Final[frozenset[str]] = _set(
    """
    jalan raya gang perumahan desa dusun kelurahan kecamatan blok kampung kota kabupaten rt rw
    nomor selatan utara timur barat tengah indah baru lama asri permai negeri blanko camat lurah
    januari februari maret april mei juni juli agustus september oktober november desember
    surabaya sidoarjo gresik malang batu mojokerto pasuruan jember kediri madiun jatim
    """
)

# Where Sastrawi's stem loses the meaning that matters for telling problems apart.
OVERRIDES: Final[dict[str, str]] = {
    "kerusakan": "rusak", "rusaknya": "rusak", "berlubang": "lubang", "lubangnya": "lubang",
    "pemadaman": "mati", "penerangan": "pju", "perumahan": "perumahan",
    "pengendara": "kendara", "pembuangan": "buang", "tumpukan": "tumpuk",
    "saluran": "saluran", "perbaikan": "baik", "diperbaiki": "baik", "memperbaiki": "baik",
    "sampahnya": "sampah", "pepohonan": "pohon", "penebangan": "tebang",
    "kebocoran": "bocor", "pipanya": "pipa", "jembatannya": "jembatan",
}  # fmt: skip

# Problem topics and the stems that name them. Two complaints naming only disjoint topics are
# never duplicates, however much else (street, landmark, reporter) they share.
TOPICS: Final[dict[str, frozenset[str]]] = {
    name: frozenset(cues.split())
    for name, cues in {
        "road": "lubang aspal retak ambles gelombang tambal paving",
        "street_light": "pju lampu gelap",
        "traffic": "apill macet lintas rambu marka",
        "flood": "banjir genang luap rob",
        "drain": "got selokan saluran drainase gorong sumbat",
        "rubbish": "sampah tps tumpuk buang angkut",
        "water": "pdam keran kran pipa bocor meteran keruh",
        "tree": "pohon tumbang dahan ranting tebang",
        "power": "pln listrik kedip",
        "bridge": "jembatan",
        "health": "puskesmas rsud dokter obat bpjs pasien",
        "records": "ktp kk akta dukcapil ektp kependudukan",
        "aid": "bansos blt pkh bantuan",
        "school": "sekolah ppdb guru zonasi murid siswa",
        "parking": "parkir jukir",
        "vendors": "pkl lapak dagang",
        "noise": "bising berisik suara sound",
        "stray": "anjing liar kucing ular",
        "pollution": "asap bakar limbah cemar",
    }.items()
}
