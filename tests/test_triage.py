# ruff: noqa: E501 - YAML snippets are clearer on one line each
"""Free-text triage: categories, intents, the JSONL runner, lexicon checks and accuracy."""

from __future__ import annotations

import io
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from bot import paths
from bot.triage import CATEGORY_IDS, GAP, INTENT_IDS, Triage
from bot.yamldata import DataError

DATA = Path(__file__).parent / "data"
LABELLED = DATA / "triage_labelled.jsonl"
TRAIN = DATA / "triage_train.jsonl"


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.load()


def top(triage: Triage, text: str, lang: str = "ja", n: int = 1) -> list[str]:
    return [label for label, _ in triage.classify(text, lang)][:n]


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# --- each category, in the wording of adults, young people and children -------------------

CASES = [
    ("suicidal", "ja", "もう死にたいって毎日思ってる"),
    ("suicidal", "ja", "しにたい"),
    ("suicidal", "en", "honestly i just want to end it all"),
    ("violence", "ja", "父親に殴られてあざができた"),
    ("violence", "ja", "おとうさんにけられる"),
    ("violence", "en", "My boyfriend beats me when he is angry"),
    ("sexual_violence", "ja", "塾の講師に体を触られた"),
    ("sexual_violence", "en", "a man groped me on the bus"),
    ("mental_health", "ja", "うつ病と言われて休んでいます"),
    ("mental_health", "en", "my anxiety is getting worse every week"),
    ("loneliness", "ja", "友達いないし休日は誰とも話さない"),
    ("loneliness", "en", "I feel lonely every night"),
    ("money", "ja", "借金があって生活が苦しい"),
    ("money", "ja", "おかねがなくてこまってる"),
    ("money", "en", "I have no money left for food"),
    ("housing", "ja", "家賃を払えず、来月には退去しないといけない"),
    ("housing", "en", "I was evicted and I am homeless"),
    ("work", "ja", "派遣の契約を切られて失業した"),
    ("work", "en", "my boss refuses to pay my wages"),
    ("childcare", "ja", "育児がつらくて赤ちゃんに優しくできない"),
    ("childcare", "en", "I'm pregnant and scared"),
    ("family", "ja", "毒親すぎて家族といるのがしんどい"),
    ("family", "en", "my parents fight every day and i hate being at home"),
    ("care", "ja", "祖母の介護で毎日くたくた"),
    ("care", "ja", "おばあちゃんのかいごがたいへん"),
    ("care", "en", "I'm a young carer looking after my mum"),
    ("school", "ja", "クラスでいじめられてる"),
    ("school", "ja", "がっこうにいきたくない"),
    ("school", "en", "kids bully me every day at school"),
    ("gender_sexuality", "ja", "トランスジェンダーだと家族に言えない"),
    ("gender_sexuality", "en", "I think I might be gay"),
    ("foreign", "ja", "在留資格の更新ができるか不安です"),
    ("foreign", "en", "my visa expires soon"),
    ("disability", "ja", "発達障害の診断を受けた"),
    ("disability", "en", "I am deaf and need support"),
    ("hikikomori", "ja", "もう何年も引きこもっています"),
    ("hikikomori", "en", "I haven't left my room for a year"),
    ("health", "ja", "入院が決まって不安"),
    ("health", "en", "I'm sick and can't see a doctor"),
    ("legal_consumer", "ja", "ネット通販で詐欺にあった"),
    ("legal_consumer", "en", "I was scammed by a fake shop"),
]


@pytest.mark.parametrize(("category", "lang", "text"), CASES)
def test_category_is_first(triage: Triage, category: str, lang: str, text: str) -> None:
    assert top(triage, text, lang) == [category]


def test_every_category_has_a_case() -> None:
    assert {c for c, _, _ in CASES} == set(CATEGORY_IDS)


@pytest.mark.parametrize(
    ("lang", "text", "category"),
    [
        ("vi", "Tôi muốn chết", "suicidal"),
        ("vi", "toi muon chet", "suicidal"),  # typed without tone marks
        ("zh", "老板拖欠工资", "work"),
        ("pt", "Perdi o emprego", "work"),
        ("tl", "Sinasaktan ako ng asawa ko", "violence"),
        ("ko", "학교에서 왕따를 당해요", "school"),
        ("es", "No tengo dinero", "money"),
        ("id", "Saya kesepian", "loneliness"),
        ("th", "ฉันอยากตาย", "suicidal"),
        ("ne", "मलाई मर्न मन लाग्छ", "suicidal"),
    ],
)
def test_other_languages(triage: Triage, lang: str, text: str, category: str) -> None:
    assert top(triage, text, lang) == [category]


