"""Word lists the rules lean on: honorifics, positions, and words that are never names.

All entries are lower case; callers compare `word.lower()`. The lists are deliberately
explicit: a reviewer can see why a word was kept or removed.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """Split a whitespace-separated list into a set."""
    return frozenset(text.split())


# Honorifics after which even a lower-case word is taken as a name ("pak budi").
STRONG_HONORIFICS = words(
    """
    bapak bpk bp pak ibu ibuk bu sdr sdri saudara saudari mbak mba mbakyu
    almarhum almarhumah alm almh nyonya ny tuan nona bunda
    """
)
# Honorifics that are also common words (mas = gold, teh = tea, om, kak, dik): the name that
# follows must be capitalised.
WEAK_HONORIFICS = words(
    """
    mas kak kakak dik adik adek dek bang abang cak ning teh kang akang om tante mbah
    uda uni opa oma engkong koh cik ci ko haji hajah hj ustadz ustad ustadzah kyai kiai
    daeng amang acil bli mbok inang opung ompung datuk datuak engku etek
    mak wak uwak pakde pakdhe bude budhe mang bi ceu aa nyai buya abah eyang ajo uwo angku
    ompu pakcik makcik encik nek kek mr mrs ms miss
    brigadir bripda briptu bripka aipda aiptu ipda iptu kompol akbp serda sertu serka serma
    kopda koptu pratu praka letda lettu
    """
)
# Regional words for "I" before a self-introduction ("Ulun Galuh", "Ambo Rusli", "Tiyang I Wayan").
SELF_WORDS = words("saya aku sy kami gue gw ulun ambo tiyang kulo")
# Relatives and acquaintances: a capitalised word right after one of them with a possessive
# ("anak saya Dimas", "tetangga kami Sri", "temannya Tiurma") is a person, named.
RELATIVES = words(
    """
    anak istri suami adik kakak abang tetangga teman kawan sahabat keponakan ponakan cucu
    ayah mertua menantu sepupu paman bibi pacar rekan kakek nenek ipar
    """
)
# Work roles: a listed name right after one is a person even in lower case ("petugas agus").
ROLES = words(
    """
    petugas oknum pegawai staf sopir supir guru dosen bidan perawat dokter satpam mandor kurir
    tukang pedagang penjual pemilik ketua kepala
    """
)
# Academic and professional titles written before a name ("dr. Andi", "Ir. Joko").
TITLES = words("dr drg dr. ir drs dra prof h kh hj")
# Positions that may stand between an honorific and a name ("Pak Lurah Slamet") and that
# stay in the public text: they are roles, not identities. After an honorific, most name an
# office of a place ("Pak Camat Gubeng"): nothing after them is taken (a listed name is,
# by gazetteer.py).
POSITIONS = words(
    """
    lurah camat kades kepala kadis kabid kasi kasubag sekdes carik kadus kasun bupati wabup
    walikota wali wakil gubernur wagub dokter dr bidan mantri perawat suster guru kepsek
    polisi satpam petugas pegawai staf staff operator sopir supir kernet driver ojol kurir
    rt rw ketua pj plt direktur dirut manajer manager kapolsek kapolres danramil babinsa
    bhabinkamtibmas linmas hansip satpol pp pol pengawas mandor kontraktor pemilik juragan
    dewan anggota sekretaris bendahara kepdes ustadz takmir modin presiden wapres menteri
    """
)
# Words that often follow "Ibu"/"Bapak" and the like without being a name.
NOT_NAMES = words(
    """
    kota pertiwi negara hamil menyusui muda rumah tangga saya kami kita aku ulun ambo tiyang kulo
    gue gua sy aq q dia beliau mereka anda kalian semua sekalian sekeluarga dan atau yang
    yg dgn dengan juga jg itu ini tsb tersebut tadi td sendiri pula lain lainnya
    dulu lagi lg sih dong deh kok ya yah kan loh lho nih tuh aja saja kah pun nya
    ibu bapak bapak2 ibu2 bapak-bapak ibu-ibu para seorang salah satu beberapa banyak
    warga penjual pedagang pembeli pasien anak anaknya suami istri bayi balita lansia
    tua tetangga teman kawan rekan keluarga mertua paman bibi kakek nenek cucu
    mohon tolong minta harap terima kasih makasih mksh trims tq thanks thx maaf permisi
    selamat salam assalamualaikum pagi siang sore malam sudah sdh udah udh belum blm
    tidak tdk gak ga nggak ngga enggak bukan jangan jgn bilang katanya kata mengatakan
    menyampaikan bahwa datang pergi pulang marah minta meminta menunggu tunggu ditunggu
    punya memiliki ada tak bisa dapat harus mau akan sedang lagi masih pernah baru
    di ke dari pada untuk utk buat bagi oleh sama ama kepada kpd tentang soal karena krn
    tapi tp namun serta kalau kalo klo jika bila agar supaya sampai hingga sejak selama
    sebagai selaku atas nama
    penanggung jawab pejabat pimpinan pemerintah kantor dinas desa kelurahan kecamatan
    kabupaten provinsi pusat daerah negeri swasta umum
    yth terhormat hormat rt rw no nomor nik kk hp wa telp telepon email
    orang kandung admin min mimin tim panitia pengurus karang taruna komunitas yayasan paguyuban forum
    kelompok pkk lsm organisasi dinas badan pemkot pemkab pemprov pemda rsud puskesmas
    sekolah universitas kampus pasar terminal polsek polres koramil bumdes
    """
)
# Positions of a person who serves people, not a territory: after an honorific the
# capitalised word that follows is the person's name ("Pak Guru Yakub", "Bu Bidan Rina").
PERSONAL_POSITIONS = words(
    """
    guru dokter bidan mantri perawat suster ustadz ustad sopir supir satpam mandor juragan
    kernet ojol kurir modin takmir polisi
    """
)
# Words that qualify such a position and are no name ("Pak Guru Honorer", "Bu Bidan Desa").
POSITION_QUALIFIERS = words(
    """
    agama olahraga honorer kelas desa gigi umum jaga piket les ngaji mengaji pns ppk ppkn
    bahasa matematika ipa ips seni tk sd smp sma smk paud kampung puskesmas sekolah baru
    lama muda senior kepala wali bk
    """
)
# Function words and fillers that end a name or a street name when reached.
STOPWORDS = words(
    """
    yang yg dan atau di ke dari pada untuk utk buat bagi oleh dengan dgn sama ama kepada kpd
    itu ini tsb tersebut tadi td juga jg sudah sdh udah udh belum blm tidak tdk gak ga nggak
    ngga enggak bukan jangan jgn akan sedang lagi lg masih pernah baru bisa dapat harus mau
    karena krn tapi tp namun serta kalau kalo klo jika bila agar supaya sampai hingga sejak
    selama sebagai selaku bahwa sih dong deh kok ya yah kan loh lho nih tuh aja saja kah pun
    mohon tolong minta harap terima kasih makasih saya kami kita aku gue gua sy dia beliau
    mereka anda bilang katanya kata ada tak sangat sekali banget bgt sdg
    """
)
# Words before "dr."/"Dr." that make it part of an institution's name (RSUD dr. Soetomo).
INSTITUTION_WORDS = words(
    """
    rsud rs rsu rsia rsup rsj sakit puskesmas klinik jl jl. jln jln. jalan gedung
    universitas univ stadion bandara museum taman lapangan terminal pelabuhan gor sekolah
    smp sma smk sd yayasan masjid gelora monumen makam
    """
)
# Words before a capitalised run that make it a place, building or firm, not a person, even
# when the run holds a person's name: "Jl. Ahmad Yani", "Masjid Agung", "SMA Santa Maria",
# "Toko Bunga Indah", "Universitas Hasanuddin". Acronyms (SMA, CV, PDAM) count as well.
PLACE_WORDS = INSTITUTION_WORDS | words(
    """
    jl jln jalan gg gang lorong gedung pasar toko warung kios apotek hotel wisma losmen
    restoran resto kafe cafe bengkel salon ruko perumahan perum komplek kompleks blok
    kampung kp dusun dsn desa ds kelurahan kel kecamatan kec kabupaten kab kota provinsi
    banjar nagari jorong gampong sungai gunung pantai pulau danau teluk tanjung bukit
    jembatan bendungan waduk tol bundaran alun-alun simpang gereja pura vihara klenteng
    musholla mushola langgar surau pondok pesantren ponpes madrasah akademi institut
    politeknik kampus stasiun halte pangkalan kantor bank koperasi perusahaan pabrik
    santa santo sint st mall plaza tugu patung pt cv ud tb tk
    perumnas griya cluster klaster kavling asrama rusun rusunawa lingkungan lingk lr
    """
)
# "Rumah" is a building's name only before one of these ("Rumah Sakit", "Rumah Makan Sari
# Ayu", "Rumah Susun"); before a person it is that person's house ("rumah Abdul Gani").
HOUSE_KINDS = words(
    """
    sakit susun dinas ibadah makan singgah potong duka adat tahanan jompo bersalin sehat
    belajar pintar produksi kreatif budaya zakat pompa
    """
)
# Days, months and compass points: capitalised in running text, never a given name before a family name.
CALENDAR = words(
    """
    senin selasa rabu kamis jumat jum'at sabtu minggu ahad januari februari maret april mei
    juni juli agustus september oktober november desember
    utara selatan timur barat tengah
    """
)
# Adverbs and auxiliaries: a lower-case name ends before one ("namanya jefri sering ...").
ADVERBS = words(
    """
    sering selalu suka kadang jarang biasa biasanya terus malah cuma hanya cm sempat
    langsung memang emang mulai tiba katanya udah udh sudah sdh lagi lg masih msh pernah
    baru sedang sdg juga jg yg yang itu ini tuh nih kok sih dong
    """
)
# Listed names that are also everyday words or parts of place, shop and firm names: alone
# they are not taken; beside another listed name or after a cue they are ("Sari Wulandari").
COMMON_WORD_NAMES = words(
    """
    indah jaya sari bunga agung murni mulia putri putra ayu bagus baru harapan lestari
    kartika permata cahaya mawar melati bintang rahayu sentosa makmur abadi utama mandiri
    raya budi teguh wahyu surya fajar bayu yoga bima dharma mega dian intan kurnia rahmat
    karya karsa karta sukma kusuma kusumo wijaya tanjung koto melayu dewa ida gusti raden
    roro nyi imam habib said salim saleh amin nur nurul hakim bangun purba barus turnip
    jambak mandailing pili lan hang ping ding lay hong mei siang lili rosa clara grace
    galuh utuh cucu asih arum endah sugeng bejo aji arif darmo candra widya kartini fitri
    gita umi pratama made gede putu baso akbar syukur rahim muslimin ajang merang abu
    hasanah yasin qori firdaus ilham supit lengkong rante samosir dame horas yoyo torang aran
    desak ramadhan hafidz hafiz sarmi
    """
)
# Indonesian plate region codes (registration area prefixes), plus RI and CD.
PLATE_CODES = words(
    """
    a b d e f g h k l m n p r s t w z aa ab ad ae ag ba bb bd be bg bh bk bl bm bn bp
    da db dd de dg dh dk dl dm dn dp dr ds dt dw ea eb ed kb kh kt ku pa pb pg pt ri cd
    """
)
# Everyday words that, lower case, are not taken as a name even after a strong cue
# ("nama saya budi tinggal di ..."): verbs, adjectives and nouns common in complaints.
COMMON = NOT_NAMES | words(
    """
    tinggal ingin pengen pgn mau lapor melapor melaporkan mengadu mengadukan mengeluh
    mengeluhkan menyampaikan sampaikan adalah merupakan asal berasal kerja bekerja domisili
    beralamat alamat rumah jalan jln jl gang gg desa dusun kampung perumahan perum komplek
    blok kelurahan kel kecamatan kec kabupaten kab kota provinsi nomor no umur usia tahun thn
    bulan hari minggu jam pukul tanggal tgl kemarin kemaren besok sekarang skrg hari ini
    baik buruk rusak parah berlubang bocor mati macet banjir kotor bau sampah jalan got
    selokan lampu air listrik pln pdam sekolah anak pasien warga pelapor korban saksi
    yang tersebut dimaksud terlampir berikut sebagai pemilik penyewa pengguna pengendara
    sopir ojol ojek mobil motor truk bus angkot kendaraan plat nopol polisi
    mohon tolong segera cepat lambat lama pelayanan layanan petugas pegawai oknum
    pungli pungutan liar biaya bayar membayar dibayar uang rp ribu juta
    via lewat nomer hp wa whatsapp telp email surel ktp nik kk kartu keluarga
    dgn dengan sdh sudah blm belum ok oke siap iya ya tidak
    """
)
