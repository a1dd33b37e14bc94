"""Risk lexicons for Portuguese (Brazilian, as Nikkei Brazilians and teens in Japan type it)
and Spanish (as Peruvian and other Latin American residents in Japan type it): realistic
messages per level, hard negatives, accents dropped, and no change to any other language."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.risk import Level, RiskDetector

DATA = Path(__file__).parent / "data"
OURS = ("pt", "es")


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return RiskDetector.from_dir()


PT = [
    # high: an act now or tonight, an overdose taken, a farewell, a place, violence now
    ("hj a noite eu vou me matar, ja decidi", "high"),
    ("vou me jogar da ponte agora", "high"),
    ("tomei uma cartela inteira de rivotril", "high"),
    ("escrevi minha carta de despedida pra minha mãe", "high"),
    ("tô em cima do prédio do apato, não aguento mais", "high"),
    ("meu padrasto ta me batendo socorro", "high"),
    ("ele falou que vai me matar", "high"),
    ("to me cortando agora e nao para de sangrar", "high"),
    ("vou tomar todos os remedios agora", "high"),
    ("meu pai vai me matar se eu contar pra alguem", "high"),
    # medium: the wish to die, self-harm, abuse that goes on
    ("queria muito morrer", "medium"),
    ("qro morrer mano", "medium"),
    ("n aguento mais viver, quero sumir pra sempre", "medium"),
    ("to pensando em me matar todo dia depois do zangyo", "medium"),
    ("ninguem ia sentir minha falta se eu sumisse", "medium"),
    ("meu pai me bate quando bebe", "medium"),
    ("eu me corto no braço quando fico mal", "medium"),
    ("ja tentei me matar", "medium"),
    # low: loneliness, no sleep, bullying (ijime), a negated wish
    ("to muito sozinho aqui no japao", "low"),
    ("nao consigo dormir faz dias", "low"),
    ("sofro ijime na escola japonesa", "low"),
    ("to na bad hoje", "low"),
    ("nao quero morrer, mas to mal", "low"),
    ("minha amiga disse que quer se matar", "low"),
    ("me sinto um peso pra todo mundo", "low"),
    # none: figurative, third person, news, ordinary uses of the same words
    ("morrendo de rir kkkkk", "none"),
    ("to morta de cansaço depois do zangyo", "none"),
    ("essa prova vai me matar", "none"),
    ("minha mãe vai me matar se ver minha nota kkk", "none"),
    ("meu avô morreu ano passado", "none"),
    ("vi uma notícia sobre suicídio no japão", "none"),
    ("hoje vou me jogar na balada", "none"),
    ("não quero mais viver no japão, quero voltar pro brasil", "none"),
    ("adeus a todos, volto pro brasil amanhã", "none"),
    ("tomei todos os remedios de hoje certinho", "none"),
    ("hj eu morro de rir com vc", "none"),
    ("amanhã vou morrer na prova de kanji", "none"),
    ("o hancho vai me matar se eu atrasar de novo", "none"),
]

ES = [
    ("esta noche me mato, ya no aguanto", "high"),
    ("me tomé todas las pepas que tenía", "high"),
    ("toy en la azotea del edificio y voy a saltar", "high"),
    ("mi padrastro me está pegando ahorita, ayuda", "high"),
    ("mi esposo dijo que me va a matar", "high"),
    ("me voy a tirar a las vías del tren", "high"),
    ("adiós a todos, perdónenme", "high"),
    ("como matarme sin dolor", "high"),
    ("voy a tomar todas las pastillas esta noche", "high"),
    ("mi padrastro me va a matar si le digo a la policía", "high"),
    ("me quiero morir, ya no puedo más", "medium"),
    ("kiero morirme", "medium"),
    ("pienso en suicidarme a veces", "medium"),
    ("mi viejo me pega cuando toma", "medium"),
    ("me corto los brazos cuando estoy sola", "medium"),
    ("para q vivo si nadie me quiere", "medium"),
    ("ojalá no despertar mañana", "medium"),
    ("todos estarían mejor sin mí", "medium"),
    ("me siento muy sola en japón", "low"),
    ("no puedo dormir", "low"),
    ("me hacen ijime en el colegio", "low"),
    ("estoy cansada de todo", "low"),
    ("no quiero morir, solo estoy triste", "low"),
    ("soy una carga para todos", "low"),
    ("me muero de risa jajaja", "none"),
    ("me muero por verte", "none"),
    ("me mato trabajando en la fábrica", "none"),
    ("este calor me va a matar", "none"),
    ("mi mamá me va a matar si ve mis notas jaja", "none"),
    ("murió de sobredosis el cantante", "none"),
    ("me corto el pelo mañana", "none"),
    ("no quiero vivir en japón para siempre", "none"),
    ("me voy a tirar a dormir", "none"),
    ("estoy sola en casa hoy", "none"),
    ("casi me mato con la bici", "none"),
    ("ahorita me muero de hambre", "none"),
    ("hoy me muero del calor", "none"),
    ("mañana me muero en el examen", "none"),
    ("adiós a todos, mañana regreso al perú", "none"),
]


# Families of phrasing an independent test set found missing, each in words of its own, with a
# hard negative beside it where one is plausible.
PT_FAMILIES = [
    # a goodbye and the ones left behind put in someone's care: a plan told in hints
    ("obrigada por tudo. cuidem do meu gato por mim", "high"),
    ("fala pra minha mãe que eu amo ela. adeus", "high"),
    ("obrigado por tudo, cuidem do meu gato enquanto eu viajo pro brasil", "none"),
    ("fala pra minha mãe que eu amo ela, amanhã eu ligo", "none"),
    # at the platform, the express passing, and at the end of one's strength
    ("tô na estação esperando o trem expresso passar, não aguento mais", "high"),
    ("tô na plataforma esperando o expresso passar pra pegar o local", "none"),
    ("tô na plataforma esperando o trem chegar, desculpa a demora", "none"),
    # being here or alive makes no difference / why still here, being a burden
    ("tanto faz se eu existo ou não", "medium"),
    ("dá no mesmo eu estar viva ou não", "medium"),
    ("pra que eu ainda tô aqui se só sou um peso pra minha família", "medium"),
    ("tanto faz eu ir ou não na festa", "none"),
    ("tanto faz eu estar aqui ou não na reunião", "none"),
    # someone at work hits the writer, as a habit
    ("o encarregado me bate toda vez que eu erro", "medium"),
    ("o encarregado me ajuda toda vez que eu erro", "none"),
    # someone else's self-harm in the past, fine now (but never hiding the writer's own)
    ("minha amiga se automutilava antes, hoje tá bem e casou", "none"),
    ("minha amiga se cortava, e eu me corto também", "medium"),
    # a suicide as news or a train delay, a school project about suicide
    ("o trem atrasou por causa de um suicídio na linha", "none"),
    ("to fazendo uma pesquisa sobre suicídio entre jovens", "none"),
    # a rope bought for the washing line
    ("comprei uma corda no daiso pra fazer varal", "none"),
]

ES_FAMILIES = [
    ("gracias por todo, de verdad. por favor cuiden a mi gatita", "high"),
    ("díganle a mi mamá que la quiero mucho. adiós", "high"),
    ("gracias por todo! mañana me voy de vacaciones, cuiden a mi perro", "none"),
    ("díganle a mi mamá que la quiero, mañana la llamo", "none"),
    ("estoy en el andén esperando que pase el rápido, ya me cansé de todo", "high"),
    ("estoy en el andén esperando que pase el rápido para tomar el local", "none"),
    ("me da igual si sigo aquí o no", "medium"),
    ("qué sentido tiene que yo siga en este mundo", "medium"),
    ("para qué sigo aquí si solo soy un estorbo para mi familia", "medium"),
    ("no le encuentro sentido a seguir en esta empresa", "none"),
    ("qué sentido tiene seguir estudiando japonés", "none"),
    ("el hancho de la fábrica me golpea cada vez que me equivoco", "medium"),
    ("el sol me pega fuerte cuando salgo", "none"),
    ("mi jefe siempre me pega gritos cuando llego tarde", "none"),
    ("un amigo mío se autolesionaba hace años, ya lo superó", "none"),
    ("mi prima se autolesionaba antes; yo me corto desde el año pasado", "medium"),
    ("el tren se retrasó por un suicidio en la línea", "none"),
    ("mi trabajo de investigación es sobre el suicidio juvenil", "none"),
    ("vi una noticia de un suicidio y ahora pienso en suicidarme", "medium"),
    ("compré una soga en el daiso para tender la ropa", "none"),
    ("compré una soga para colgarme", "high"),
]


@pytest.mark.parametrize(
    ("lang", "text", "level"),
    [
        *(("pt", *case) for case in (*PT, *PT_FAMILIES)),
        *(("es", *case) for case in (*ES, *ES_FAMILIES)),
    ],
)
def test_levels(detector: RiskDetector, lang: str, text: str, level: str) -> None:
    assert detector.assess(text, lang).level == Level.parse(level), detector.assess(text).rules


def test_each_language_has_enough_cases_at_every_level() -> None:
    for cases in (PT, ES):
        counts = Counter(level for _, level in cases)
        assert counts["high"] >= 3 and counts["medium"] >= 3, counts
        assert counts["low"] >= 2 and counts["none"] >= 4, counts


@pytest.mark.parametrize(
    ("accented", "bare", "level"),
    [
        ("não quero mais viver", "nao quero mais viver", Level.MEDIUM),
        ("tô em cima da ponte", "to em cima da ponte", Level.HIGH),
        ("ojalá estuviera muerta", "ojala estuviera muerta", Level.MEDIUM),
        ("me tomé todas las pastillas", "me tome todas las pastillas", Level.HIGH),
    ],
)
def test_accents_are_optional(
    detector: RiskDetector, accented: str, bare: str, level: Level
) -> None:
    assert detector.assess(accented).level == level
    assert detector.assess(bare).level == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("morrendo de rir, mas quero morrer de verdade", Level.MEDIUM),
        ("essa prova vai me matar. hj a noite vou me matar", Level.HIGH),
        ("me muero de hambre y la verdad me quiero morir", Level.MEDIUM),
        ("vi una noticia sobre el suicidio y pienso en suicidarme", Level.MEDIUM),
        ("adiós a todos, regreso al perú. adiós a todos", Level.HIGH),
    ],
)
def test_a_figurative_or_news_use_never_hides_a_risk_beside_it(
    detector: RiskDetector, text: str, level: Level
) -> None:
    assert detector.assess(text).level == level


def test_japanese_romaji_inside_portuguese_reaches_the_japanese_lexicon(
    detector: RiskDetector,
) -> None:
    assert detector.assess("mano, shinitai").level == Level.MEDIUM