def test_several_worries_all_come_back(triage: Triage) -> None:
    found = top(triage, "家賃が払えなくて追い出されそう", "ja", n=3)
    assert found[0] == "housing"
    assert "money" in found


def test_scores_are_best_first(triage: Triage) -> None:
    scores = [score for _, score in triage.classify("失業して家賃も払えない", "ja")]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) >= 2


# --- nothing clear said: [] so the bot asks ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("", "ja"),
        ("   ", "ja"),
        ("こんにちは", "ja"),
        ("ありがとうございます", "ja"),
        ("ｗｗｗ", "ja"),
        ("😀😀😀", "ja"),
        ("asdfghjkl", "en"),
        ("hello", "en"),
        ("？？？", "ja"),
        ("12345", "ja"),
        ("つらい", "ja"),  # one vague word is a hint, not a category
        ("大丈夫です", "ja"),  # 夫 inside 大丈夫 is no husband
    ],
)
def test_garbage_or_vague_gives_nothing(triage: Triage, text: str, lang: str) -> None:
    assert triage.classify(text, lang) == []


def test_unknown_locale_still_reads_the_script(triage: Triage) -> None:
    assert top(triage, "I want to die", "fr") == ["suicidal"]
    assert triage.classify("bonjour", "fr") == []
    # the children's UI locale has no lexicon of its own: its Japanese is read as Japanese
    assert top(triage, "がっこういきたくない", "ja-kids") == ["school"]
    assert triage.detect_intents("ひとと はなしたい", "ja-kids") == {"human"}


def test_text_in_another_language_than_the_locale(triage: Triage) -> None:
    assert top(triage, "I lost my job", "ja") == ["work"]
    assert top(triage, "Tôi không có tiền", "ja") == ["money"]


def test_same_script_lexicons_are_not_mixed(triage: Triage) -> None:
    # pt "golpe" is a scam; es "golpe" is a blow: a Portuguese text is read as Portuguese.
    labels = top(triage, "Caí num golpe", "pt", n=5)
    assert labels == ["legal_consumer"]


def test_very_long_text_is_cut_not_refused(triage: Triage) -> None:
    assert top(triage, "死にたい" + "あ" * 20_000, "ja") == ["suicidal"]


# --- how Japanese is read ---------------------------------------------------------------------


def test_kana_reading_finds_kanji_phrases(triage: Triage) -> None:
    assert top(triage, "いじめられてる") == ["school"]
    assert top(triage, "ガッコウイキタクナイ") == ["school"]


def test_kana_phrase_must_start_a_word(triage: Triage) -> None:
    # いたい (痛い) must not be read inside あいたい (会いたい).
    assert not any(e.label == "health" for e in triage.explain("ともだちにあいたい", "ja"))


def test_dropped_particles_and_honorifics(triage: Triage) -> None:
    assert top(triage, "友達いない") == top(triage, "友達がいない") == ["loneliness"]
    assert top(triage, "いもうとのおせわばかり") == ["care"]


def test_particles_that_carry_meaning_stay(triage: Triage) -> None:
    assert triage.detect_intents("最初は楽しかった", "ja") == set()
    assert triage.detect_intents("最初からにしたい", "ja") == {"restart"}


def test_gap_phrase_within_one_sentence(triage: Triage) -> None:
    assert top(triage, "熱がずっと下がらない") == ["health"]
    evidence = triage.explain("熱心に練習した。でも順位は下がらない", "ja")
    assert "熱…下がらない" not in {e.phrase for e in evidence}


def test_longer_phrase_wins_over_the_words_inside_it(triage: Triage) -> None:
    labels = {e.label for e in triage.explain("家族の世話", "ja")}
    assert labels == {"care"}


def test_vietnamese_with_marks_keeps_them_apart(triage: Triage) -> None:
    # nợ (debt) is money; nó (it) is not.
    assert top(triage, "Tôi nợ tiền", "vi") == ["money"]
    assert not any(e.label == "money" for e in triage.explain("Tôi không thích nó", "vi"))


def test_explain_names_the_phrases(triage: Triage) -> None:
    evidence = triage.explain("家賃が払えなくて追い出されそう。人と話したい", "ja")
    phrases = {(e.label, e.phrase) for e in evidence}
    assert ("housing", "家賃") in phrases
    assert ("housing", "追い出され") in phrases
    assert ("human", "人と話したい") in phrases
    assert all(e.lang == "ja" for e in evidence)


