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


# Families a third independent set found missing: affairs put in order and the end said, an edge
# and a last word, a rope tied up, self-harm as a habit or hidden under long sleeves, "it would be
# easier not to wake up", a partner who controls and hits; each with the trip, the drama, the
# song, the scar or the chore that says the same words and is no risk.
PT_FAMILIES_3 = [
    # a letter left, things given away, and the end said (not before a trip or for a job)
    ("escrevi uma carta pro meu pai e deixei na gaveta. cuidem dele por mim", "high"),
    ("já doei minhas roupas e escrevi uma carta pra minha mãe. essa noite acaba tudo", "high"),
    ("deixei a carta em cima da cama. vou embora pra sempre", "high"),
    (
        "deixei a carta de despedida pro pessoal da fábrica, semana que vem volto pro brasil",
        "none",
    ),
    ("escrevi uma carta de apresentação pra empresa, hoje acaba o prazo", "none"),
    ("na novela ela deixou uma carta e foi embora pra sempre, chorei", "none"),
    # at the water's edge or over the railing, and a last word
    ("to na beira do mar perto do porto, desculpa mãe", "high"),
    ("tô na sacada do 8 andar, já passei a perna por cima da grade. me perdoem", "high"),
    ("to na estação, o próximo expresso passa em 3 minutos. perdão a todos", "high"),
    ("to na beira do rio pescando com meu pai, amo vocês", "none"),
    ("to na estação, o trem passa em 5 minutos, desculpa a demora", "none"),
    ("adeus galera, vou de férias pro brasil por um mês! cuidem do meu gato", "none"),
    # a rope tied to a beam (not for a hammock)
    ("já amarrei a corda na viga do depósito, ninguém vem até segunda", "high"),
    ("amarrei a corda na árvore pra pendurar a rede", "none"),
    # self-harm hidden under long sleeves (not a surgery scar)
    ("de novo cortes na coxa, uso moletom mesmo no calor pra ninguém perceber", "medium"),
    ("tenho uma cicatriz no braço da cirurgia, uso manga comprida", "none"),
    # it would be easier not to wake up / to disappear; nobody would notice; looking up ways
    ("às vezes acho que seria melhor não acordar", "medium"),
    ("seria mais fácil sumir de vez", "medium"),
    ("se eu morresse ninguém ia nem notar", "medium"),
    ("passo a noite pesquisando jeito de não existir", "medium"),
    ("seria melhor não acordar cedo amanhã", "none"),
    # a partner or a boss who controls and hits, on a condition or with long hours
    ("meu namorado controla meu dinheiro e me bate se eu saio sozinha", "medium"),
    ("o patrão me obriga a trabalhar 14 horas e me empurra quando eu reclamo", "medium"),
    ("o patrão me faz trabalhar 12 horas e grita comigo", "none"),
    # a love song, dying in someone's arms
    ("quero morrer nos seus braços, te amo", "none"),
    ('a música diz "eu quero morrer" mas é de amor', "none"),
]

ES_FAMILIES_3 = [
    (
        "ya les regalé mi ropa a mis primas y escribí una carta para mi papá. "
        "esta noche termina todo",
        "high",
    ),
    ("dejé una carta para mis hijos en el cajón. hoy me despido de todos", "high"),
    ("ya escribí la carta para el casero, me mudo el lunes. me despido de todos", "none"),
    ("escribí una carta de presentación para el trabajo, hoy termina todo el proceso", "none"),
    ("en la novela la protagonista escribió una carta y se fue para siempre", "none"),
    ("ya les regalé mis cosas del juego a mis amigos, hoy cierran el servidor", "none"),
    ("estoy en la azotea del edificio, ya pasé las piernas por la baranda. perdónenme", "high"),
    ("toy en el balcón del piso 10. gracias por todo", "high"),
    ("estoy en el andén, el expreso pasa en 2 minutos. perdón a todos", "high"),
    ("estoy en el balcón con mis amigos viendo el atardecer, gracias por todo chicos", "none"),
    ("estoy en la estación, el tren pasa en 5 minutos, perdón a todos por la demora", "none"),
    ("mañana me voy a cusco en bus, adiós japón por dos semanas! cuiden a mi perro", "none"),
    ("ya tengo amarrada la cuerda en el ventilador del cuarto", "high"),
    ("amarré la soga en el árbol para colgar la hamaca", "none"),
    ("colgué la cuerda en el techo para secar la ropa", "none"),
    ("me sigo haciendo daño con la navaja, ya es costumbre", "medium"),
    ("me hice cortes en los brazos otra vez", "medium"),
    ("tengo marcas en las muñecas y siempre uso manga larga para que nadie vea", "medium"),
    ("me hice un corte en el dedo cocinando", "none"),
    ("tengo una cicatriz en el brazo de la operación, uso manga larga", "none"),
    ("a veces quisiera dormirme y no volver a despertar", "medium"),
    ("sería mejor no existir, la verdad", "medium"),
    ("la verdad ya no le encuentro sentido a seguir así", "medium"),
    ("sería mejor no despertar al bebé", "none"),
    ("no le encuentro sentido a seguir estudiando esto", "none"),
    ("mi marido me quita la plata y me pega si me quejo", "medium"),
    ("el jefe me hace trabajar 14 horas y me golpea", "medium"),
    ("mi jefe me hace trabajar 12 horas y me grita", "none"),
    ("el sol me pega fuerte si salgo sin gorra", "none"),
    ('la canción dice "quiero morir a tu lado", me encanta', "none"),
    ("quiero morir en tus brazos mi amor jaja", "none"),
    # reviewed by the lead: a goodbye laughed off while taking photos at a bridge
    ("estamos en el puente sacando fotos, adiós a todos jajaja", "none"),
    ("estoy en el puente. adiós a todos", "high"),
]


@pytest.mark.parametrize(
    ("lang", "text", "level"),
    [
        *(("pt", *case) for case in (*PT, *PT_FAMILIES, *PT_FAMILIES_3)),
        *(("es", *case) for case in (*ES, *ES_FAMILIES, *ES_FAMILIES_3)),
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
