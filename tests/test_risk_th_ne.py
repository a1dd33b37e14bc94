"""Risk lexicons for Thai (th) and Nepali (ne): levels on realistic messages, figurative and
third-person uses, word edges in scripts where \\b does not work, and no change to any other
language's results."""

from __future__ import annotations

import pytest

from bot.risk import Level, RiskDetector

NEW_LANGUAGES = ("th", "ne")

THAI = [
    # high: an act or plan now, pills taken, a farewell, a height, violence or a threat now
    ("คืนนี้จะฆ่าตัวตาย", "high"),
    ("พรุ่งนี้หนูจะไปตาย", "high"),
    ("ตัดสินใจแล้วว่าจะไปกระโดดตึก", "high"),
    ("ตอนนี้ยืนอยู่บนดาดฟ้า", "high"),
    ("กินยานอนหลับไปทั้งแผงแล้ว", "high"),
    ("กินพาราไป 30 เม็ด", "high"),
    ("เขียนจดหมายลาตายเสร็จแล้ว", "high"),
    ("ขอโทษทุกคนนะ ลาก่อน", "high"),
    ("เลือดไหลไม่หยุด", "high"),
    ("พ่อกำลังตีหนูอยู่ ช่วยด้วย", "high"),
    ("สามีขู่ว่าจะฆ่าฉัน", "high"),
    ("โดนนายจ้างขังไว้ในห้อง ออกไม่ได้", "high"),
    # medium: the wish to die or not to live, self-harm, abuse that goes on
    ("อยากตาย", "medium"),
    ("อยากตายยยยย", "medium"),
    ("ทำไมอยากตาย", "medium"),  # ทำไม ends in ไม, which must not read as ไม่ (not)
    ("ไมอยากมีชีวิตอยู่แล้ว", "medium"),  # ไม่ typed without its tone mark
    ("บ่อยากอยู่แล้ว", "medium"),  # Isan
    ("อยากหายไปจากโลกนี้", "medium"),
    ("เหนื่อยจนอยากตาย", "medium"),  # not a light figure: tired enough to want to die
    ("อยากตาย 555", "medium"),  # laughing does not make the wish a joke
    ("กรีดแขนอีกแล้ว", "medium"),
    ("ฉันโดนสามีทำร้าย", "medium"),
    ("พ่อตีหนูทุกวัน", "medium"),
    ("ไม่อยากตาย แต่ไม่อยากอยู่แล้ว", "medium"),
    ("ขำจะตาย อยากตายจริงๆนะ", "medium"),
    # low: distress, negation, someone else, hyperbole
    ("ฉันรู้สึกเหงามาก ไม่มีเพื่อนเลย", "low"),
    ("นอนไม่หลับทุกคืน", "low"),
    ("โดนแกล้งที่โรงเรียน", "low"),
    ("ไม่อยากตาย", "low"),
    ("เพื่อนหนูบอกว่าอยากตาย", "low"),
    ("ถ้าสอบตกจะฆ่าตัวตาย", "low"),
    # none: figurative, news, games, someone else's death, other meanings of the same words
    ("ขำจะตาย", "none"),
    ("เหนื่อยจะตาย", "none"),
    ("ร้อนจะตายอยู่แล้ว", "none"),
    ("อายจนอยากตาย", "none"),
    ("พรุ่งนี้สอบ ตายแน่ๆ", "none"),
    ("ตายแล้ว ลืมการบ้าน", "none"),
    ("อยากไปหาตายาย", "none"),  # ตายาย (grandparents) holds ตาย
    ("เพื่อนฉันฆ่าตัวตายเมื่อปีที่แล้ว", "none"),
    ("ข่าวฆ่าตัวตายในญี่ปุ่น", "none"),
    ("สายด่วนป้องกันการฆ่าตัวตาย", "none"),
    ("เล่นเกมแล้วตายบ่อยมาก", "none"),
    ("แม่กำลังตีไข่", "none"),  # whisking eggs
    ("ตีสองแล้วยังไม่นอน", "none"),  # 2 a.m.
    ("พ่อกำลังเตะบอล", "none"),
    ("กินยาหมดแผงแล้ว ต้องไปหาหมอ", "none"),  # finished the strip, needs a new one
    ("แม่จะฆ่าหนูแน่ถ้ารู้ว่าสอบตก", "none"),
    ("ยืนอยู่บนดาดฟ้าถ่ายรูปกับเพื่อน", "none"),
    ("ซื้อจี้แขวนคอให้แม่", "none"),  # a pendant
    ("นายจ้างไม่จ่ายเงินเดือน", "none"),
]