# --- intents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "intents"),
    [
        ("人と話したい", "ja", {"human"}),
        ("相談員さんと話せますか", "ja", {"human"}),
        ("だれかに聞いてほしい", "ja", {"human"}),
        ("ボットじゃなくて人間がいい", "ja", {"human"}),
        ("can I talk to a person", "en", {"human"}),
        ("Can I speak to someone please?", "ja", {"human"}),
        ("Tôi muốn nói chuyện với người thật", "vi", {"human"}),
        ("最初から", "ja", {"restart"}),
        ("はじめからやりなおしたい", "ja", {"restart"}),
        ("start over", "en", {"restart"}),
        ("データを消して", "ja", {"delete_data"}),
        ("私の記録を削除してください", "ja", {"delete_data"}),
        ("please delete my data", "en", {"delete_data"}),
        ("最初からやり直したいし、データも消してほしい", "ja", {"restart", "delete_data"}),
        ("消えたい", "ja", set()),  # a risk, not a request to delete data
        ("人と話すのが苦手", "ja", set()),
        ("人と話したくない", "ja", set()),
        ("こんにちは", "ja", set()),
    ],
)
def test_intents(triage: Triage, text: str, lang: str, intents: set[str]) -> None:
    assert triage.detect_intents(text, lang) == intents


def test_intents_are_known_ids(triage: Triage) -> None:
    for lexicon in triage.lexicons.values():
        assert {p.label for p in lexicon.intents} <= set(INTENT_IDS)


# --- the JSONL runner -------------------------------------------------------------------------


def services_for(categories: list[str]) -> list[str]:
    return [f"window-{c}" for c in categories[:2]]


def test_run_jsonl(triage: Triage) -> None:
    requests = [
        {"text": "家賃が払えなくて追い出されそう", "lang": "ja"},
        None,  # a blank line
        {"text": "こんにちは", "lang": "ja"},
        {"text": "I want to die"},  # lang defaults to ja
        "not json",
        {"lang": "ja"},
        ["a list"],
        {"text": "いじめられてる", "lang": 3},
    ]
    infile = io.StringIO(
        "".join(
            "\n" if r is None else (r if isinstance(r, str) else json.dumps(r)) + "\n"
            for r in requests
        )
    )
    outfile = io.StringIO()
    triage.run_jsonl(infile, outfile, services_for)
    lines = [json.loads(line) for line in outfile.getvalue().splitlines()]
    assert len(lines) == 7  # one per input, blank lines are not inputs
    assert lines[0]["categories"][:2] == ["housing", "money"]
    assert lines[0]["services"] == ["window-housing", "window-money"]
    assert set(lines[0]) == {"categories", "services"}
    assert lines[1] == {"categories": [], "services": []}
    assert lines[2]["categories"][0] == "suicidal"
    for bad in lines[3:]:
        assert bad["categories"] == [] and bad["services"] == []
        assert bad["error"]


def test_run_jsonl_writes_unescaped_utf8(triage: Triage) -> None:
    outfile = io.StringIO()
    triage.run_jsonl(io.StringIO('{"text": "x\\u00e9", "lang": "en"}\n'), outfile, services_for)
    assert outfile.getvalue() == '{"categories": [], "services": []}\n'


# --- lexicon files ----------------------------------------------------------------------------


def test_ja_and_en_cover_every_category(triage: Triage) -> None:
    for lang in ("ja", "en"):
        assert {p.label for p in triage.lexicons[lang].phrases} == set(CATEGORY_IDS)
        assert {p.label for p in triage.lexicons[lang].intents} == set(INTENT_IDS)


def test_starter_lexicons_are_loaded(triage: Triage) -> None:
    assert {"ja", "en", "vi", "zh", "pt", "ko", "es", "tl", "id", "th", "ne"} <= set(
        triage.lexicons
    )


def test_every_phrase_finds_itself(triage: Triage) -> None:
    """Each phrase, written out as a message, gets its label: its folding and reading agree
    with how texts are read. (A same-span twin such as 辛い for つらい may take the credit.)"""
    missing = []
    for lang, lexicon in triage.lexicons.items():
        for phrase in lexicon.phrases + lexicon.intents:
            text = phrase.written.replace(GAP, "").replace("*", "")
            if phrase.label not in {e.label for e in triage.explain(text, lang)}:
                missing.append(f"{lang}:{phrase.label}:{phrase.written}")
    assert missing == []


def copy_locales(tmp_path: Path, langs: tuple[str, ...] = ("ja", "en")) -> Path:
    root = tmp_path / "locales"
    for lang in langs:
        (root / lang).mkdir(parents=True)
        shutil.copy(paths.locales_dir() / lang / "triage.yaml", root / lang / "triage.yaml")
    return root


