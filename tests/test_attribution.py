"""Speech attribution (assistant/text/attribution.py) on real sentences of the seed article:
speakers, relational nouns and appositions, reported against direct speech, continuations."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from assistant.text import attribution
from assistant.text.arabic import normalize_for_matching, sentence_spans
from assistant.text.attribution import PEOPLE, Attribution, attribute_sentences

# Sentences copied from seeds/000_409043fa5ea248dc.txt (the test below checks they are still there).
RUBIO_REVEALS = (
    "كشف وزير الخارجية الأمريكي ماركو روبيو يوم الجمعة أنه التقى بمبعوث للرئيس فلاديمير بوتين هذا الأسبوع "
    "وأعاده إلى موسكو برسالة مفادها أن الوقت يمر بسرعة لتحقيق انفراجة في محادثات السلام لإنهاء الحرب الأوكرانية."
)
RUBIO_QUOTED = 'وقال روبيو: "هذا الوقت قادم"، وأضاف: "إنه قصير جدًا."'
DMITRIEV_ENVOY = (
    "وقال مبعوث بوتين الذي زار واشنطن، كيريل ديمترييف، يوم الخميس إن الاتفاق الذي تم التوصل إليه مؤخرًا "
    "على وقف إطلاق النار بشأن إنهاء الضربات على البنية التحتية للطاقة في أوكرانيا وروسيا هو علامة على النجاح، "
    'واصفًا إياه "أول تهدئة منذ ثلاث سنوات".'
)
RYABKOV = (
    'وقال نائب وزير الخارجية الروسي سيرجي ريابكوف قال هذا الأسبوع: "نحن نأخذ النماذج والحلول التي اقترحها '
    'الأمريكيون على محمل الجد، ولكن لا يمكننا قبولها كلها بشكلها الحالي".'
)
SYBIHA = "وقال سيبيها إنه أخبر روبيو بانتهاكات روسيا لوقف إطلاق النار في مجال الطاقة واتهم فريق بوتين بالمماطلة."
DMITRIEV_MEDIA = (
    'وقال ديمترييف لوسائل الإعلام الحكومية الروسية بعد اجتماعه مع ويتكوف إن إدارة ترامب "تتفهم مخاوف روسيا".'
)
LEADERS_AND_TRUMP = (
    "وقد أوضح القادة الأوكرانيون والأوروبيون أنهم يعتقدون أن بوتين يماطل، معتقدين أن الوقت في صالحه، "
    "في حين أصرّ ترامب ومبعوثه ستيف ويتكوف - الذي التقى بوتين مرتين هذا العام - على أن بوتين يريد اتفاق سلام."
)
NATO_QUOTE_FIRST = (
    '"بالطبع، روسيا تريد السلام. في ظل الظروف المناسبة"، قال مسؤول كبير في حلف شمال الأطلسي '
    "على هامش الاجتماعات في بروكسل التي حضرها روبيو."
)
NATO_CONTINUES = '"في ظل شروط موسكو".'
NATO_LATER = 'وقال المسؤول الكبير في الناتو: "ما زلنا نشك في أن فريق بوتين يأتي إلى طاولة المفاوضات بنية حسنة".'
NATO_AS_SAID = "ولكن حتى هذا لم ينجح، حسبما قال المسؤول الكبير في الناتو."
# Not statements: a verb with an object, a headline verb the rules do not know, a verb without "that".
REVEALS_A_MEETING = (
    "كشف وزير الخارجية الأمريكي عن لقاء مع مبعوث بوتين، مشددًا على ضرورة إحراز تقدم في محادثات السلام "
    "لإنهاء الحرب الأوكرانية."
)
HEADLINE = "روبنيو يخبر روسيا أن الوقت ينفد بينما يشك الحلفاء في رغبة بوتين في تحقيق السلام في أوكرانيا"
ADDED_CONDITIONS = (
    "في الأسبوع الماضي بعد أن أعلن البيت الأبيض عن توسيع نطاق وقف إطلاق النار ليشمل وقف القتال بين روسيا "
    "وأوكرانيا في البحر الأسود، أضاف الروس شروطًا من بينها رفع العقوبات."
)
BOTH_SIDES_POINTED = (
    "وقد أشار الجانبان في مناقشات روسيا مع الولايات المتحدة إلى رغبة الطرفين في التطلع إلى وقت ما بعد "
    "انتهاء الحرب ويمكن للبلدين التركيز على المبادرات المالية."
)
BLINKEN_NO_VERB = (
    "وفي الوقت الذي كان فيه سلف روبيو أنتوني بلينكن يخصص وقتًا للجلوس مع المسؤولين الأوكرانيين للإشارة "
    "إلى الدعم الكامل، التقى روبيو بوزير الخارجية الأوكراني أندري سيبها على هامش المحادثات."
)
NATO = "مسؤول كبير في حلف شمال الأطلسي"

SEED_SENTENCES = [
    RUBIO_REVEALS, RUBIO_QUOTED, DMITRIEV_ENVOY, RYABKOV, SYBIHA, DMITRIEV_MEDIA, LEADERS_AND_TRUMP,
    NATO_QUOTE_FIRST, NATO_CONTINUES, NATO_LATER, NATO_AS_SAID, REVEALS_A_MEETING, HEADLINE,
    ADDED_CONDITIONS, BOTH_SIDES_POINTED, BLINKEN_NO_VERB,
]  # fmt: skip


def _one(sentence: str) -> Attribution:
    [found] = attribute_sentences([sentence])
    return found


def _table(sentences: list[str]) -> list[tuple[int, tuple[str, ...], bool, bool]]:
    return [(a.index, a.speakers, a.reported, a.continued) for a in attribute_sentences(sentences)]


def test_the_sentences_are_the_seed_articles(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    for sentence in SEED_SENTENCES:
        assert sentence in text, sentence[:40]


@pytest.mark.parametrize(
    ("sentence", "speakers", "original", "reported"),
    [
        (RUBIO_REVEALS, ("Marco Rubio",), "وزير الخارجية الأمريكي ماركو روبيو", True),
        (RUBIO_QUOTED, ("Marco Rubio",), "روبيو", False),  # "وأضاف:" merges into Rubio's clause
        # "مبعوث بوتين": Putin is the possessor; the relative clause is skipped, the apposition speaks.
        (DMITRIEV_ENVOY, ("Kirill Dmitriev",), "مبعوث بوتين كيريل ديمترييف", True),
        # Two speech verbs, one speaker; the span stops at the second verb. The colon comes after a
        # time phrase, so the merged statement counts as reported (current behaviour, pinned).
        (RYABKOV, ("Sergei Ryabkov",), "نائب وزير الخارجية الروسي سيرجي ريابكوف", True),
        # Rubio and "فريق بوتين" are in what was said, not the speaker.
        (SYBIHA, ("Andrii Sybiha",), "سيبيها", True),
        # "لوسائل الإعلام" is to whom; Witkoff and Trump are inside what was said.
        (DMITRIEV_MEDIA, ("Kirill Dmitriev",), "ديمترييف", True),
        # The quotation comes first and the unnamed speaker is the span itself.
        (NATO_QUOTE_FIRST, (NATO,), NATO, False),
    ],
)
def test_speaker_of_a_seed_sentence(sentence: str, speakers: tuple[str, ...], original: str, reported: bool) -> None:
    found = _one(sentence)
    assert (found.index, found.speakers, found.speaker_original, found.reported) == (0, speakers, original, reported)
    assert (found.start, found.end, found.continued) == (0, len(sentence), False)


@pytest.mark.parametrize(
    "sentence", [REVEALS_A_MEETING, HEADLINE, ADDED_CONDITIONS, BOTH_SIDES_POINTED, BLINKEN_NO_VERB]
)
def test_a_seed_sentence_that_is_no_statement(sentence: str) -> None:
    assert attribute_sentences([sentence]) == []


def test_an_apposition_with_a_pronoun_speaks_and_each_clause_keeps_its_span() -> None:
    leaders, trump = attribute_sentences([LEADERS_AND_TRUMP])
    assert (leaders.speakers, leaders.speaker_original) == (
        ("القادة الأوكرانيون والأوروبيون",),
        "القادة الأوكرانيون والأوروبيون",
    )
    assert (trump.speakers, trump.speaker_original) == (("Donald Trump", "Steve Witkoff"), "ترامب ومبعوثه ستيف ويتكوف")
    assert (leaders.start, leaders.end, trump.start, trump.end) == (0, 103, 103, len(LEADERS_AND_TRUMP))
    assert LEADERS_AND_TRUMP[trump.start : trump.end].startswith("أصرّ ترامب ومبعوثه")


def test_an_unnamed_official_is_found_again_by_the_head_noun() -> None:
    sentences = [NATO_QUOTE_FIRST, NATO_CONTINUES, NATO_LATER, NATO_AS_SAID]
    found = attribute_sentences(sentences)
    assert [(a.index, a.speakers, a.speaker_original, a.reported, a.continued) for a in found] == [
        (0, (NATO,), NATO, False, False),
        (1, (NATO,), NATO, False, True),  # a bare quotation right after a statement continues it
        (2, (NATO,), "المسؤول الكبير في الناتو", False, False),  # "المسؤول" refers back: same speaker
        (3, (NATO,), "المسؤول الكبير في الناتو", True, False),  # "…، حسبما قال المسؤول": said before the verb
    ]


def test_the_head_noun_only_refers_back_to_an_unnamed_speaker() -> None:
    later = "وقال المسؤول إنه قادم."
    assert _table([SYBIHA, later]) == [(0, ("Andrii Sybiha",), True, False), (1, ("المسؤول",), True, False)]
    assert _table([NATO_QUOTE_FIRST, later]) == [(0, (NATO,), False, False), (1, (NATO,), True, False)]


def test_a_quotation_continues_only_the_sentence_right_before_it() -> None:
    assert _table([RUBIO_QUOTED, NATO_CONTINUES]) == [
        (0, ("Marco Rubio",), False, False),
        (1, ("Marco Rubio",), False, True),
    ]
    assert _table([RUBIO_QUOTED, HEADLINE, NATO_CONTINUES]) == [(0, ("Marco Rubio",), False, False)]
    assert _table([NATO_CONTINUES]) == []


@pytest.mark.parametrize(
    ("sentence", "speakers"),
    [
        ("وقال مستشار ترامب إن الوقت قصير.", ("مستشار ترامب",)),  # relational noun: Trump owns the adviser
        ("وقال المبعوث بوتين إن الوقت قصير.", ("المبعوث بوتين",)),  # with the article too
        ("وقال سلف روبيو أنتوني بلينكن إن الوقت قصير.", ("Antony Blinken",)),  # Rubio's predecessor speaks
        ("وقال مستشاره مايك والتز إن الوقت قصير.", ("Mike Waltz",)),  # a pronoun: an apposition
        ("وقال ترامب ومستشاره مايك والتز إن الوقت قصير.", ("Donald Trump", "Mike Waltz")),
        ("وقال ترمب إن الوقت قصير.", ("Donald Trump",)),  # another spelling
        ("وقال رُوبِيُو إن الوقت قصير.", ("Marco Rubio",)),  # harakat
        ("وقال شي جين بينغ إن الوقت قصير.", ("Xi Jinping",)),  # a name of several words
        ("وقالت كالاس إن الوقت قصير.", ("Kaja Kallas",)),
        ("وقال روبيو يوم 3 إن الوقت قصير.", ("Marco Rubio",)),  # a time word ends the span
    ],
)
def test_relational_nouns_appositions_and_spellings(sentence: str, speakers: tuple[str, ...]) -> None:
    assert _one(sentence).speakers == speakers


@pytest.mark.parametrize(
    "sentence",
    [
        "وقال 3 أشخاص إن الوقت قصير.",  # a number is not a speaker
        "وقال إنه قادم.",  # a pronoun with nobody before it
        "وقال",
        'وقال: "نعم".',  # a colon, but no speaker and no earlier statement
    ],
)
def test_no_speaker_no_statement(sentence: str) -> None:
    assert attribute_sentences([sentence]) == []


@pytest.mark.parametrize("sentences", [[], [""], ["   "], ['""'], ["\u200f\u200e"]])
def test_empty_input_gives_no_statement(sentences: list[str]) -> None:
    assert attribute_sentences(sentences) == []


def test_a_long_sentence_is_one_statement_spanning_all_of_it() -> None:
    sentence = "قال روبيو إنه " + "كلام " * 3000
    assert attribute_sentences([sentence]) == [Attribution(0, ("Marco Rubio",), "روبيو", True, 0, len(sentence))]


@pytest.mark.parametrize(
    ("sentence", "speaker", "original", "reported"),
    [
        ("Rubio said the time is short.", "Marco Rubio", "Rubio", True),
        ("Marco Rubio told reporters that time is short.", "Marco Rubio", "Marco Rubio", True),
        ('Rubio told reporters: "time is short."', "Marco Rubio", "Rubio", False),
        # Pinned limitations of the rules: with no capitalised name before the verb, the first one
        # after it speaks (here the object), and a capitalised "Said" is read as the verb.
        ("The ministry announced Lavrov will travel.", "Sergei Lavrov", "Lavrov", True),
        ("Said Haddad arrived on Monday.", "Haddad", "Haddad", True),
    ],
)
def test_english_sentences(sentence: str, speaker: str, original: str, reported: bool) -> None:
    assert _one(sentence) == Attribution(0, (speaker,), original, reported, 0, len(sentence))


def test_english_without_a_name_is_no_statement() -> None:
    assert attribute_sentences(["the minister said nothing."]) == []
    assert attribute_sentences(["Rubio said the time is short (روبيو)."]) == []  # English rules need ASCII


@pytest.mark.xfail(
    strict=True,
    reason="bug: a sentence opening with a quotation mark and no Arabic verb is taken "
    "as a bare quotation, so English direct speech ('\"…,\" Rubio said.') is never attributed",
)
def test_english_direct_speech_opening_with_the_quote() -> None:
    assert _one('"The time is short," Rubio told reporters.').speakers == ("Marco Rubio",)


def test_the_whole_seed_article(seed_path: Path) -> None:
    """Every statement of the seed, sentence by sentence (sentences as ``sentence_spans`` cuts them)."""
    text = seed_path.read_text(encoding="utf-8")
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    rubio, trump, dmitriev = ("Marco Rubio",), ("Donald Trump",), ("Kirill Dmitriev",)
    assert _table(sentences) == [
        (5, rubio, True, False),
        (6, rubio, False, False),
        (7, rubio, True, False),
        (8, rubio, True, False),
        (10, trump, True, False),
        (11, ("القادة الأوكرانيون والأوروبيون",), True, False),
        (11, ("Donald Trump", "Steve Witkoff"), True, False),
        (12, (NATO,), False, False),
        (13, (NATO,), False, True),
        (15, rubio, True, False),
        (16, rubio, False, True),
        (17, dmitriev, True, False),
        (18, (NATO,), True, False),
        (20, (NATO,), True, False),
        (21, (NATO,), False, False),
        (22, (NATO,), False, False),
        (23, (NATO,), True, False),
        (25, ("المسؤولون الروس",), True, False),
        (26, ("Sergei Ryabkov",), True, False),
        (33, ("Andrii Sybiha",), True, False),
        (37, dmitriev, True, False),
        (38, dmitriev, False, True),
        (39, (NATO,), True, False),
        (40, (NATO,), False, False),
        # Pinned: an opening quotation holding "وتقول" (Russia says) is read as the official's reported speech.
        (41, (NATO,), True, False),
        (43, (NATO,), False, False),
        (44, (NATO,), False, True),
    ]


def test_every_spelling_is_normalised_and_belongs_to_one_person() -> None:
    owners: dict[str, str] = {}
    for latin, spellings in PEOPLE.items():
        assert spellings, latin
        for spelling in spellings:
            assert normalize_for_matching(spelling) == spelling, spelling
            assert owners.setdefault(spelling, latin) == latin, spelling


def test_the_module_docstring_example_holds() -> None:
    result = doctest.testmod(attribution, optionflags=doctest.ELLIPSIS)
    assert (result.attempted, result.failed) == (1, 0)
