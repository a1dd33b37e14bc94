"""Risk detection: normalisation, levels, exclusions that never hide risk, data validation,
the JSONL runner, and the figures on the labelled set."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from benchmarks.risk_eval import Tally, evaluate
from bot.i18n import Locales
from bot.risk import (
    _COMMON_KANA,
    REASONS,
    Assessment,
    Level,
    RiskDataError,
    RiskDetector,
    anchors_of,
    default_locales_dir,
    fold,
    run_jsonl,
)
from bot.risk_readings import in_kana, sudachi_reader, with_readings

DATA = Path(__file__).parent / "data"
TRAINING = ("risk_labelled.jsonl", "risk_heldout.jsonl")
# Each written from general knowledge of crisis chats before it was first measured; the
# misses found then were fixed by category, so these are now a regression floor on how the
# detector generalises, no longer an unseen test.
FRESH = ("risk_fresh.jsonl", "risk_fresh2.jsonl", "risk_fresh3.jsonl")
# Written by someone who never saw the lexicons. First measured at recall 0.875, high as
# high 0.825, false flags 0.078; its misses were then fixed by family of expression (see
# FAMILIES_FROM_THE_FIRST_SET), so it too is now a regression floor held to the
# full targets. risk_independent2.jsonl, by a second such writer, first measured at recall
# 0.850, high as high 0.800, false flags 0.067 (see FAMILIES_FROM_THE_SECOND_SET),
# and held to the full targets since. Three more writers followed, each first measured
# before anything was fixed for them: risk_independent3.jsonl at 0.762 / 0.625 / 0.067;
# risk_independent4.jsonl at 0.675 / 0.700 / 0.100 (after kana readings and together rules);
# risk_independent5.jsonl at 0.800 / 0.675 / 0.111 (after set 4's families). See
# FAMILIES_FROM_THE_THIRD_TO_FIFTH_SETS. New wording keeps finding gaps: a
# next independent set is the honest measure, and these are regression floors.
INDEPENDENT = (
    "risk_independent.jsonl",
    "risk_independent2.jsonl",
    "risk_independent3.jsonl",
    "risk_independent4.jsonl",
    "risk_independent5.jsonl",
    # zh, ko, pt, es, tl, th, ne, id by a writer who never saw those lexicons, written while
    # they were: first measured at 0.675 / 0.750 / 0.075, then closed by family.
    "risk_multilingual.jsonl",
    # The second opinion's first unseen sets (rules alone at first: 0.738 / 0.650 / 0.056
    # and 0.475 / 0.475 / 0.062), and its last ones of session 2 (0.800 / 0.700 / 0.089
    # and 0.675 / 0.700 / 0.025), read as development data in session 3: closed by family
    # (FAMILIES_FROM_THE_SIXTH_AND_SEVENTH_SETS) before tests/data/unseen/ was written.
    "risk_independent6.jsonl",
    "risk_independent7.jsonl",
    "risk_multilingual2.jsonl",
    "risk_multilingual3.jsonl",
)


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return RiskDetector.from_dir()


def labelled(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("死にたい", "死にたい"),
        ("しにたい", "死にたい"),  # hiragana for 死 before an unmistakable ending
        ("シニタイ", "死にたい"),  # katakana
        ("ｼﾆﾀｲ", "死にたい"),  # half-width katakana (NFKC)
        ("氏にたい", "死にたい"),
        ("4にたい", "死にたい"),
        ("４にたい", "死にたい"),  # full-width digit
        ("タヒにたい", "死にたい"),
        ("ﾀﾋにたい", "死にたい"),
        ("タ匕にたい", "死にたい"),
        ("○にたい", "死にたい"),
        ("〇にたい", "死にたい"),
        ("しにたーい", "死にたい"),  # long vowel mark
        ("しにた〜い", "死にたい"),
        ("しにたぁぁぁい", "死にたい"),  # small vowel stretching the one before
        ("死にたぃ", "死にたい"),  # small vowel as style
        ("死 に た い", "死にたい"),  # spacing
        ("死　に　た　い", "死にたい"),  # full-width spaces
        ("し.に.た.い", "死にたい"),
        ("死\u200bに\u200bた\u200bい", "死にたい"),  # zero-width spaces
        ("消😭え😭た😭い", "消えたい"),  # emoji padding
        ("死にたい！！！！！", "死にたい!!"),  # repeated punctuation
        ("死にたいｗｗｗｗ", "死にたいww"),
        ("タヒる", "死ぬ"),
        ("mou shinitai", "mou 死にたい"),  # romaji
        ("ＯＤした", "odした"),
        ("I’m going to k1ll myself", "i'm going to kill myself"),
        ("su1c1dal", "suicidal"),
        ("$uicide", "suicide"),
        ("su.icide", "suicide"),
        ("self-harm", "selfharm"),
        ("want to d i e", "want to die"),
        ("💊全部飲んだ", "薬全部飲んだ"),
    ],
)
def test_normalise_undoes_each_obfuscation(
    detector: RiskDetector, raw: str, expected: str
) -> None:
    assert detector.normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["田中氏の話", "4人で遊んだ", "わたしにたいしてひどい", "楽しんだ", "そんなことしねーよ"],
)
def test_normalise_leaves_lookalikes_in_ordinary_words(detector: RiskDetector, raw: str) -> None:
    assert "死" not in detector.normalise(raw)


def test_vietnamese_accents_are_optional_but_never_wrong(detector: RiskDetector) -> None:
    assert detector.assess("muốn tự tử").level == Level.MEDIUM
    assert detector.assess("muon tu tu").level == Level.MEDIUM  # typed without accents
    assert detector.assess("mình muốn từ từ tìm hiểu").level == Level.NONE  # 'slowly'


# --- levels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level", "reason"),
    [
        ("今から死ぬ", "high", "suicide_plan_imminent"),
        ("遺書を書いた", "high", "suicide_plan_imminent"),
        ("今屋上にいる", "high", "suicide_plan_imminent"),
        ("薬全部飲んだ", "high", "overdose"),
        ("ODした", "high", "overdose"),
        ("血が止まらない", "high", "self_harm_in_progress"),
        ("今父に殴られてる", "high", "violence_now"),
        ("殺される", "high", "threat_to_life"),
        ("I took all my sleeping pills", "high", "overdose"),
        ("死にたい", "medium", "suicidal_ideation"),
        ("消えたい", "medium", "suicidal_ideation"),
        ("生きてる意味がない", "medium", "suicidal_ideation"),
        ("リスカやめられない", "medium", "self_harm"),
        ("親に毎日殴られる", "medium", "abuse_ongoing"),
        ("前にODしたことある", "medium", "self_harm"),  # history: not an act now
        ("i want to die", "medium", "suicidal_ideation"),
        ("em muốn chết", "medium", "suicidal_ideation"),
        ("つらい", "low", "distress"),
        ("死にたくない", "low", "distress"),  # negated
        ("友達がリスカしてて心配", "low", "distress"),  # someone else
    ],
)
def test_levels(detector: RiskDetector, text: str, level: str, reason: str) -> None:
    result = detector.assess(text)
    assert result.level == Level.parse(level)
    assert result.reasons[0] == reason


@pytest.mark.parametrize(
    "text",
    [
        "死ぬほど笑った",
        "死ぬほど眠い",
        "死ぬかと思った",
        "テスト死んだ",
        "推しが尊くて死ぬ",
        "祖父が死んだ",
        "自殺防止の授業",
        "自殺のニュースを見た",
        "弟にプリン食べられた、殺す",
        "辛いラーメン食べたい",
        "鼻血が止まらない",
        "i'm dying to see that movie",
        "nóng chết đi được",
        "",
        "   ",
    ],
)
def test_figurative_third_person_and_news_are_none(detector: RiskDetector, text: str) -> None:
    assert detector.assess(text).level == Level.NONE


def test_levels_are_ordered() -> None:
    assert Level.NONE < Level.LOW < Level.MEDIUM < Level.HIGH
    assert max(Level.LOW, Level.HIGH) is Level.HIGH
    assert [Level.parse(x).label for x in ("none", "low", "medium", "high")] == [
        "none",
        "low",
        "medium",
        "high",
    ]


def test_language_only_names_the_conversation(detector: RiskDetector) -> None:
    # Every lexicon is checked whatever lang says: people mix languages.
    for lang in ("ja", "en", "vi", "pt", "xx"):
        assert detector.assess("死にたい", lang).level == Level.MEDIUM
        assert detector.assess("i want to kill myself tonight", lang).level == Level.HIGH
    assert detector.assess("もう無理 i want to die", "ja").reasons[0] == "suicidal_ideation"


def test_assessment_is_frozen_and_serialisable(detector: RiskDetector) -> None:
    result = detector.assess("死ぬほどつらい、もう死にたい")
    assert result.as_json() == {"level": "medium", "reasons": ["suicidal_ideation", "distress"]}
    with pytest.raises(AttributeError):
        result.level = Level.NONE  # type: ignore[misc]
    assert isinstance(result, Assessment)


# --- exclusions never hide a real risk ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("死ぬほどつらい、もう死にたい", Level.MEDIUM),
        ("死ぬほど死にたい", Level.MEDIUM),
        ("テスト死んだ、もう消えたい", Level.MEDIUM),
        ("祖父が死んだ。私も死にたい", Level.MEDIUM),
        ("自殺防止の授業で、自殺したいって思った", Level.MEDIUM),
        ("推しが尊くて死ぬ。でも今から飛び降りる", Level.HIGH),
        ("弟にプリン食べられた、殺す。あと親に毎日殴られる", Level.MEDIUM),
        ("死にたくないわけじゃない", Level.MEDIUM),  # double negation is ideation
        ("死にたいとは思わないけど消えたい", Level.MEDIUM),
        ("前にODしたことある。さっきまたODした", Level.HIGH),
        ("i'm dying to sleep but honestly i want to die", Level.MEDIUM),
        ("mệt muốn chết, em muốn chết thật", Level.MEDIUM),
    ],
)
def test_exclusions_never_hide_risk_in_the_same_message(
    detector: RiskDetector, text: str, level: Level
) -> None:
    assert detector.assess(text).level == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a time word lifts an act to high; a wish stays medium
        ("明日の夜、川に入って死ぬ", Level.HIGH),
        ("みんなが寝たら薬ぜんぶ飲む", Level.HIGH),
        ("死にます、今までありがとう", Level.HIGH),
        ("もう決めた。死ぬ", Level.HIGH),
        ("今日も死にたい", Level.MEDIUM),
        # a method named with the act, a place, an act in progress
        ("首吊って死ぬ", Level.HIGH),
        ("踏切の前にいる", Level.HIGH),
        ("飛び降りようとしてる", Level.HIGH),
        ("今手首切った", Level.HIGH),
        ("眠剤まとめ飲みした", Level.HIGH),
        # the wish not to exist
        ("いなくなっちゃいたい", Level.MEDIUM),
        ("私なんかいなくていい", Level.MEDIUM),
        ("自分を消したい", Level.MEDIUM),
        ("楽になりたい", Level.MEDIUM),
        # abuse: ongoing is medium, happening now is high
        ("ママがたたく", Level.MEDIUM),
        ("家に帰ると殴られる", Level.MEDIUM),
        ("お父さんが今ドア蹴ってて怖い", Level.HIGH),
        ("閉じ込められてて出られない", Level.HIGH),
        # spellings
        ("しんじゃいたい", Level.MEDIUM),
        ("まじしにてぇ", Level.MEDIUM),
        ("ﾀﾋたい", Level.MEDIUM),
        # a time word does not turn a figure of speech into an act
        ("明日のプレゼン死ぬ", Level.NONE),
        ("今夜は飲みすぎて死ぬ", Level.NONE),
        ("今日で最後の授業", Level.NONE),
        ("お菓子は今日で最後にする", Level.NONE),
        ("今から終わらせるね、課題", Level.NONE),
        ("楽しんじゃおう", Level.NONE),
        ("バンジーで飛び降りるのが夢", Level.NONE),
    ],
)
def test_categories_of_expression(detector: RiskDetector, text: str, level: Level) -> None:
    assert detector.assess(text).level == level


# Families of phrasing missed or misread in risk_independent.jsonl, in spellings and
# languages that set does not contain (the same for the next two lists).
FAMILIES_FROM_THE_FIRST_SET = [
    # the day of one's death named; a verb of dying beside 今日で最後
    ("今夜が私の最期", Level.HIGH),
    ("明日がぼくの命日になる", Level.HIGH),
    ("タヒぬ。今日で最後", Level.HIGH),
    ("祖父の命日は明日", Level.NONE),
    # ready, and a time to do it
    ("覚悟はできた、明日決行する", Level.HIGH),
    ("テストの準備はできてる、あとは明日やるだけ", Level.NONE),
    # going off to die, in any spelling, with a note not to look for them
    ("しにに行ってくる", Level.HIGH),
    ("4にに行きます", Level.HIGH),
    # where people jump, with no way back
    ("屋上にいる。もう戻らない", Level.HIGH),
    ("on the bridge. never coming back", Level.HIGH),
    ("i'm on the roof with friends, not coming down till sunset", Level.NONE),
    # attacking now, in kana
    ("兄がいまたたいてくる、こわい", Level.HIGH),
    # thinking of falling; wishing to be dead already; no meaning, in slang
    ("屋上から落ちたら楽になれるかな", Level.MEDIUM),
    ("what if i just jumped", Level.MEDIUM),
    ("テスト落ちたらどうなるかな", Level.NONE),
    ("死んでればよかった", Level.MEDIUM),
    ("消えてたらいいのに", Level.MEDIUM),
    ("生きる意味ねえ", Level.MEDIUM),
    ("can't stop hurting myself", Level.MEDIUM),
    # pills too many as a habit, or as an intent, is not a dose taken now
    ("ときどき薬多めに飲んじゃう", Level.MEDIUM),
    ("ODしちゃうことある", Level.MEDIUM),
    ("薬全部飲んじゃった", Level.HIGH),
    # someone else's past, a helper's question, a hard time that is over, a story
    ("友達が昔ODしてた", Level.NONE),
    ("his sister used to cut", Level.NONE),
    ("友達が死にたいって言ってて、どうしたらいい?", Level.NONE),
    ("友達が死にたいって言ってて心配", Level.LOW),
    ("不登校だったけど今は楽しい", Level.NONE),
    ("教科書で芥川の遺書を読んだ", Level.NONE),
    ("an article about a student's suicide", Level.NONE),
    ("bộ phim này buồn quá", Level.NONE),
    # ...and none of them hides the writer's own risk beside it
    ("友達が昔ODしてた。私は昨日ODした", Level.HIGH),
    ("いじめられてたけど今は大丈夫。でも死にたい", Level.MEDIUM),
    ("国語で太宰の遺書の話。私も遺書書いた", Level.HIGH),
    ("友達が死にたいって言ってて、どうしたらいい?私も死にたい", Level.MEDIUM),
    ("bộ phim này buồn quá, em muốn chết", Level.MEDIUM),
]

# ...in risk_independent2.jsonl
FAMILIES_FROM_THE_SECOND_SET = [
    # pills by the whole container; a past dose is history, not a dose now
    ("睡眠薬ひと瓶まるごと飲んじゃった", Level.HIGH),
    ("popped a whole bottle of tylenol", Level.HIGH),
    ("em vừa uống nguyên vỉ thuốc", Level.HIGH),
    ("前にも眠剤まるごと飲んだことある", Level.MEDIUM),
    ("em từng uống nhiều thuốc ngủ", Level.MEDIUM),
    # where trains pass, with an act; a train as the means; "from here"
    ("ふみきりに来た。もう全部終わらせる", Level.HIGH),
    ("次の電車で死ぬ", Level.HIGH),
    ("駅のホームにいる、電車おくれてる", Level.NONE),
    ("宿題は電車で終わらせる", Level.NONE),
    ("このベランダから飛んだら一瞬かな", Level.HIGH),
    # blood running; a cut and a cry for help
    ("血がぼたぼた垂れてる", Level.HIGH),
    ("うでを切った、どうしよう", Level.HIGH),
    ("鼻血がたらたら出てる", Level.NONE),
    # held and struck just now; held by a stranger
    ("閉じこめられてる、いまさっき蹴られた", Level.HIGH),
    ("ネットで会った人の家、帰らせてもらえない", Level.HIGH),
    ("em bị nhốt trong phòng, vừa bị đánh", Level.HIGH),
    # a farewell letter by another name; only the act left
    ("最後の手紙を置いた", Level.HIGH),
    ("遺書かいた。あとはとぶだけ", Level.HIGH),
    ("wrote goodbye letters to everyone. now i just have to go", Level.HIGH),
    ("viết xong thư từ biệt rồi", Level.HIGH),
    ("卒業する先輩へのお別れの手紙", Level.NONE),
    ("準備おわった、あとは行くだけ!", Level.NONE),
    # soon it all ends; not waking up; one's own funeral; the point of living
    ("もうすぐ何もかも終われる", Level.MEDIUM),
    ("もうすぐ授業終わる", Level.NONE),
    ("二度と目覚めたくない", Level.MEDIUM),
    ("i wish i wouldn't wake up", Level.MEDIUM),
    ("ước gì ngủ luôn không dậy", Level.MEDIUM),
    ("明日起きなければいけない", Level.NONE),
    ("私が死んだら誰か泣いてくれるかな", Level.MEDIUM),
    ("would anyone even cry if i died", Level.MEDIUM),
    ("nếu mình chết thì có ai khóc không", Level.MEDIUM),
    ("何のために生きてるんだろう", Level.MEDIUM),
    ("why am i even alive", Level.MEDIUM),
    ("sống còn ý nghĩa gì", Level.MEDIUM),
    # habitual beating with no particle; hiding bruises; hitting one's head
    ("ままは怒るといつもたたく", Level.MEDIUM),
    ("痣を隠すために長袖", Level.MEDIUM),
    ("頭をかべにぶつけちゃう", Level.MEDIUM),
    ("i keep banging my head against the wall until it hurts", Level.MEDIUM),
    ("banging my head against the wall over this homework", Level.NONE),
    ("em hay đập đầu vào tường", Level.MEDIUM),
    # distress in kana and without "I"
    ("だれともはなしたくない", Level.LOW),
    ("何食べても味がしない", Level.LOW),
    ("クラスでバカにされる", Level.LOW),
    ("felt so empty all week", Level.LOW),
    # kana いきたくない after a place is 行きたくない
    ("塾いきたくない", Level.NONE),
    ("もういきたくない", Level.MEDIUM),
    # quoted songs, lines and scenes; cases heard of; someone else's past; fandom
    ("「死にたい」ってタイトルの曲が好き", Level.NONE),
    ("a song called 'i want to die' is on repeat", Level.NONE),
    ("アニメで主人公が「死ね」って叫んでた", Level.NONE),
    ("小説読んでる、ヒロインが飛び降りる場面", Level.NONE),
    ("父は医者で、自傷した患者さんの話をする", Level.NONE),
    ("中学の頃は先輩がODしてた", Level.NONE),
    ("推し死んでメンタルぼろぼろ笑", Level.NONE),
    ("友達から「消えたい」ってLINE来て不安", Level.LOW),
    # ...and none of them hides the writer's own risk beside it
    ("「消えたい」って歌詞の曲すき。私も消えたい", Level.MEDIUM),
    ("昔は友達がリスカしてた。今は私がリスカしてる", Level.MEDIUM),
    ("ドラマで犯人が「殺してやる」って叫んでた。今から死ぬ", Level.HIGH),
]

# ...in risk_independent3/4/5.jsonl
FAMILIES_FROM_THE_THIRD_TO_FIFTH_SETS = [
    # at the edge, told in hints: where the writer is, and what they see or do next
    ("いまビルの屋上。下の道路見てる", Level.HIGH),
    ("川きた。このまま入っていく", Level.HIGH),
    ("踏切のとこまで来た。つぎの電車に", Level.HIGH),
    ("i'm at the bridge rn. goodbye", Level.HIGH),
    ("屋上でお昼たべてる、下の道路でパレードやってる", Level.NONE),
    ("海きた!このまま泳いでくる", Level.NONE),
    ("at the station, next train is late again", Level.NONE),
    # a goodbye, and no coming back or going ahead; affairs put in order
    ("さよならって送った。もう戻りません", Level.HIGH),
    ("パパごめん、先に行くね", Level.HIGH),
    ("今日でいなくなる。犬のことよろしく", Level.HIGH),
    ("今日で最後のバイト!みんなありがとう", Level.NONE),
    ("ばいばい、また明日ね", Level.NONE),
    # the pills, all of them, and now; a height and a jump in either order
    ("今から頓服ぜんぶ飲む", Level.HIGH),
    ("眠剤まとめて飲んだ。もう起きないと思う", Level.HIGH),
    ("10階から飛んでくる", Level.HIGH),
    ("ジュース全部飲んだ、ねむい", Level.NONE),
    # hurt now and the attacker still there; a threat at the door; a knife
    ("彼氏にさっき蹴られて、まだ隣の部屋にいる", Level.HIGH),
    ("借金取りに殺すぞって言われた。家の前に車がいる", Level.HIGH),
    ("he said he'd kill me and he's at the door", Level.HIGH),
    ("my stepdad locked me in the garage and beat me", Level.HIGH),
    ("昔殴られてたけど、今は離れて暮らしてる", Level.NONE),
    # carers at the limit; a habit of being hit; neglect; ideation in dialect
    ("介護つかれた。母と一緒に死のうと思う", Level.HIGH),
    ("夫は機嫌が悪いと物を投げてくる。毎日こわい", Level.MEDIUM),
    ("my girlfriend slaps me whenever i'm late", Level.MEDIUM),
    ("生きとっても意味ないわ", Level.MEDIUM),
    ("ずっと眠ってたい。もう起きたくない", Level.MEDIUM),
    ("日曜の朝は起きたくない", Level.NONE),
    ("トラックにはねられたらいいのに", Level.MEDIUM),
    # a report, a drill, a diet, a recipe, a scene, make-up: ordinary uses
    ("自由研究で自殺の統計をまとめたい", Level.NONE),
    ("防災訓練でベランダから避難ばしごを使った", Level.NONE),
    ("禁煙は今日でおわり、明日から吸う", Level.NONE),
    ("パパが包丁でにんじん切ってくれた", Level.NONE),
    ("映画で主人公が崖から飛び降りる場面こわかった", Level.NONE),
    ("傷メイクの練習で腕にきず描いた", Level.NONE),
    ("人生終わった、定期落とした", Level.NONE),
    ("bài thi hôm nay chết rồi", Level.NONE),
    # ...and none of them hides the writer's own risk beside it
    ("人生終わった、定期落とした。もう死にたい", Level.MEDIUM),
    ("映画で主人公が崖から飛び降りる場面あった。私も今夜飛び降りる", Level.HIGH),
]


# Session 3: families from every set written so far (independent6/7, multilingual2/3 and
# the training files), read as development data before two fresh sets were written.
FAMILIES_FROM_THE_SIXTH_AND_SEVENTH_SETS = [
    # the edge: a floor number, one more step, over the railing, how high it is, no way back
    ("10階の非常階段から下みてる。あと一歩", Level.HIGH),
    ("いま歩道橋の上。ここ高いね", Level.HIGH),
    ("港の堤防の先。もう帰らんけん", Level.HIGH),
    ("手すりに足かけた", Level.HIGH),
    ("樹海行きの電車のってる", Level.HIGH),
    # farewells in other words
    ("これ読むころにはもういないと思う、ありがとね", Level.HIGH),
    ("既読つく前に行くね", Level.HIGH),
    ("インコのことお願い。それだけが心残り", Level.HIGH),
    ("通帳と印鑑は台所の引き出しに入れてあります。ごめんね", Level.HIGH),
    ("借金は保険金で返すから。今までごめん", Level.HIGH),
    ("父を連れて一緒にいきます。ゆるしてください", Level.HIGH),
    ("おやすみ。もう起きないつもりだから", Level.HIGH),
    ("goodbye. thank you for everything", Level.HIGH),
    ("took every pill i had. sorry", Level.HIGH),
    ("tạm biệt mọi người, em đã để lại thư rồi", Level.HIGH),
    # cut, and the bleeding won't stop; the door being kicked in; a threat by message
    ("足切った。止まんない", Level.HIGH),
    ("彼氏にドア蹴られてる、開けたら殺される", Level.HIGH),
    ("元夫から「見つけたら刺す」ってLINE来た", Level.HIGH),
    ("he's outside my door with a knife", Level.HIGH),
    ("chồng em đang đánh em, cứu em", Level.HIGH),
    # wishes not to wake, to vanish, to be gone; pulled towards the track
    ("明日の朝が来なきゃいいのにって思う", Level.MEDIUM),
    ("事故にでもあえばいいのにって考える", Level.MEDIUM),
    ("あたしおらんでも誰も困らんやろ", Level.MEDIUM),
    ("ホームで電車待ってると吸い込まれそうになる", Level.MEDIUM),
    ("お迎えが来てほしいと毎日思います、夫も亡くなったし", Level.MEDIUM),
    ("奨学金、生命保険で返せるかなって考えてしまう", Level.MEDIUM),
    ("i keep thinking about just vanishing", Level.MEDIUM),
    ("sống không còn ý nghĩa gì nữa", Level.MEDIUM),
    # ongoing abuse: at work, stalking, conditional hitting, documents taken
    ("工場の班長に毎日けられる", Level.MEDIUM),
    ("元カノが家の前で待ち伏せしてくる", Level.MEDIUM),
    ("既読無視すると叩かれる、彼氏に", Level.MEDIUM),
    ("my supervisor shoves me every shift", Level.MEDIUM),
    ("chồng tôi say rượu là đánh tôi", Level.MEDIUM),
    # the same words, everyday: a quoted line, a game, a party, a last shift, an animal
    ("「もう会えないね」って歌詞が刺さる", Level.NONE),
    ("ボス戦、崖から飛び降りると裏に回れる", Level.NONE),
    ("今夜決行、誕生日サプライズ！", Level.NONE),
    ("塾今日で最後！先生にありがとう言ってきた", Level.NONE),
    ("カラスが屋上のフェンスに乗ってる", Level.NONE),
    ("宿題やらないとママに殺される", Level.NONE),
    ("last day of term, goodbye everyone see you in april", Level.NONE),
    ("my roommate used to self harm but she's doing great now", Level.NONE),
]


@pytest.mark.parametrize(
    ("text", "level"),
    [
        *FAMILIES_FROM_THE_FIRST_SET,
        *FAMILIES_FROM_THE_SECOND_SET,
        *FAMILIES_FROM_THE_THIRD_TO_FIFTH_SETS,
        *FAMILIES_FROM_THE_SIXTH_AND_SEVENTH_SETS,
    ],
)
def test_families_from_the_independent_sets(
    detector: RiskDetector, text: str, level: Level
) -> None:
    """Each family of phrasing an independent set found missing or misread, written anew."""
    assert detector.assess(text).level == level


def test_a_together_rule_needs_every_cue(detector: RiskDetector) -> None:
    # Alone, each cue of ja:suicide_plan_imminent.at_the_edge is an ordinary message.
    assert detector.assess("海きた").level == Level.NONE
    assert detector.assess("このまま歩いていく").level == Level.NONE
    together = detector.assess("海きた。このまま歩いていく")
    assert together.level == Level.HIGH
    assert together.rules == ("ja:suicide_plan_imminent.at_the_edge",)
    # A cue an override has reinterpreted does not count (海で花火 is an evening out).
    assert detector.assess("海で花火。このまま歩いていく").level == Level.NONE


def test_an_override_on_the_core_word_silences_a_long_match(detector: RiskDetector) -> None:
    # 今日…死ぬ is an act unless 死ぬ itself is read as figurative (テスト死ぬ).
    assert detector.assess("今日、川に行って死ぬ").level == Level.HIGH
    assert detector.assess("今日、テスト死ぬ").level == Level.NONE
    # The same override elsewhere in the message silences nothing else.
    assert detector.assess("テスト死ぬ。今日、川に行って死ぬ").level == Level.HIGH


def test_the_safety_net_catches_risk_words_no_rule_understood(detector: RiskDetector) -> None:
    for text in ("自殺", "自殺ってどうやったら", "suicide?", "tự tử là gì"):
        result = detector.assess(text)
        assert result.level == Level.MEDIUM, text
        assert result.reasons == ("risk_word_unclear",), text
    # When a rule understood the word, the net adds nothing.
    assert detector.assess("死にたい").reasons == ("suicidal_ideation",)
    # News, lessons, stories and negations still explain the word away.
    for text in ("自殺防止の授業", "映画で犯人が自殺した", "ODって略語なに？", "死にたくない"):
        assert detector.assess(text).level <= Level.LOW, text


def test_no_override_silences_any_rule_example_beside_it(detector: RiskDetector) -> None:
    """Every override example next to every rule example of its language, both ways round:
    the rule's level must survive. An override whose gaps reach across a sentence would fail
    here. (Across languages the pairs would be thousands more and tell nothing new.)"""
    overrides = [(e, x) for e in detector.entries if e.is_override for x in e.examples]
    rules = [(e, x) for e in detector.entries if not e.is_override for x in e.examples]
    assert overrides and rules
    failures = [
        text
        for override, near in overrides
        for rule, example in rules
        if override.id.split(":")[0] == rule.id.split(":")[0]
        for text in (f"{near}。{example}", f"{example}。{near}", f"{near} {example}")
        if detector.assess(text).level < rule.level
    ]
    assert failures == []


def test_every_data_example_fires_its_entry(detector: RiskDetector) -> None:
    assert detector.check_examples() == []


def _prefix_before_longer(pattern: str) -> list[str]:
    """Literal alternatives listed before a longer spelling they begin (した|したい)."""
    from re import _constants as sre
    from re import _parser as parser

    from bot.risk import _literal_strings, _nodes

    found: list[str] = []

    def walk(nodes: object) -> None:
        for op, av in nodes:  # type: ignore[attr-defined]
            if op is sre.BRANCH:
                spellings = [_literal_strings(_nodes(alt)) for alt in av[1]]
                found.extend(
                    f"{earlier} before {later}"
                    for index, earlier in enumerate(spellings)
                    for later in spellings[index + 1 :]
                    if earlier is not None
                    and later is not None
                    and any(b.startswith(a) and a != b for a in earlier for b in later)
                )
                for alt in av[1]:
                    walk(_nodes(alt))
            elif op is sre.SUBPATTERN:
                walk(_nodes(av[3]))
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                walk(_nodes(av[2]))

    walk(_nodes(parser.parse(pattern)))
    return found


def test_override_alternatives_put_longer_spellings_first(detector: RiskDetector) -> None:
    """re takes the first alternative that fits, so 殺(?:した|したい) stops at した and its span
    no longer covers 殺したい: the override would then fail to reach the end of a phrase."""
    problems = {
        entry.id: found
        for entry in detector.entries
        if entry.is_override
        for pattern in entry.patterns
        if (found := _prefix_before_longer(pattern))
    }
    assert problems == {}


# --- the anchor gate is only an optimisation ---------------------------------------------------


def test_anchors_are_literals_every_match_contains() -> None:
    expected = {"消えたい", "消えたく", "きえたい", "きえたく"}
    assert anchors_of("(?:消|き)え(?:たい|たく)") == expected
    assert anchors_of(r"\bkms\b") == {"kms"}
    assert anchors_of(r".{0,3}\d+") is None  # nothing literal: always searched


def test_gate_never_changes_a_result(detector: RiskDetector) -> None:
    texts = [
        item["text"]
        for name in (*TRAINING, *FRESH, *INDEPENDENT)
        if (DATA / name).exists()
        for item in labelled(name)
    ]
    texts += [a + b for a, b in zip(texts, reversed(texts), strict=True)]
    for text in texts:
        normalised = detector.normalise(text)
        gated = detector._assess_normalised(normalised, gated=True)
        assert gated == detector._assess_normalised(normalised, gated=False), text


# --- data validation ---------------------------------------------------------------------------

MINIMAL_LEXICON = """\
kind: risk-lexicon
lang: xx
rules:
  - id: suicidal_ideation.test
    level: medium
    reason: suicidal_ideation
    patterns:
      - 'wantdie'
