"""Risk lexicons for Chinese (zh) and Korean (ko): realistic messages per level, figures of
speech and hard negatives, and proof that neither lexicon changes how a message of another
language is graded (Chinese shares many characters with Japanese)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.risk_lexicons import detector_without

from bot.risk import Level, RiskDetector

DATA = Path(__file__).parent / "data"
OURS = ("zh", "ko")


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return RiskDetector.from_dir()


@pytest.fixture(scope="module")
def without_ours(tmp_path_factory: pytest.TempPathFactory) -> RiskDetector:
    """The same data with every lexicon but zh and ko: what other languages got before."""
    return detector_without(OURS, tmp_path_factory.mktemp("locales"))


ZH = [
    # high: an act now or soon, a note, a place, pills taken, bleeding, violence, threats
    ("今晚我就去死", "high"),
    ("我决定了，今晚跳楼", "high"),
    ("今天晚上我要自殺", "high"),  # traditional
    ("遗书写好了，谢谢大家", "high"),
    ("我现在在楼顶，不想再活了", "high"),
    ("我現在在樓頂", "high"),
    ("我刚吃了一整瓶安眠药", "high"),
    ("吃了三十片安眠药", "high"),
    ("我刚吞了一把💊", "high"),  # the emoji arrives as 薬
    ("刚刚割了手腕，血一直止不住", "high"),
    ("我爸正在打我，救命", "high"),
    ("被锁在房间里出不去，刚被打了", "high"),
    ("他说要杀了我", "high"),
    # medium: the wish to die or not to live, self-harm, ongoing abuse
    ("我真的好想死", "medium"),
    ("我不想活了", "medium"),
    ("活著沒意思", "medium"),  # traditional
    ("为什么还要活着", "medium"),
    ("好想从这个世界消失", "medium"),
    ("我想紫砂", "medium"),  # homophone of 自杀
    ("bu xiang huo le", "medium"),  # pinyin
    ("wo xiang si", "medium"),
    ("希望自己没出生", "medium"),
    ("我又自残了", "medium"),
    ("我爸一喝酒就打我", "medium"),
    ("我在バイト被店长打了", "medium"),  # mixed with Japanese
    ("我以前割腕过", "medium"),  # a past attempt is history, not an act now
    ("不是不想死", "medium"),  # double negation
    # low: distress, someone else's risk, a negation, pain said as dying
    ("我好孤独", "low"),
    ("最近一直失眠", "low"),
    ("每天晚上都哭", "low"),
    ("在学校被欺负", "low"),
    ("我朋友说她想死", "low"),
    ("我不想死", "low"),
    ("难受得想死", "low"),
    # none: figures of speech, missing someone, news, stories, other deaths, everyday words
    ("笑死我了", "none"),
    ("累死了", "none"),
    ("尴尬得想死", "none"),
    ("想死你了", "none"),  # "I missed you so much"
    ("今天看了一个自杀的新闻", "none"),
    ("电影里主角最后自杀了", "none"),
    ("我爷爷去年去世了", "none"),
    ("我在天台看星星", "none"),
    ("鼻血止不住", "none"),
    ("他在打我电话", "none"),  # 打电话: phoning
    ("紫砂壶很贵", "none"),  # the teapot clay
    ("我的梦想消失了", "none"),
    ("不想活动", "none"),
    ("今天考试要死了", "none"),
    ("我妈知道了会杀了我", "none"),
    ("今天跳楼价大甩卖", "none"),  # rock-bottom prices
    ("这个问题我想死磕到底", "none"),  # stick at it
    ("我想死心了", "none"),  # give up on him
    ("又看到自杀式袭击的报道", "none"),
]

KO = [
    # high
    ("오늘 밤에 죽을 거야", "high"),
    ("내일 자살할 거야", "high"),
    ("죽기로 결심했어", "high"),
    ("지금 옥상이야. 뛰어내릴 거야", "high"),
    ("다리 위에 서 있어", "high"),
    ("유서 다 썼어", "high"),
    ("수면제 한 통 다 먹었어", "high"),
    ("약을 30알 먹었어", "high"),
    ("방금 손목 그었어, 피가 안 멈춰", "high"),
    ("아빠가 지금 때리고 있어", "high"),
    ("방에 갇혀서 못 나가", "high"),
    ("아빠가 나 죽여버린대", "high"),
    # medium, with and without spaces and in chat spellings
    ("죽고 싶다", "medium"),
    ("죽고싶다", "medium"),
    ("죽고시퍼", "medium"),
    ("뒤지고 싶다", "medium"),
    ("살기 싫어", "medium"),
    ("살고 싶지 않아", "medium"),
    ("사는 게 의미 없어", "medium"),
    ("그냥 사라지고 싶어", "medium"),
    ("자살각", "medium"),
    ("한강 물 온도 몇 도야", "medium"),
    ("차라리 죽는 게 나아", "medium"),
    ("또 자해했어", "medium"),
    ("아빠가 술만 마시면 때려", "medium"),
    ("엄마한테 맨날 맞아", "medium"),
    ("중학교 때 자해했었어", "medium"),  # history
    ("죽고 싶지 않은 건 아니야", "medium"),  # double negation
    # low
    ("너무 외로워", "low"),
    ("잠이 안 와", "low"),
    ("반에서 왕따 당해", "low"),
    ("친구가 자꾸 죽고 싶대", "low"),
    ("죽고 싶지는 않아", "low"),
    ("죽고 싶을 만큼 힘들어", "low"),
    # none
    ("피곤해 죽겠어", "none"),
    ("배고파 죽겠다", "none"),
    ("웃겨 죽겠네", "none"),
    ("쪽팔려서 죽고 싶다", "none"),
    ("죽고 싶지만 떡볶이는 먹고 싶어", "none"),  # a book title
    ("엄마가 알면 나 죽인대 ㅋㅋ", "none"),
    ("자살 예방 교육 받았어", "none"),
    ("드라마에서 주인공이 자살했어", "none"),
    ("할머니가 작년에 돌아가셨어", "none"),
    ("친구들이랑 옥상에 있어", "none"),
    ("번지점프에서 뛰어내릴 거야", "none"),
    ("코피가 안 멈춰", "none"),
    ("학원 때려치우고 싶어", "none"),
    ("이 옷 나한테 맞아", "none"),  # "it fits me"
    ("오늘 죽을 거 같아", "none"),
    ("너 죽을래?", "none"),
    ("어제 축구하다 자살골 넣었어", "none"),  # an own goal
]


# Families of phrasing an independent test set found missing: for each, a message in other
# words than the one it missed, and a hard negative that shares its surface but not its meaning.
FAMILIES = [
    # at a bridge, a river or the sea, with last words or no way back (a plan told in hints)
    ("zh", "我在江边 最后跟你们说一声", "high"),
    ("zh", "站在天台上 最后一条消息 对不起妈妈", "high"),
    ("zh", "在桥上拍夜景 水好黑 有点吓人", "none"),
    ("zh", "和朋友在海边烧烤 明天回去了", "none"),
    # a letter left where it will be found, and ending it tonight
    ("zh", "遗言写好了 现在就了断吧", "high"),
    ("zh", "给爸妈的纸条放在书桌上了 今天一切都结束吧", "high"),
    ("zh", "信写好了 今晚就寄出去", "none"),
    ("zh", "推荐信写好了 今天结束了", "none"),
    # all the pills or a count, and drifting off or saying sorry
    ("zh", "把抽屉里的安定片全吞了 四十多片 眼皮好重", "high"),
    ("zh", "感冒药全吃完了 头还是好晕", "none"),  # finished the course
    ("zh", "医生开的药都吃了 还是头晕", "none"),  # took it as told
    # wishing not to wake up
    ("zh", "如果睡着了就再也不醒来该多好", "medium"),
    ("zh", "要是明天不用早起就好了", "none"),
    ("zh", "要是明天不用醒来那么早就好了", "none"),
    # hit by a partner whenever something sets him off
    ("zh", "我男朋友一不高兴就打我 好几次了", "medium"),
    ("zh", "他每天打我电话", "none"),
    # a passport or residence card kept, and kept from leaving (migrant workers)
    ("zh", "社长把在留卡扣着 不让我辞职", "medium"),
    ("zh", "护照放在中介那里办签证 下周拿回来", "none"),
    # cutting as a habit, told by the marks or by the relief
    ("zh", "大腿上又添了好几道 刀片藏在笔袋里", "medium"),
    ("zh", "划了以后才能冷静下来", "medium"),
    ("zh", "切菜的时候不小心划了 手上多了一道口子", "none"),
    ("zh", "被猫抓了 手上多了几道", "none"),
    # the world would go on without me
    ("ko", "내가 사라져도 다들 아무렇지 않게 살겠지", "medium"),
    ("ko", "내가 없으면 가족들이 더 편할 거야", "medium"),
    ("ko", "내가 없어도 회사는 잘 돌아가겠지 휴가 신청함", "none"),
    ("ko", "왜 버티고 있는지 모르겠다", "low"),
    # cut again, and the marks hidden
    ("ko", "몰래 또 그었음 허벅지 흉터 늘어남", "medium"),
    ("ko", "팔에 모기 자국 가리느라 긴팔 입음", "none"),
    ("ko", "밑줄 또 그었어 긴팔 입고 도서관 감", "none"),
]

# Families a third independent set found missing, each in new words, with hard negatives that
# share the surface. Farewells are what turn a place, pills or a letter into a plan.
FAMILIES_FROM_THE_THIRD_SET = [
    # zh: pills taken (saved up, swallowed all), with symptoms or last words
    ("zh", "我把这几个月存下来的安眠药全吃了", "high"),
    ("zh", "感冒药和退烧药全吞了 现在喘不过气", "high"),
    ("zh", "止痛药吃了二十片 谢谢你们这么多年", "high"),
    ("zh", "药吃了 谢谢你提醒我", "none"),
    ("zh", "把感冒药全吃完了 病也好了", "none"),
    # zh: at a bridge or a platform edge, and giving up or thanking for the last time
    ("zh", "在大桥上吹了好久的风 撑不下去了", "high"),
    ("zh", "站在站台边上 谢谢你陪我聊了这么久", "high"),
    ("zh", "在桥上拍照 风好大 今天就这样吧", "none"),
    # zh: the last message, without 我
    ("zh", "这就是最后一条消息了 爸妈保重", "high"),
    # zh: a threat with time words between; hiding from someone breaking the door
    ("zh", "我老公说今晚一定要弄死我", "high"),
    ("zh", "他在外面砸门 我抱着孩子躲在卧室里", "high"),
    ("zh", "和妹妹玩捉迷藏 我躲在衣柜里", "none"),
    # zh: charcoal and a sealed room, or affairs put in order
    ("zh", "木炭已经点上了 窗户也封死了", "high"),
    ("zh", "周末去河边烧烤 木炭买好了", "none"),
    ("zh", "台风要来了 窗户都用胶带贴好了", "none"),
    # zh: burning or cutting oneself, as a habit; an accident is not that
    ("zh", "最近又开始拿打火机烫手背了", "medium"),
    ("zh", "今天又划了手臂 没人知道", "medium"),
    ("zh", "一天不划一下就难受", "medium"),
    ("zh", "做饭的时候被油烫了手", "none"),
    ("zh", "被纸划了手腕一下 有点疼", "none"),
    # zh: a death wished on by accident; a burden to everyone
    ("zh", "每次坐飞机都在想 要是飞机掉下来就好了", "medium"),
    ("zh", "没有我的话 家里人会过得更好", "medium"),
    ("zh", "我在这个世界上就是个多余的", "medium"),
    ("zh", "要是明天放假就好了", "none"),
    ("zh", "没有我们的帮助 他也过得很好", "none"),
    # zh: pinyin typed without tones
    ("zh", "wo gangcai ge le shou wan", "high"),
    ("zh", "xue liu bu ting", "high"),
    ("zh", "wo you zi can le", "medium"),
    ("zh", "xue xiao hen da", "none"),
    # zh: someone else's self-harm, past and over; the writer's own past is history
    ("zh", "我表姐高中的时候自残过 现在当老师了", "none"),
    ("zh", "她以前会割手腕 后来好了", "none"),
    ("zh", "我以前自残过", "medium"),
    ("zh", "朋友以前割腕过 我现在也想割", "medium"),  # the writer's own urge stays
    ("zh", "周末想划船", "none"),
    # zh: homework or overtime "made me want to die": laughing is a figure, without a laugh a note
    ("zh", "背单词背得我想死哈哈", "none"),
    ("zh", "加班加到我想死", "low"),
    # zh: everyday distress
    ("zh", "学习压力特别大", "low"),
    ("zh", "每天只能一个人吃午饭", "low"),
    ("zh", "爸妈天天吵架", "low"),
    # ko: at a platform, the sea or a river, with an end named or shoes left behind
    ("ko", "지하철역 승강장이야. 열차 들어오면 뛰어들게", "high"),
    ("ko", "바다 앞에 신발 벗어 놓고 왔어", "high"),
    ("ko", "승강장에서 기다려 열차 오면 탈게", "none"),
    ("ko", "바닷가에서 신발 벗고 모래놀이 했어", "none"),
    # ko: charcoal lit and the room sealed; a rope bought and thanks for everything
    ("ko", "연탄 피웠고 문틈도 수건으로 막았어", "high"),
    ("ko", "로프 튼튼한 걸로 구했어 다들 그동안 고마웠어", "high"),
    ("ko", "태풍 온대서 창문 테이프로 다 막았어", "none"),
    ("ko", "이삿짐 묶을 로프 샀어 도와줘서 고마워", "none"),
    # ko: pills with words between; cut and bleeding heavily
    ("ko", "수면제 아까 한꺼번에 다 삼켰어", "high"),
    ("ko", "커터로 그었는데 피가 생각보다 많이 나와", "high"),
    ("ko", "감기약 한 번에 두 알 먹었어", "none"),
    ("ko", "넘어져서 무릎에서 피가 계속 나", "none"),
    # ko: hit now with words between; locked in and hit
    ("ko", "새아빠가 지금 술 취해서 들어와서 엄마를 때리고 있어요", "high"),
    ("ko", "오빠가 방문 잠그고 나를 때려", "high"),
    ("ko", "아빠가 지금 못을 때리고 있어", "none"),
    ("ko", "문 잠그고 게임했어", "none"),
    # ko: hit as a habit, with two habit words; grabbed by the hair
    ("ko", "남편이 술 먹으면 자주 때려요", "medium"),
    ("ko", "남자친구가 화나면 머리채를 잡아요", "medium"),
    ("ko", "술 마시면 맨날 노래 불러", "none"),
    ("ko", "드라마에서 머리채 잡고 싸우는 장면 웃겼어", "none"),
    # ko: onto the tracks, under a car, not waking
    ("ko", "선로에 그냥 몸을 던지고 싶어", "medium"),
    ("ko", "차에 치이고 싶다", "medium"),
    ("ko", "아침에 안 깼으면 좋겠어", "medium"),
    ("ko", "1차에 떨어지고 싶지 않아", "none"),
    ("ko", "주말엔 알람 없이 늦잠 자면 좋겠다", "none"),
    # ko: the blade named first; marks hidden and done again
    ("ko", "면도칼로 허벅지 긋는 게 습관이 됐어", "medium"),
    ("ko", "팔 흉터 가리려고 긴팔만 입어 오늘도 또 했어", "medium"),
    # ko: someone else's past self-harm; the writer's own
    ("ko", "동생이 예전에 자해했었는데 요즘은 괜찮아 보여", "none"),
    ("ko", "나 예전에 자해했었어", "medium"),
    ("ko", "친구가 예전에 자해했었는데 나도 요즘 자해해", "medium"),
    # ko: everyday distress
    ("ko", "애들이 나만 빼고 밥 먹으러 갔어", "low"),
    ("ko", "부모님이 또 싸우셔서 무서워", "low"),
    # reviewed by the lead: an instrument is not a person; "that's it, home now"
    ("ko", "형이 방에서 드럼 치고 있어 시끄러워", "none"),
    ("ko", "아빠가 지금 엄마를 때리고 있어", "high"),
    ("zh", "在桥上拍完照了 就这样吧 回家了", "none"),
    ("zh", "在桥上 就这样吧", "high"),
]


@pytest.mark.parametrize(
    ("lang", "text", "level"),
    [
        *FAMILIES,
        *FAMILIES_FROM_THE_THIRD_SET,
        *(("zh", *case) for case in ZH),
        *(("ko", *case) for case in KO),
    ],
)
def test_levels(detector: RiskDetector, lang: str, text: str, level: str) -> None:
    assert detector.assess(text, lang).level == Level.parse(level), detector.assess(text).rules


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("笑死我了，但我真的想死", Level.MEDIUM),
        ("尴尬得想死。今晚我就去死", Level.HIGH),
        ("想死你了。我不想活了", Level.MEDIUM),
        ("今天看了自杀的新闻，我也想自杀", Level.MEDIUM),
        ("我在天台看星星。我现在在楼顶，永别了", Level.HIGH),
        ("배고파 죽겠다. 근데 진짜 죽고 싶어", Level.MEDIUM),
        ("드라마에서 주인공이 자살했어. 나도 자살하고 싶어", Level.MEDIUM),
        ("친구가 죽고 싶대. 나도 죽고 싶다", Level.MEDIUM),
        ("코피가 안 멈춰. 방금 손목 그었어", Level.HIGH),
    ],
)
def test_an_explained_use_never_hides_the_writers_own_risk(
    detector: RiskDetector, text: str, level: Level
) -> None:
    assert detector.assess(text).level == level


@pytest.mark.parametrize(
    "text",
    [
        # Japanese that shares the characters of Chinese risk words (想死, 自殺, 割腕, 孤独...)
        "予想死者数が発表された",
        "感想死ぬほど書いた",
        "構想死ぬほど練った",
        "理想消失の時代",
        "自殺対策の授業があった",
        "現在自殺対策について調べている",
        "孤独・孤立対策の相談窓口",
        "非常に孤独だ",
        "被虐待児の支援について学んだ",
        "天台宗のお寺に行った",
        "割腕時計",
        "毎日が憂鬱",
        "抑鬱状態と診断された",
        "今夜は飲み会",
        "上司に毎日怒られる",
        "生活が苦しい",
    ],
)
def test_japanese_sharing_chinese_characters_is_graded_as_before(
    detector: RiskDetector, without_ours: RiskDetector, text: str
) -> None:
    assert detector.assess(text, "ja") == without_ours.assess(text, "ja")