NEPALI = [
    # high
    ("आज राति म मर्छु", "high"),
    ("अब आत्महत्या गर्छु", "high"),
    ("सबैलाई अलविदा", "high"),
    ("छतमा उभिएको छु", "high"),
    ("निद्राको औषधि सबै खाएँ", "high"),
    ("रगत रोकिँदैन", "high"),
    ("बुबाले मलाई कुट्दैछ", "high"),
    ("मलाई मार्छु भन्यो", "high"),
    ("aaja rati ma marchu", "high"),
    ("aba suicide garxu", "high"),
    ("dherai chakki khaye", "high"),
    ("chhat ma ubhiyeko chu", "high"),
    ("malai ahile kutdai xa", "high"),
    # medium
    ("म मर्न चाहन्छु", "medium"),
    ("म मर्न चाहन्छु भन्ने लाग्छ", "medium"),  # \b would fail after the vowel sign of छु
    ("मलाई मर्न मन लाग्छ", "medium"),
    ("बाँच्न मन छैन", "medium"),
    ("बाच्न मन छैन", "medium"),  # without chandrabindu
    ("ब्लेडले हात काटेँ", "medium"),
    ("श्रीमानले दिनहुँ कुट्छ", "medium"),
    ("marna man lagyo", "medium"),
    ("mrna mn lagxa", "medium"),
    ("bachna man chhaina", "medium"),
    ("baachna mann 6aina", "medium"),
    ("life ko kunai meaning xaina", "medium"),
    ("suicide garna man lagyo", "medium"),
    ("tencho le malai hirkauxa", "medium"),  # mixed with Japanese work words
    # low
    ("मलाई धेरै एक्लो महसुस हुन्छ", "low"),
    ("निद्रा लाग्दैन", "low"),
    ("eklo feel hunchha, ghar ko yaad aayo", "low"),
    ("marna man chaina", "low"),
    ("मर्न चाहन्न", "low"),
    ("mero saathi le marna man lagyo bhanyo", "low"),
    # none
    ("हाँसेर मरें", "none"),
    ("भोकले मर्न लाग्यो", "none"),
    ("bhok le marna lagyo", "none"),
    ("garmi le ma ta marchu", "none"),
    ("la maryo", "none"),
    ("ला मर्‍यो", "none"),  # with the zero-width joiner of र्‍
    ("pubg khelda pheri mariyo", "none"),
    ("आत्महत्या रोकथाम दिवस", "none"),
    ("मेरो साथीले गत वर्ष आत्महत्या गर्‍यो", "none"),
    ("हजुरबुबा मर्नुभयो", "none"),  # someone else died (honorific), in the past
    ("tarkari katda haat katiyo", "none"),  # cut while chopping vegetables
    ("man lagyo ghumna jana", "none"),
    ("कम्पनीले तलब दिएन", "none"),
]