"""


def _locales_with(tmp_path: Path, lexicon: str, lang: str = "xx") -> Path:
    root = tmp_path / "locales"
    (root / lang).mkdir(parents=True)
    shutil.copy(default_locales_dir() / "risk-normalise.yaml", root / "risk-normalise.yaml")
    (root / lang / "risk.yaml").write_text(lexicon, encoding="utf-8")
    return root


def test_a_minimal_lexicon_loads(tmp_path: Path) -> None:
    detector = RiskDetector.from_dir(_locales_with(tmp_path, MINIMAL_LEXICON))
    assert detector.languages == ("xx",)
    assert detector.assess("WANTDIE").level == Level.MEDIUM


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (MINIMAL_LEXICON.replace("    level: medium\n", ""), r"risk\.yaml:4: rules/0: 'level'"),
        (MINIMAL_LEXICON.replace("medium", "severe"), r"risk\.yaml:5: rules/0/level: 'severe'"),
        (MINIMAL_LEXICON.replace("'wantdie'", "'want(die'"), r"risk\.yaml:8: .*regular expr"),
        (MINIMAL_LEXICON.replace("'wantdie'", "'{NOPE}'"), r"risk\.yaml:8: .*unknown term"),
        (MINIMAL_LEXICON.replace("'wantdie'", "'WantDie'"), r"risk\.yaml:8: .*lower case"),
        (MINIMAL_LEXICON.replace("'wantdie'", "'ｗａｎｔ'"), r"risk\.yaml:8: .*NFKC"),
        (MINIMAL_LEXICON.replace("lang: xx", "lang: yy"), r"risk\.yaml:2: lang: .*folder"),
        (
            MINIMAL_LEXICON + MINIMAL_LEXICON[MINIMAL_LEXICON.index("  - id") :],
            r"risk\.yaml:9: rules/1/id: duplicate id",
        ),
        (
            MINIMAL_LEXICON + "overrides:\n  - id: x\n    kind: joke\n    level: low\n"
            "    patterns: ['a']\n",
            r"risk\.yaml:10: overrides/0: 'reason' is a required",
        ),
        ("kind: risk-lexicon\nlang: xx\nrules: [\n", r"not valid YAML"),
    ],
)
def test_broken_data_is_refused_with_file_and_line(
    tmp_path: Path, broken: str, message: str
) -> None:
    with pytest.raises(RiskDataError, match=message):
        RiskDetector.from_dir(_locales_with(tmp_path, broken))


def test_a_broken_normalise_file_is_refused(tmp_path: Path) -> None:
    root = _locales_with(tmp_path, MINIMAL_LEXICON)
    text = (root / "risk-normalise.yaml").read_text(encoding="utf-8")
    (root / "risk-normalise.yaml").write_text(
        text.replace('pattern: "[’‘`´′]"', 'pattern: "[’‘`´′"'), encoding="utf-8"
    )
    where = r"risk-normalise\.yaml:\d+: substitutions/0/pattern"
    with pytest.raises(RiskDataError, match=where):
        RiskDetector.from_dir(root)


def test_no_lexicon_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "locales"
    root.mkdir()
    shutil.copy(default_locales_dir() / "risk-normalise.yaml", root / "risk-normalise.yaml")
    with pytest.raises(RiskDataError, match="no <lang>/risk.yaml"):
        RiskDetector.from_dir(root)


# --- the JSONL runner --------------------------------------------------------------------------


def test_run_jsonl_writes_one_result_per_line_and_never_the_text(detector: RiskDetector) -> None:
    lines = [
        json.dumps({"text": "死にたい", "lang": "ja"}, ensure_ascii=False),
        "",
        json.dumps({"text": "ｵｰﾊﾞｰﾄﾞｰｽﾞした"}, ensure_ascii=False),
        "{not json",
        json.dumps({"lang": "en"}),
        json.dumps({"text": "my phone died", "lang": "en"}),
    ]
    out = io.StringIO()
    written = run_jsonl(io.StringIO("\n".join(lines) + "\n"), out, detector)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert written == 5
    assert results == [
        {"level": "medium", "reasons": ["suicidal_ideation"]},
        {"level": "high", "reasons": ["overdose", "self_harm"]},
        {"error": "invalid_json", "line": 4},
        {"error": "text_missing", "line": 5},
        {"level": "none", "reasons": []},
    ]
    assert "死にたい" not in out.getvalue()


# --- figures on the labelled set ---------------------------------------------------------------


def test_labelled_sets_are_large_and_balanced() -> None:
    main = labelled("risk_labelled.jsonl")
    heldout = labelled("risk_heldout.jsonl")
    assert len(main) >= 400
    assert len(heldout) >= 120
    for items in (main, heldout):
        assert {item["level"] for item in items} == {"none", "low", "medium", "high"}
        assert 0.35 <= sum(item["level"] == "none" for item in items) / len(items) <= 0.65
    assert not {item["text"] for item in main} & {item["text"] for item in heldout}


def figures(detector: RiskDetector, name: str, kana: bool = False) -> Tally:
    """The figures benchmarks/risk_eval.py reports for a labelled file, over the languages
    that have a lexicon. With ``kana``, Japanese lines are first written without kanji."""
    return evaluate(DATA / name, detector, kana).covered


@pytest.mark.parametrize("name", (*TRAINING, *INDEPENDENT))
def test_targets_on_the_labelled_sets(detector: RiskDetector, name: str) -> None:
    """The targets: recall of medium+high >= 0.97, high as high >= 0.85, false flags on
    none <= 0.05."""
    found = figures(detector, name)
    assert found.recall is not None and found.recall >= 0.97, found
    assert found.high_as_high is not None and found.high_as_high >= 0.85, found
    assert found.false_flags is not None and found.false_flags <= 0.05, found


def test_japanese_written_without_kanji_keeps_the_targets(detector: RiskDetector) -> None:
    """The labelled set's Japanese lines rewritten in kana (しにたい, くすりぜんぶのんだ).
    Before patterns were given their readings this was recall 0.684, high as high 0.552,
    false flags 0.092 (benchmarks/risk_eval.py --kana)."""
    found = figures(detector, "risk_labelled.jsonl", kana=True)
    assert found.recall is not None and found.recall >= 0.97, found
    assert found.high_as_high is not None and found.high_as_high >= 0.9, found
    assert found.false_flags is not None and found.false_flags <= 0.05, found


@pytest.mark.parametrize("name", FRESH)
def test_floor_on_the_fresh_sets(detector: RiskDetector, name: str) -> None:
    """A softer floor on the fresh sets: recall of medium+high >= 0.9, false flags on
    none <= 0.08."""
    items = labelled(name)
    assert len(items) >= 80
    assert {item["level"] for item in items} == {"none", "low", "medium", "high"}
    found = figures(detector, name)
    assert found.recall is not None and found.recall >= 0.9, found
    assert found.false_flags is not None and found.false_flags <= 0.08, found


# --- kana readings of Japanese patterns ----------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("死にたい", "(?:死にたい|(?<![々一-鿿])しにたい)"),  # し after a kanji is its ending
        # readings are folded like messages (small kana made large: いしょ is いしよ)
        ("遺書(?:を)?書いた", "(?:遺書|いしよ)(?:を)?(?:書いた|かいた)"),
        ("首を?吊る", "(?:首|くび)を?(?:吊る|つる)"),  # the quantifier keeps its one kana
        ("[^死殺]{0,4}消えたい", "[^死殺]{0,4}(?:消えたい|きえたい)"),  # classes untouched
        ("(?<!鼻血)血", "(?<!鼻血)血"),  # look-behinds keep their width; 血 alone is ち
        ("殺(?:す|される)", "殺(?:す|される)"),  # a verb stem alone would read さつ
        ("リスカ", "リスカ"),
    ],
)
def test_patterns_gain_the_readings_of_their_kanji_words(pattern: str, expected: str) -> None:
    assert with_readings(pattern, sudachi_reader(), fold) == expected


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("しにたい", Level.MEDIUM),
        ("きえたい", Level.MEDIUM),
        ("くすりいっぱいのんだ", Level.HIGH),
        ("いしょかいた", Level.HIGH),
        ("こんやしぬ", Level.HIGH),
        ("まいにちおとうさんになぐられる", Level.MEDIUM),
        ("しぬほどわらった", Level.NONE),
        ("楽しんじゃおう", Level.NONE),  # しんじゃおう is the ending of 楽
        ("あたらしいしょくばです", Level.NONE),  # 遺書 is (?#kanji-only) on its own
        ("うみいきたい", Level.NONE),  # 逝きたい read in kana is 行きたい
    ],
)
def test_kana_spelling_is_understood(detector: RiskDetector, text: str, level: Level) -> None:
    assert detector.assess(text).level == level


def test_in_kana_rewrites_kanji_words_only() -> None:
    assert in_kana("薬を全部飲んだ、ｗ") == "くすりをぜんぶのんだ、ｗ"


def test_every_reason_code_has_a_console_label_in_every_full_locale() -> None:
    """Counsellors read reasons, never codes (handoff/static/console.js: console.risk_reason)."""
    locales = Locales.load(default_locales_dir())
    missing = [
        (locale.code, reason)
        for locale in locales.full_locales()
        for reason in REASONS
        if locales.lookup(locale.code, f"console.risk_reason.{reason}") is None
    ]
    assert missing == []


def test_every_pattern_of_an_override_silences_what_it_covers(detector: RiskDetector) -> None:
    """An override entry with many patterns: the one that explains 殺される笑 is not the first
    of figurative.idiom to match here (the hard practice is), and still silences it. Until
    session 3 only an override's first matching pattern counted."""
    text = "部活の朝練きつすぎて、コーチに殺される笑"
    normalised = detector.normalise(text)
    idiom = [p for p in detector._patterns if p.entry.id == "ja:figurative.idiom"]
    assert sum(1 for p in idiom if p.regex.search(normalised)) >= 2
    assert detector.assess(text).level == Level.NONE


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # Japanese typed in the Latin alphabet is read in kana by the Japanese rules.
        ("konya jisatsu shimasu", Level.HIGH),
        ("ima kara tobioriru", Level.HIGH),
        ("mou ikitakunai", Level.MEDIUM),
        ("watashi nanka inai hou ga ii yo ne", Level.MEDIUM),
        ("kyou wa tanoshikatta yo", Level.NONE),
        ("ashita gakkou de tesuto ga aru", Level.NONE),
        # English that converts to kana as readily is not taken for it.
        ("i have no idea where it is", Level.NONE),
        ("my mom is so annoying today", Level.NONE),
        # Tomorrow morning, in kana as children write it; an early start is a figure of speech.
        ("あしたのあさしぬ", Level.HIGH),
        ("明日の朝死ぬ", Level.HIGH),
        ("明日の朝早すぎて死ぬ", Level.NONE),
        # Disappearing at a time, said as a sentence of its own; a thing that vanishes.
        ("もう限界。今夜消える", Level.HIGH),
        ("あした消える", Level.MEDIUM),
        ("クーポン今夜消える", Level.NONE),
    ],
)
def test_japanese_in_romaji_and_in_kana(detector: RiskDetector, text: str, level: Level) -> None:
    assert detector.assess(text).level == level


def test_only_romaji_japanese_is_read_in_kana() -> None:
    from bot.risk_romaji import looks_like_romaji, romaji_to_kana

    assert looks_like_romaji("mou tsukareta. ikiru no yametai")
    assert not looks_like_romaji("i have no idea where it is")
    assert not looks_like_romaji("もう無理")
    assert romaji_to_kana("konya") == "こんや"  # not こにゃ


def test_no_pattern_is_woken_by_a_lone_particle(detector: RiskDetector) -> None:
    """Each pattern is gated on the anchors a message holds most seldom. A lone common kana
    (て, で, れ) would wake it on nearly every message: two costly patterns were, until the
    score summed the anchors' chances instead of docking a tenth per anchor."""
    weak = [
        pattern.entry.id
        for pattern in detector._patterns
        if any(len(a) == 1 and a in _COMMON_KANA for a in anchors_of(pattern.regex.pattern) or ())
    ]
    assert weak == []