def write_lexicon(root: Path, lang: str, body: str) -> Path:
    path = root / lang / "triage.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_schema_error_names_file_and_line(tmp_path: Path) -> None:
    root = copy_locales(tmp_path, ("en",))
    path = write_lexicon(
        root,
        "vi",
        (
            "lang: vi\nscript: latin\nmatching: words\n"
            "categories:\n"
            "  money:\n"
            "    strong: [không có tiền]\n"
            "  lonelyness:\n"  # not a category id
            "    strong: [cô đơn]\n"
        ),
    )
    with pytest.raises(DataError) as err:
        Triage.load(root)
    # jsonschema reports a bad key at its mapping: line 4 is "categories:".
    assert f"{path}:4: categories: 'lonelyness' is not one of" in str(err.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "lang: vi\nscript: latin\nmatching: words\ncategories:\n  money:\n    often: [tiền]\n",
            "often",
        ),
        (
            "lang: vi\nscript: latin\nmatching: words\ncategories:\n  money:\n    strong: [12]\n",
            "is not of type 'string'",
        ),
        (
            "lang: vi\nscript: latin\nmatching: regex\ncategories:\n  money:\n    strong: [tiền]\n",
            "regex",
        ),
        ("lang: vi\nscript: latin\nmatching: words\ncategories: {}\n", "categories"),
        (
            "lang: vi\nscript: latin\nmatching: words\ncategories:\n  money:\n    strong: [tiền]\n"
            "intents:\n  call_police: [gọi cảnh sát]\n",
            "call_police",
        ),
        (
            "lang: vi\nscript: latin\nmatching: words\ncategories:\n  money:\n    strong: [tiền, tiền]\n",
            "non-unique",
        ),
        ("lang: vi\nscript: latin\nmatching: words\ncategories: [\n", "not valid YAML"),
    ],
)
def test_schema_problems(tmp_path: Path, body: str, expected: str) -> None:
    root = copy_locales(tmp_path, ("en",))
    write_lexicon(root, "vi", body)
    with pytest.raises(DataError, match=expected):
        Triage.load(root)


def test_phrases_that_read_alike_twice_in_a_category(tmp_path: Path) -> None:
    root = copy_locales(tmp_path, ())
    path = write_lexicon(
        root,
        "ja",
        (
            "lang: ja\nscript: japanese\nmatching: japanese\n"
            "categories:\n"
            "  loneliness:\n"
            "    strong: [友達がいない]\n"
            "    weak: [友達いない]\n"
        ),
    )
    with pytest.raises(DataError) as err:
        Triage.load(root)
    assert f"{path}:7: '友達いない' reads as '友達がいない' in loneliness" in str(err.value)


def test_phrase_with_nothing_to_match(tmp_path: Path) -> None:
    root = copy_locales(tmp_path, ())
    write_lexicon(
        root,
        "en",
        ("lang: en\nscript: latin\nmatching: words\ncategories:\n  money:\n    strong: ['!!!']\n"),
    )
    with pytest.raises(DataError, match="has nothing to match on"):
        Triage.load(root)


def test_lang_must_match_its_folder(tmp_path: Path) -> None:
    root = copy_locales(tmp_path, ())
    write_lexicon(
        root,
        "pt",
        (
            "lang: es\nscript: latin\nmatching: words\ncategories:\n  money:\n    strong: [dinero]\n"
        ),
    )
    with pytest.raises(DataError, match="not its folder's name"):
        Triage.load(root)


def test_no_lexicon_at_all(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no \\*/triage.yaml"):
        Triage.load(tmp_path)


# --- the labelled set and accuracy ---------------------------------------------------------


def normalised(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def test_labelled_set_is_well_formed() -> None:
    items = read_jsonl(LABELLED)
    assert len(items) >= 200
    langs = {str(i["lang"]) for i in items}
    assert {"ja", "en", "vi", "zh", "pt", "tl"} <= langs
    primaries = [list(i["categories"])[0] for i in items]  # type: ignore[call-overload]
    for category in CATEGORY_IDS:
        assert primaries.count(category) >= 5, category
    for item in items:
        categories = list(item["categories"])  # type: ignore[call-overload]
        assert categories and set(categories) <= set(CATEGORY_IDS), item
        assert len(set(categories)) == len(categories), item


def test_evaluation_set_is_disjoint_from_training() -> None:
    labelled = {normalised(str(i["text"])) for i in read_jsonl(LABELLED)}
    train = {normalised(str(i["text"])) for i in read_jsonl(TRAIN)}
    assert labelled.isdisjoint(train)
    for item in read_jsonl(TRAIN):
        assert set(item["categories"]) <= set(CATEGORY_IDS), item  # type: ignore[call-overload]


def test_top3_accuracy_on_the_labelled_set(triage: Triage) -> None:
    items = read_jsonl(LABELLED)
    hits = top1 = 0
    for item in items:
        gold = list(item["categories"])[0]  # type: ignore[call-overload]
        found = top(triage, str(item["text"]), str(item["lang"]), n=3)
        hits += gold in found
        top1 += found[:1] == [gold]
    assert hits / len(items) >= 0.9
    assert top1 / len(items) >= 0.8