# Families of phrasing an independent test set found missing: for each, a message in other
# words than the one it missed, and a hard negative that shares its surface but not its meaning.
FAMILIES = [
    # cut too deep, and the blood will not stop
    ("th", "ใช้ใบมีดไปอีกแล้ว ห้ามเลือดไม่อยู่", "high"),
    ("th", "กรีดข้อมือ เลือดไม่ยอมหยุด", "high"),
    ("th", "เลือดกำเดาไหลไม่หยุด", "none"),  # a nosebleed
    ("th", "กรีดยางตอนเช้า มือเหนื่อยมาก", "none"),  # rubber tapping
    # a partner or employer hits the writer every time, wherever each is said
    ("th", "ผัวเมาแล้วต่อยหนู เป็นแบบนี้ทุกครั้ง", "medium"),
    ("th", "แม่ดูมวยต่อยกันทุกวัน", "none"),
    # the visa or passport held or tied, and hitting or no escape (migrant workers)
    ("th", "นายจ้างยึดพาสปอร์ตไว้ หนีไม่ได้", "medium"),
    ("th", "แฟนเก็บไซริวการ์ดไว้ แล้วก็ตบหนู", "medium"),
    ("th", "วีซ่าผูกกับบริษัท ไม่รู้จะไปไหนดี", "none"),
    # why go on living, with or without tone marks
    ("th", "ไม่รู้จะอยู่ต่อไปเพื่ออะไร", "medium"),
    ("th", "มีชีวิตอยูไปทำไม", "medium"),
    ("th", "ไม่รู้จะไปไหนดี", "none"),
    # all the pills taken, and drifting off
    ("ne", "औषधि जति थियो सबै खाएँ, अब रिंगटा लाग्यो", "high"),
    ("ne", "goli ko patta nai sabai nile, ringata lagyo", "high"),
    ("ne", "30 wata sleeping pills khaisake", "high"),
    ("ne", "medicine khaye, dherai nidra lagyo", "none"),
    ("ne", "bhat dherai khaye, aba nidra lagna thalyo", "none"),
    # someone armed saying they will kill, and the writer hiding
    ("ne", "उसले चक्कु बोकेको छ, म दराजपछाडि लुकेकी छु", "high"),
    ("ne", "दाइले आमालाई मारिदिन्छु भन्दैछ", "high"),
    ("ne", "लुकामारी खेल्दा खाटमुनि लुकेको छु", "none"),  # hide and seek
    ("ne", "चक्कु लिएर तरकारी काट्दैछु", "none"),
    # at the water or a bridge, and no coming back
    ("ne", "खोलाको किनारमा बसेँ, अब फर्किन्न", "high"),
    ("ne", "nadi ko kinar ma baseko chu, aba farkine chaina", "high"),
    ("ne", "samundra ko kinar ma ghumna aayau, bholi ghar pharkinchhau", "none"),
    ("ne", "pul ma chau, ghar pharkina dhilo hola", "none"),
    # cutting with a blade, as a habit
    ("ne", "पाखुरामा कटरले कोर्छु", "medium"),
    ("ne", "नङ काट्ने बानी छ", "none"),
    ("ne", "ब्लेडले कागज काटेँ", "none"),
    # no one would notice or mind if I were gone
    ("ne", "म मरे पनि कसैलाई केही फरक पर्दैन", "medium"),
    ("ne", "ma nabhaye pani kasai lai farak pardaina", "medium"),
    ("ne", "म नभए पनि मिटिङ चल्छ", "none"),
    # wishing not to wake up
    ("ne", "कहिल्यै नउठ्ने गरी सुत्न मन छ", "medium"),
    ("ne", "aja rati sute pachi na uthe ni hunthyo", "medium"),
    ("ne", "bholi bihana chhito uthnu naparey hunthyo", "none"),
    # an employer beats the writer as a habit; the passport kept
    ("ne", "साहुले रक्सी खाएपछि पिट्छ, रोकिँदैन", "medium"),
    ("ne", "राहदानी मालिकले खोसेर राखेको छ, भाग्न सक्दिन", "medium"),
    ("ne", "भिसा नवीकरणका लागि पासपोर्ट कम्पनीसँग छ", "none"),
    ("ne", "मालिकले हरेक दिन तलब ढिलो दिन्छ", "none"),
    # a school report or essay about suicide; the writer's own thoughts are not that
    ("ne", "आत्महत्याको बारेमा निबन्ध लेख्नु छ", "none"),
    ("ne", "school ma suicide barema presentation cha", "none"),
    ("ne", "आत्महत्या सम्बन्धी सोच बारम्बार आउँछ", "medium"),
    ("ne", "आत्महत्या सम्बन्धी रिपोर्ट पढें, म पनि मर्न मन लाग्छ", "medium"),
]

