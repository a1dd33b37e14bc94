"""Risk lexicons for Tagalog/Taglish (tl) and Indonesian (id): levels on messages as Filipino
and Indonesian residents, spouses, trainees and students in Japan write them, the hard
negatives (patay na patay, mati lampu, news, someone else), words both languages or English
share, and no change to any other language's results."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.risk import Level, RiskDetector

LANGS = ("tl", "id")
DATA = Path(__file__).parent / "data"

TAGALOG = [
    # high: an act announced with a time, a farewell at a bridge, pills taken, a knife, bleeding
    ("magpapakamatay na ako ngayong gabi, pasensya na sa lahat", Level.HIGH),
    ("nandito na ako sa tulay, paalam na sa inyong lahat", Level.HIGH),
    ("ininom ko na lahat ng sleeping pills ko", Level.HIGH),
    ("papatayin daw ako ng asawa ko, may hawak siyang kutsilyo", Level.HIGH),
    ("mamaya tatalon na ako sa building namin", Level.HIGH),
    ("sinasaktan ako ng danna ko ngayon, tulungan nyo ako", Level.HIGH),
    ("hindi tumitigil ang dugo, naglaslas ako", Level.HIGH),
    # medium: the wish to die or not to live, in text-speak too; cutting; a husband who beats
    ("gusto ko nang mamatay", Level.MEDIUM),
    ("gsto q n mamatay, pagod na q sa lahat", Level.MEDIUM),
    ("ayoko nang mabuhay, wala nang saysay ang buhay ko", Level.MEDIUM),
    ("sana hindi na lang ako nagising", Level.MEDIUM),
    ("naiisip kong magpakamatay minsan", Level.MEDIUM),
    ("naglalaslas ako ulit kagabi", Level.MEDIUM),
    ("binubugbog ako ng asawa ko pag lasing siya", Level.MEDIUM),
    ("shinitai na talaga ako", Level.MEDIUM),  # Japanese in romaji, read by the ja lexicon
    # low: exhausted, alone, sleepless, not wanting to die, a friend's words
    ("pagod na pagod na ako sa buhay", Level.LOW),
    ("wala akong makausap dito sa japan, sobrang lonely", Level.LOW),
    ("di ako makatulog gabi gabi", Level.LOW),
    ("pagod na ako, tsurai talaga dito", Level.LOW),
    ("ayokong mamatay pero ang hirap", Level.LOW),
    ("yung kaibigan ko gusto na raw mamatay, ano gagawin ko", Level.LOW),
    # none: in love, laughing, mum's anger, news, overwork, lights, laundry, a pool
    ("patay na patay ako sa kanya", Level.NONE),
    ("namatay ako sa kakatawa sa video mo", Level.NONE),
    ("papatayin ako ni mama pag nalaman niya", Level.NONE),
    ("nagpakamatay yung artista sa balita kanina", Level.NONE),
    ("nagpapakamatay ako sa trabaho araw araw pero ok lang", Level.NONE),
    ("patayin mo yung ilaw bago ka matulog", Level.NONE),
    ("nasa rooftop ako nagsasampay ng damit", Level.NONE),
    ("mamaya tatalon kami sa pool", Level.NONE),
    ("gusto ko nang umuwi sa pilipinas", Level.NONE),
    ("pagod ako galing trabaho, kakain na ako", Level.NONE),
]

INDONESIAN = [
    # high
    ("malam ini aku mau bunuh diri", Level.HIGH),
    ("aku udah minum semua obat tidur", Level.HIGH),
    ("aku udah minum semua kusuri", Level.HIGH),
    ("gw lagi di atas jembatan, selamat tinggal semuanya", Level.HIGH),
    ("suami aku lagi mukulin aku, tolong", Level.HIGH),
    ("dia ngancam mau bunuh aku", Level.HIGH),
    ("ini pesan terakhirku buat kalian", Level.HIGH),
    # medium
    ("pengen mati aja", Level.MEDIUM),
    ("gw capek hidup, ga kuat lagi", Level.MEDIUM),
    ("ga mau hidup lagi rasanya", Level.MEDIUM),
    ("aku kepikiran bundir terus", Level.MEDIUM),
    ("aku pengen jisatsu", Level.MEDIUM),
    ("udah nyayat tangan lagi semalam", Level.MEDIUM),
    ("aku dipukulin senpai tiap hari di tempat kerja", Level.MEDIUM),
    ("dipukul kantoku tiap hari", Level.MEDIUM),
    # low
    ("aku kesepian banget di jepang", Level.LOW),
    ("udah seminggu gak bisa tidur", Level.LOW),
    ("capek banget sampe mau mati", Level.LOW),
    ("temen aku katanya pengen mati, aku harus gimana", Level.LOW),
    ("aku gak mau mati, tapi hidup berat banget", Level.LOW),
    # none: power cut, flat phone, "I'm done for", hungry, news, hard work, laundry
    ("mati lampu lagi di asrama", Level.NONE),
    ("hp aku mau mati, nanti chat lagi ya", Level.NONE),
    ("mati aku, lupa bawa dompet", Level.NONE),
    ("laper banget mau mati", Level.NONE),
    ("nonton berita bunuh diri di tv tadi", Level.NONE),
    ("bom bunuh diri di berita pagi ini", Level.NONE),
    ("kerja mati-matian demi keluarga", Level.NONE),
    ("aku lagi di atap jemur baju", Level.NONE),
    ("ayam goreng di warung itu enak setengah mati", Level.NONE),
]


# Families of phrasing an independent test set found missing, each in words of its own, with a
# hard negative beside it where one is plausible.
TAGALOG_FAMILIES = [
    # a goodbye and the ones left behind put in someone's care: a plan told in hints
    ("salamat sa lahat. kayo na bahala kay bantay", Level.HIGH),
    ("alagaan nyo si mingming para sa akin. paalam na", Level.HIGH),
    ("pakisabi kay nanay mahal ko siya, tatawag ako bukas", Level.NONE),
    ("paalam na, matutulog na ako", Level.NONE),
    ("salamat sa lahat ng tulong nyo! alagaan nyo ang sarili nyo", Level.NONE),
    # at the platform, the express passing, and giving up
    ("nasa platform ako ng eki, inaantay ko dumaan yung express. suko na ako", Level.HIGH),
    ("nasa platform ako, hinihintay ko yung tren pauwi", Level.NONE),
    # no longer of any use in this world / being here makes no difference / a burden
    ("wala na akong silbi sa mundong ito", Level.MEDIUM),
    ("parang walang pinagkaiba kung nandito ako o wala", Level.MEDIUM),
    ("para saan pa ako nandito kung pabigat lang ako sa pamilya", Level.MEDIUM),
    ("wala akong silbi sa kusina haha", Level.LOW),
    ("wala na akong pera ngayon", Level.NONE),
    # someone at work hits the writer, as a habit
    ("lagi akong sinasampal ng amo ko pag nagkakamali ako", Level.MEDIUM),
    ("binabatukan ako ng senpai ko sa pabrika tuwing nagkakamali", Level.MEDIUM),
    # someone else's self-harm in the past, fine now
    ("yung pinsan ko noon naglalaslas, pero magaling na siya ngayon", Level.NONE),
    ("dati naglalaslas yung bestfriend ko pero okay na siya", Level.NONE),
    # a school paper about suicide
    ("gumagawa ako ng research paper tungkol sa suicide sa japan", Level.NONE),
    # a rope or charcoal bought for the washing line or the grill (and one that is not)
    ("binili ko yung lubid sa daiso para sa sampayan", Level.NONE),
    ("bumili ako ng uling pang-ihaw mamaya", Level.NONE),
    ("bumili na ako ng lubid. paalam", Level.HIGH),
]

INDONESIAN_FAMILIES = [
    ("makasih buat semuanya, tolong jagain kucingku ya", Level.HIGH),
    ("bilang ke ibu aku sayang dia. selamat tinggal", Level.HIGH),
    ("makasih buat semuanya, tolong jagain kucingku selama aku mudik", Level.NONE),
    ("selamat tinggal jepang! sampai ketemu lagi, titip kucingku ya", Level.NONE),
    ("aku di peron stasiun nungguin kereta ekspres lewat, capek sama semuanya", Level.HIGH),
    ("lagi di jembatan liatin sungai, udah gak kuat lagi", Level.HIGH),
    ("aku di peron nungguin kereta lewat, mau ke shinjuku", Level.NONE),
    ("aku di jembatan liatin sungai, indah banget", Level.NONE),
    ("ngapain aku masih ada kalau cuma nyusahin orang tua", Level.MEDIUM),
    ("sama aja ada aku atau gak", Level.MEDIUM),
    ("untuk apa aku masih di dunia ini", Level.MEDIUM),
    ("buat apa aku masih di sini kalau gajinya kecil", Level.NONE),
    ("ngapain aku masih di kantor, udah jam 9", Level.NONE),
    ("kantoku di tempat kerja suka nendang aku kalau telat", Level.MEDIUM),
    ("atasan aku di pabrik selalu nampar aku tiap salah", Level.MEDIUM),
    ("senpai di pabrik sering bantu aku kalau salah", Level.NONE),
    ("senpai di pabrik sering mukul meja kalau marah", Level.NONE),
    ("kakakku dulu pernah nyilet tangan, sekarang udah bahagia", Level.NONE),
    ("sahabatku dulu suka nyayat lengan tapi udah sembuh", Level.NONE),
    ("kakakku dulu suka nyilet tangan, sekarang aku juga nyilet tangan", Level.MEDIUM),
    ("skripsiku tentang bunuh diri di kalangan pelajar", Level.NONE),
    ("keretanya telat karena ada yang bunuh diri di rel", Level.NONE),
    ("lagi nulis esai, tapi jujur aku pengen bunuh diri", Level.MEDIUM),
]


# Families a third independent set found missing: affairs put in order and the end said, an edge
# and a last word, a rope tied up, self-harm as a habit or hidden under long sleeves, no reason
# to get up, a partner or employer who hits on a condition; each with the trip home, the song,
# the scar or the chore that says the same words and is no risk.
TAGALOG_FAMILIES_3 = [
    # a letter left, things given away, and the end said (not before going home)
    (
        "sumulat na ako ng liham para kay mama at tatay. mamayang gabi tapos na ang lahat",
        Level.HIGH,
    ),
    ("pinamigay ko na lahat ng gamit ko sa mga kaibigan ko. paalam sa inyong lahat", Level.HIGH),
    (
        "pinamigay ko na mga damit ko na maliit na, uuwi na ako sa pinas sa susunod na buwan. "
        "salamat sa lahat",
        Level.NONE,
    ),
    ("sumulat ako ng letter sa boss para sa resignation, tapos na ang kontrata ko", Level.NONE),
    # a rope tied to the ceiling, a last message in English words
    ("itinali ko na yung lubid sa kisame ng kwarto, patawarin nyo ako", Level.HIGH),
    ("nakasabit na ang lubid sa biga, last message ko na to", Level.HIGH),
    ("itinali ko ang lubid sa puno para sa duyan", Level.NONE),
    ("last message ko na to sa number na to, bagong phone na ako bukas", Level.NONE),
    # by the sea, on a balcony, at the station, and a last word
    ("nasa tabi ako ng dagat malapit sa daungan, patawad ma", Level.HIGH),
    ("nandito ako sa balkonahe ng ika 9 na palapag, salamat sa lahat", Level.HIGH),
    ("nasa istasyon ako, yung express dadaan sa 2 minuto. sorry sa lahat", Level.HIGH),
    ("nasa tabi ako ng dagat kasama barkada, salamat sa lahat ng sumama", Level.NONE),
    # self-harm on the arm or thigh as a habit, or hidden under long sleeves
    ("hiniwa ko ulit braso ko kagabi, lagi ko ginagawa pag stressed", Level.MEDIUM),
    ("sinusugatan ko hita ko pag galit ako sa sarili ko", Level.MEDIUM),
    ("may mga hiwa sa braso ko, laging naka long sleeves para walang makapansin", Level.MEDIUM),
    ("hiniwa ko ang kamay ko habang nagluluto, ang sakit", Level.NONE),
    ("may peklat ako sa braso galing operasyon, naka long sleeves ako", Level.NONE),
    # no reason to get up, and a burden
    ("wala na akong dahilan para gumising, pabigat lang ako sa asawa ko", Level.MEDIUM),
    # a love song
    ("gusto kong mamatay sa piling mo, sabi ng kanta", Level.NONE),
]

INDONESIAN_FAMILIES_3 = [
    (
        "surat untuk mama udah aku tulis, aku taruh di lemari. malam ini semuanya berakhir",
        Level.HIGH,
    ),
    ("aku udah nulis surat buat adik, besok aku pergi selamanya", Level.HIGH),
    ("barang barangku udah kubagiin ke temen sekamar. maafin aku ya semuanya", Level.HIGH),
    (
        "barang barangku udah kubagiin ke temen, bulan depan pulang ke indonesia. "
        "makasih buat semuanya",
        Level.NONE,
    ),
    ("surat lamaran udah kutulis, besok wawancara. semoga semuanya lancar", Level.NONE),
    ("udah kutelan semua obat penenang, sekarang ngantuk banget", Level.HIGH),
    ("gw udah di tepi sungai deket pabrik, titip salam buat ibu", Level.HIGH),
    ("aku lagi di pinggir laut sendirian, makasih buat semuanya", Level.HIGH),
    ("aku di peron, nunggu kereta ekspres lewat. makasih udah jadi sahabatku", Level.HIGH),
    ("aku lagi di pinggir pantai sama temen temen, makasih buat semuanya guys", Level.NONE),
    ("aku di pinggir sungai mancing, titip salam buat bapak ya", Level.NONE),
    ("udah nyiapin tali di gudang, malam ini selesai semuanya", Level.HIGH),
    ("aku udah ngiket tali di plafon kamar", Level.HIGH),
    ("aku udah ngiket tali di pohon buat ayunan anakku", Level.NONE),
    ("kalo aku ngilang kayaknya gak ada yang peduli", Level.MEDIUM),
    ("kalo aku hilang di shinjuku gak ada yang nyariin, aku buta arah", Level.NONE),
    ("buat apa aku bertahan, cuma jadi beban buat ortu", Level.MEDIUM),
    (
        "bekas sayatan di paha makin banyak, aku pake celana panjang dan jaket terus biar gak "
        "keliatan",
        Level.MEDIUM,
    ),
    ("bekas luka di tangan karena kecelakaan motor, aku pake lengan panjang", Level.NONE),
    ("bos sering nampar kalau aku salah ngitung barang", Level.MEDIUM),
    ("majikan nyuruh kerja 15 jam, kalo protes dipukul", Level.MEDIUM),
    ("aku ingin mati di pelukanmu, kata lagu itu", Level.NONE),
    ('lagu favoritku liriknya "aku ingin mati saja" tapi musiknya ceria', Level.NONE),
]


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return RiskDetector.from_dir()


def test_both_lexicons_are_loaded(detector: RiskDetector) -> None:
    assert set(LANGS) <= set(detector.languages)


@pytest.mark.parametrize(
    ("lang", "text", "level"),
    [
        *(("tl", *case) for case in (*TAGALOG, *TAGALOG_FAMILIES, *TAGALOG_FAMILIES_3)),
        *(("id", *case) for case in (*INDONESIAN, *INDONESIAN_FAMILIES, *INDONESIAN_FAMILIES_3)),
    ],
)
def test_levels(detector: RiskDetector, lang: str, text: str, level: Level) -> None:
    assert detector.assess(text, lang).level == level, detector.assess(text).rules


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("patay na patay ako sa kanya pero gusto ko nang mamatay", Level.MEDIUM),
        ("namatay ako sa kakatawa kanina, pero ngayon ayoko nang mabuhay", Level.MEDIUM),
        ("nagpakamatay yung kapitbahay namin. magpapakamatay na rin ako ngayong gabi", Level.HIGH),
        ("papatayin ako ni mama pag nalaman niya. papatayin daw ako ng asawa ko", Level.HIGH),
        ("mati lampu lagi, pengen mati aja", Level.MEDIUM),
        ("laper banget mau mati. tapi serius, aku capek hidup", Level.MEDIUM),
        ("nonton berita bunuh diri di tv. malam ini aku mau bunuh diri", Level.HIGH),
        ("temen aku katanya pengen mati. aku juga pengen mati", Level.MEDIUM),
    ],
)
def test_exclusions_never_hide_risk_beside_them(
    detector: RiskDetector, text: str, level: Level
) -> None:
    assert detector.assess(text).level == level


@pytest.mark.parametrize(
    "text",
    [
        "The automatic doors at the mall are broken",
        "I bought a pen and a mat at Daiso",
        "Mati and I went to see the NASA exhibition",
        "Gusto is a great restaurant in Shibuya",
        "Mau is my cat's name",
        "my sister is so gusty lol, she said pagod and ate a mango",
    ],
)
def test_words_shared_with_english_stay_none(detector: RiskDetector, text: str) -> None:
    assert detector.assess(text, "en").level == Level.NONE