# Families a third independent set found missing, each in new words, with hard negatives that
# share the surface. Farewells are what turn a place, charcoal or a letter into a plan.
FAMILIES_FROM_THE_THIRD_SET = [
    # th: no one would notice if I were gone; better to vanish
    ("th", "ถ้าหนูตายไป ก็คงไม่มีใครเสียใจ", "medium"),
    ("th", "รู้สึกว่าหายไปจากโลกนี้ดีกว่า", "medium"),
    ("th", "ถ้าหายไปเที่ยวสักพัก คงไม่มีใครว่า", "none"),
    ("th", "คิดว่าไปเที่ยวดีกว่า", "none"),
    # th: typed without tone marks, and romanised
    ("th", "ไมรูจะอยูตอไปทำไม", "medium"),
    ("th", "mai yaak mee chiwit laew", "medium"),
    ("th", "yoo pai tham mai", "medium"),
    ("th", "รองไหทุกคืน", "low"),
    # th: marks made on oneself, hidden; pills hoarded
    ("th", "มีรอยที่ทำตัวเองเต็มแขน เลยต้องใส่แขนยาว", "medium"),
    ("th", "แอบสะสมยานอนหลับมาหลายเดือนแล้ว", "medium"),
    ("th", "ใส่แขนยาวปิดรอยสัก เวลาไปทำงาน", "none"),
    ("th", "เก็บยาแก้ปวดไว้ในกระเป๋าเผื่อปวดหัว", "none"),
    # th: charcoal and a sealed room
    ("th", "จุดถ่านแล้ว ปิดประตูหน้าต่างเรียบร้อย", "high"),
    ("th", "ซื้อถ่านมาแล้ว พรุ่งนี้ย่างหมูกัน", "none"),
    ("th", "ซื้อถ่านไฟฉายมาแล้ว ปิดหน้าต่างหมดแล้ว", "none"),
    # th: a letter left, and going tonight; at the water with a message left for mother
    ("th", "เขียนจดหมายถึงครอบครัวเสร็จแล้ว คืนนี้จะไปแล้ว", "high"),
    ("th", "นั่งอยู่ริมแม่น้ำคนเดียว ฝากบอกแม่ว่าขอโทษ", "high"),
    ("th", "เขียนจดหมายลาป่วยแล้ว คืนนี้จะไปหาหมอ", "none"),
    ("th", "ไปริมแม่น้ำกับเพื่อน ฝากบอกแม่ว่าจะกลับดึก", "none"),
    # th: someone else's self-harm in the past; the writer's own past is history
    ("th", "แฟนเก่าเคยทำร้ายตัวเอง ตอนนี้เขาสบายดี", "none"),
    ("th", "ฉันเคยกรีดแขนตอนม.ปลาย", "medium"),
    ("th", "เพื่อนเคยกรีดแขน ตอนนี้ฉันก็กรีดแขน", "medium"),  # the writer's own stays
    # th: scolded every day
    ("th", "หัวหน้าตะคอกทุกวัน", "low"),
    # ne: at a roof or a bridge, sorry to a parent; not a "sorry" for a late reply
    ("ne", "म अहिले होटलको छतमा छु, बुबा मलाई माफ गर्नुहोस्", "high"),
    ("ne", "pul ma chu, aama lai maaf garnu bhanidinu", "high"),
    ("ne", "छतमा कपडा सुकाउँदै छु, ढिलो जवाफ दिएकोमा माफ गर्नु", "none"),
    # ne: tonight it all ends, with a letter or a farewell; an event that ends tonight
    ("ne", "भोलि बिहान सबै सकिन्छ, चिठी लेखिसकें", "high"),
    ("ne", "आज राति नै सबै काम सकिन्छ, अनि घुम्न जाऔं", "none"),
    # ne: leaving this world, ending one's own life, not living on
    ("ne", "अब म आफ्नो जिन्दगी अन्त्य गर्छु", "high"),
    ("ne", "म अब बाँच्दिनँ", "medium"),
    ("ne", "आज राति म मर्छु।", "high"),  # the danda is an edge, not a letter
    # ne: life is enough and today is the last day; the last day of a class is not that
    ("ne", "जिन्दगी बस भयो, आज मेरो अन्तिम रात", "high"),
    ("ne", "आज जापानमा मेरो अन्तिम दिन, सबैलाई धन्यवाद", "none"),
    # ne: marks hidden under long sleeves, done again
    ("ne", "पाखुराका खत लुकाउन लामो बाहुला लगाउँछु, फेरि काटेँ", "medium"),
    ("ne", "हातको घाउ लुकाउन पट्टी लगाएँ", "none"),
    # ne: romanised "if I vanished no one would mind"; an employer who beats, whatever between
    ("ne", "haraye pani kasai lai kehi farak pardaina", "medium"),
    ("ne", "tencho le kaam dherai garauchha, kahile kahi kutxa pani", "medium"),
    ("ne", "sahu le din ko 12 ghanta kaam garauchha", "none"),
    # ne: everyday distress
    ("ne", "राति भरि एक्लै रोएँ", "low"),
    ("ne", "निद्रा नै लाग्दैन", "low"),
]

# Ordinary words of other languages that hold a romanised Nepali or Thai fragment.
OTHER_LANGUAGES_NONE = [
    ("the market man lagged behind", "en"),
    ("mario kart khelna man lagyo", "ne"),
    ("aba, ang ganda ng dagat", "tl"),
    ("ajá, el mar está muy bonito hoy", "es"),
    ("grammar test tomorrow, so tired", "en"),
    ("tôi ăn tối rồi", "vi"),
    ("mai tôi đi làm sớm", "vi"),  # mai: tomorrow
    ("xue is a pinyin syllable", "en"),
    ("kaya ko pa, mai pa bukas", "tl"),
]


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return RiskDetector.from_dir()


@pytest.mark.parametrize(
    ("lang", "text", "level"),
    [
        *FAMILIES,
        *FAMILIES_FROM_THE_THIRD_SET,
        *(("th", *case) for case in THAI),
        *(("ne", *case) for case in NEPALI),
    ],
)
def test_levels(detector: RiskDetector, lang: str, text: str, level: str) -> None:
    assert detector.assess(text, lang).level == Level.parse(level), detector.assess(text).rules


@pytest.mark.parametrize(("text", "lang"), OTHER_LANGUAGES_NONE)
def test_fragments_inside_other_words_raise_nothing(
    detector: RiskDetector, text: str, lang: str
) -> None:
    assert detector.assess(text, lang).level == Level.NONE


def test_both_scripts_need_their_own_word_edges() -> None:
    """Why the Devanagari patterns use look-arounds: \\b sits between a letter and its
    vowel sign or virama, and is missing between a vowel sign and a space."""
    import re

    assert re.search(r"\bमर\b", "मर्न")  # matches inside मर्न (to die)
    assert not re.search(r"चाहन्छु\b", "म मर्न चाहन्छु भने")
    assert not re.search(r"\bตาย\b", "อยากตาย")  # and Thai has no spaces to find


def test_thai_is_matched_in_nfkc(detector: RiskDetector) -> None:
    # ำ (SARA AM) becomes ํ + า under NFKC; the lexicon is written that way.
    assert detector.normalise("กำลัง") == "ก\u0e4d\u0e32ลัง"
    assert detector.assess("พ่อกำลังตีหนูอยู่", "th").reasons[0] == "violence_now"
    assert detector.assess("พ่อก\u0e4d\u0e32ลังตีหนูอยู่", "th").level == Level.HIGH


def test_the_safety_net_catches_a_core_word_alone(detector: RiskDetector) -> None:
    for text in ("ฆ่าตัวตายคืออะไร", "आत्महत्या भनेको के हो", "atmahatya?"):
        assert detector.assess(text).reasons == ("risk_word_unclear",), text
