"""The answer pipeline with the hash embedder and a scripted chat model."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant
from assistant.answering.answerer import Answerer
from assistant.answering.names import numbers_in
from assistant.answering.question import condense, mentions, missing_terms, quantity_focus
from assistant.answering.verification import contradictions, polarity, support
from assistant.models.prompts import PROMPTS, load_prompts
from assistant.records import CHECKED_LABEL, DRAFT_LABEL, AnswerEvent, StatusEvent, TokenEvent
from assistant.testing import ScriptedChatModel

SAUDI = "How many times did Rubio travel to Saudi Arabia?"
# The hash embedder cannot rank an English question against Arabic sentences; the question's Arabic
# words let the word overlap find the Saudi sentence.
SAUDI_MARKED = "How many times did Rubio travel to Saudi Arabia (سافر روبيو السعودية)?"


def _answerer(a: Assistant, pick: str | None, replies: list[str]) -> Answerer:
    """An answerer whose model picks the sentence holding ``pick`` and then says ``replies``."""
    model = ScriptedChatModel(choose=pick, replies=list(replies))
    # All of the seed's sentences as candidates: the hash embedder cannot rank them by meaning.
    settings = a.settings.answer.model_copy(update={"evidence_sentences": 100, "passages": 20, "number_depth": 100})
    return Answerer(searcher=a.searcher, embedder=a.embedder, chat_model=model, backend="openai", settings=settings)


@pytest.fixture
def seeded(fake_assistant: Assistant, seed_path: Path) -> Assistant:
    fake_assistant.ingest([seed_path])
    return fake_assistant


def _final(events) -> object:  # type: ignore[no-untyped-def]
    return [e for e in events][-1].answer


def test_every_prompt_renders_and_is_checked() -> None:
    prompts = load_prompts()
    assert set(prompts) == set(PROMPTS)
    for name, variables in PROMPTS.items():
        [(_, system), (_, user)] = prompts[name].messages(**{v: f"<{v}>" for v in variables})
        assert "{" not in system and all(f"<{v}>" in user for v in variables)


def test_the_english_candidates_share_their_prompt_up_to_the_question() -> None:
    # A second candidate, or a repair, is one more call on the same quote: with the system text,
    # glossary, quote and question the same, the runtime reuses the first call's state for all of
    # them and reads only the instruction after the question (benchmarks.md, "sixth round").
    prompts = load_prompts()
    names = ("short_answer", "render_guided", "render_repair")
    shown = [prompts[n].messages(**{v: f"<{v}>" for v in PROMPTS[n]}) for n in names]
    assert len({system for (_, system), _ in shown}) == 1
    users = [user for _, (_, user) in shown]
    shared = users[0][: users[0].index("<question>") + len("<question>")]
    assert shared.startswith("Glossary:") and all(user.startswith(shared) for user in users)
    assert len({user[len(shared) :] for user in users}) == 3  # each asks its own thing


def test_extractive_answer_quotes_verbatim_with_offsets(seeded: Assistant) -> None:
    answer = seeded.ask("روبيو السعودية مرتين", backend="extractive")
    assert not answer.abstained and answer.state == "quoted"
    [citation] = answer.citations
    text = seeded.article_text(citation.passage.article_id)
    assert text is not None and text[citation.quote_start : citation.quote_end] == citation.quote
    assert citation.passage.start <= citation.quote_start < citation.quote_end <= citation.passage.end
    assert f"«{citation.quote}» [1]" in answer.text


def test_a_rendering_traced_word_by_word_is_checked_and_says_where_each_word_came_from(seeded: Assistant) -> None:
    answerer = _answerer(seeded, "مرتين", ["Rubio travelled to Saudi Arabia twice."])
    events = list(answerer.run(SAUDI_MARKED))
    answer = events[-1].answer
    assert answer.state == "checked" and not answer.verified
    assert answer.sentences[0].text.startswith(CHECKED_LABEL) and answer.sentences[1].state == "quote"
    quote = answer.citations[0].quote
    sources = dict(answer.sentences[0].sources(quote))
    assert sources["twice"] == "مرتين" and sources["Rubio"] is not None and "السعودية" in str(sources["Saudi"])
    assert {w.word for w in answer.trace} >= {"Rubio", "travelled", "Saudi", "Arabia", "twice"}
    # Nothing unchecked streams: the stages and the quote come first, then the checked answer.
    assert not any(isinstance(e, TokenEvent) for e in events)
    assert any(isinstance(e, StatusEvent) and e.stage == "rendering" and e.quote == quote for e in events)


def test_a_who_question_needs_a_name_and_an_echo_of_the_question_is_removed(seeded: Assistant) -> None:
    from assistant.answering.evidence import Evidence
    from assistant.answering.run import Work
    from assistant.records import AnswerSentence

    saudi = "وقد سافر روبيو إلى المملكة العربية السعودية مرتين خلال الشهرين الماضيين لإجراء مناقشات مع كبار المسؤولين"
    passage = seeded.search("روبيو السعودية مرتين", k=1)[0]
    chosen = Evidence(passage, saudi, 0, len(saudi), 1.0)
    who = "Who travelled to Saudi Arabia twice?"

    def rendered(*replies: str) -> list[AnswerSentence]:
        work = Work(who, who, "openai")
        events = _answerer(seeded, None, list(replies))._render(work, chosen, AnswerSentence(saudi, "quote", (1,)))
        try:
            while True:
                next(events)
        except StopIteration as done:
            return done.value

    # "The officials" traces (المسؤولين) and names nobody: a draft.
    officials = rendered("the officials", "the officials")[0]
    assert officials.state == "draft" and "without a name" in officials.notes[-1]
    assert rendered("Rubio")[0].state == "checked"
    [quote] = rendered("Saudi Arabia twice", "Saudi Arabia twice")  # only the question's words: removed
    assert quote.state == "quote"


def test_a_short_answer_cutting_a_name_and_a_repaired_answer_are_drafts(seeded: Assistant) -> None:
    from assistant.answering.evidence import Evidence
    from assistant.answering.run import Work
    from assistant.records import AnswerSentence

    passage = seeded.search("روبيو السعودية مرتين", k=1)[0]

    def rendered(question: str, arabic: str, *replies: str) -> tuple[list[AnswerSentence], list[str]]:
        work = Work(question, question, "openai")
        chosen = Evidence(passage, arabic, 0, len(arabic), 1.0)
        events = _answerer(seeded, None, list(replies))._render(work, chosen, AnswerSentence(arabic, "quote", (1,)))
        try:
            while True:
                next(events)
        except StopIteration as done:
            return done.value, work.removed

    clark = "قال وزير الأعمال جريج كلارك إن المملكة المتحدة ستندم على ذلك."
    [greg, _], _ = rendered("Which minister said the UK would regret it?", clark, "Greg")
    assert greg.state == "draft" and greg.notes == ("gives only part of a name: جريج كلارك",)
    [full, _], _ = rendered("Which minister said the UK would regret it?", clark, "Greg Clark")
    assert full.state == "checked"
    # A short answer claims the question with the blank filled: the quote must hold the question's words.
    palu = "قتل 384 شخصا نتيجة زلزال عنيف"
    [died, _], _ = rendered("How many people died in the earthquake?", palu, "384")
    assert died.state == "checked"
    [missing, _], _ = rendered("How many people are still missing after the earthquake?", palu, "384")
    assert missing.state == "draft" and missing.notes == ("the quote does not hold the question's after, missing",)
    # Both candidates put Putin for Putin's envoy; the repair traces, and stays a draft.
    rubio = "كشف روبيو أنه التقى بمبعوث للرئيس فلاديمير بوتين هذا الأسبوع"
    replies = ["Rubio met Putin this week.", "Rubio met Putin.", "Rubio met an envoy of Putin this week."]
    [repaired, _], removed = rendered("What did Rubio reveal about this week?", rubio, *replies)
    assert repaired.raw == "Rubio met an envoy of Putin this week." and repaired.state == "draft"
    assert "rewritten" in repaired.notes[-1] and removed[0].startswith("Rubio met Putin this week. (role:")


def test_a_rendering_with_untraced_words_is_a_marked_draft(seeded: Assistant) -> None:
    # Both candidates (guided, then plain) add a word the quote lacks: the better is kept, marked.
    replies = ["Rubio travelled to Saudi Arabia twice by plane.", "Rubio flew to Saudi Arabia twice by plane."]
    answer = _final(_answerer(seeded, "مرتين", replies).run(SAUDI_MARKED))
    assert answer.state == "draft" and not answer.verified
    assert answer.sentences[0].text.startswith(DRAFT_LABEL)
    assert "plane" in answer.sentences[0].untraced and "plane" in answer.sentences[0].notes[0]
    assert answer.sentences[1].state == "quote"


def test_planted_wrong_number_is_removed(seeded: Assistant) -> None:
    answerer = _answerer(seeded, "مرتين", ["Rubio travelled to Saudi Arabia 5 times."])
    answer = _final(answerer.run(SAUDI))
    assert "5 times" not in answer.text and answer.removed and "number 5" in answer.removed[0]
    assert [s.state for s in answer.sentences] == ["quote"]


def test_planted_wrong_name_is_removed(seeded: Assistant) -> None:
    answerer = _answerer(seeded, "الوقت يمر بسرعة", ["Obama told Russia that time is running out."])
    answer = _final(answerer.run("What did Rubio tell Russia?"))
    assert "Obama" not in answer.text and "name Obama" in answer.removed[0]


def test_planted_dropped_negation_is_removed(seeded: Assistant) -> None:
    question = "على ماذا أصر روبيو بشأن التهديد ووجهة تفكير إدارة ترامب؟"
    flipped = _final(_answerer(seeded, "تهديد", ["أصر روبيو على أن ذلك كان تهديدا"]).run(question))
    assert "لم يكن تهديدًا" in flipped.citations[0].quote
    assert [s.state for s in flipped.sentences] == ["quote"]
    assert "the evidence negates or doubts" in flipped.removed[0]
    kept = _final(_answerer(seeded, "تهديد", ["أصر روبيو على أن ذلك لم يكن تهديدا"]).run(question))
    assert kept.state == "verified"


def test_an_answer_with_words_its_quote_lacks_is_not_verified(seeded: Assistant) -> None:
    # 9 of its 11 content words are in the quote (0.82): "Rubio's message to Moscow" is the
    # answer's claim, not the quote's. Kept out of the answer, the quote alone is shown.
    question = "على ماذا أصر روبيو بشأن التهديد ووجهة تفكير إدارة ترامب؟"
    reply = "رسالة روبيو إلى موسكو أن ذلك لم يكن تهديدا لكنه أكد وجهة تفكير إدارة ترامب"
    answer = _final(_answerer(seeded, "تهديد", [reply]).run(question))
    assert "لم يكن تهديدًا" in answer.citations[0].quote
    assert answer.state == "quoted" and "not supported by the quote" in answer.removed[0]


def test_an_answer_that_only_echoes_the_question_is_not_verified(seeded: Assistant) -> None:
    # Every word of the echo is in the quote and in the question: it is backed, and answers nothing.
    question = "ماذا قال روبيو عن الوقت ومحادثات السلام؟"
    echo = _final(_answerer(seeded, "الوقت يمر", ["روبيو قال عن الوقت ومحادثات السلام"]).run(question))
    assert echo.state == "quoted" and echo.removed == ["روبيو قال عن الوقت ومحادثات السلام (only repeats the question)"]
    assert [s.state for s in echo.sentences] == ["quote"] and "الوقت يمر بسرعة" in echo.citations[0].quote
    reply = "الوقت يمر بسرعة لتحقيق انفراجة في محادثات السلام"
    answer = _final(_answerer(seeded, "الوقت يمر", [reply]).run(question))
    assert answer.state == "verified" and not answer.removed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ما زلنا نشك في أن فريق بوتين يأتي بنية حسنة", True),
        ("فريق بوتين يأتي إلى طاولة المفاوضات بنية حسنة", False),
        ("ولا تزال روسيا تستخدم طائرات بدون طيار", False),  # "still", and drones
        ("غير أن روبيو قال إن الوقت يمر", False),  # "but"
        ("وأصرّ روبيو على أن ذلك لم يكن تهديدًا", True),
        ("NATO doubts that Putin's team negotiates in good faith.", True),
        ("NATO believes Putin's team negotiates in good faith.", False),
        ("Rubio said it wasn't a threat.", True),
        ("", False),
    ],
)
def test_polarity(text: str, expected: bool) -> None:
    assert polarity(text) is expected


def test_a_draft_that_drops_the_quotes_doubt_is_removed() -> None:
    quote = 'وقال المسؤول الكبير في الناتو: "ما زلنا نشك في أن فريق بوتين يأتي إلى طاولة المفاوضات بنية حسنة".'
    assert contradictions("NATO believes Putin's team negotiates in good faith.", quote) == [
        "the evidence negates or doubts, the sentence does not"
    ]
    assert contradictions("A NATO official doubts Putin's team negotiates in good faith.", quote) == []


def test_same_language_answer_is_verified_when_supported(seeded: Assistant) -> None:
    answerer = _answerer(seeded, "مرتين", ["سافر روبيو إلى المملكة العربية السعودية مرتين"])
    answer = _final(answerer.run("كم مرة سافر روبيو إلى السعودية؟"))
    assert "مرتين" in answer.citations[0].quote
    assert answer.state == "verified" and answer.verified
    assert answer.text.startswith("سافر روبيو إلى المملكة العربية السعودية مرتين [1]")
    unsupported = _answerer(seeded, "مرتين", ["اجتمع الرئيس مع وفد صيني في بكين"])
    answer = _final(unsupported.run("كم مرة سافر روبيو إلى السعودية؟"))
    assert answer.state == "quoted" and answer.removed


def test_abstains_when_a_named_entity_is_absent(seeded: Assistant) -> None:
    for question in (
        "What did Zelensky say about the energy ceasefire?",
        "What is China's position on the peace talks?",
    ):
        answer = seeded.ask(question, backend="extractive")
        assert answer.abstained and answer.citations == [] and answer.text.startswith("The articles don't say")


def test_abstains_on_empty_retrieval(fake_assistant: Assistant, seed_path: Path) -> None:
    fake_assistant.ingest([seed_path])
    answer = fake_assistant.ask("What did Rubio tell Russia?", backend="extractive", sources=["elsewhere"])
    assert answer.abstained and answer.passages == []


def test_the_models_none_abstains_in_arabic_only(seeded: Assistant) -> None:
    answer = _final(_answerer(seeded, None, []).run("ماذا قال روبيو لروسيا؟"))
    assert answer.abstained
    # In English the small model's "none" is unreliable: the best-ranked sentence is quoted instead.
    answer = _final(_answerer(seeded, None, []).run("What did Rubio tell Russia?"))
    assert not answer.abstained and answer.state == "quoted"


def test_how_many_questions_need_a_number(seeded: Assistant) -> None:
    answer = _final(_answerer(seeded, "مرتين", [""]).run(SAUDI))
    assert not answer.abstained and "مرتين" in answer.citations[0].quote
    answer = seeded.ask("How many civilians died in the Black Sea?", backend="extractive")
    assert answer.abstained or numbers_in(answer.citations[0].quote)


def test_arabic_question_about_an_absent_place_abstains(seeded: Assistant) -> None:
    answer = seeded.ask("متى ستعقد الجولة المقبلة من المحادثات في الرياض؟", backend="extractive")
    assert answer.abstained and "الرياض" in answer.text


def test_streaming_yields_status_tokens_then_the_answer(seeded: Assistant) -> None:
    # A same-language answer streams as it is written (shown "not yet checked"); an English
    # rendering of an Arabic quote never does (test above).
    events = list(_answerer(seeded, "مرتين", ["سافر روبيو مرتين"]).run("كم مرة سافر روبيو إلى السعودية؟"))
    kinds = [type(e) for e in events]
    assert kinds[0] is StatusEvent and kinds[-1] is AnswerEvent and TokenEvent in kinds


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        (
            "What does he believe about Putin?",
            ["Who is Steve Witkoff?"],
            "What does Steve Witkoff believe about Putin?",
        ),
        ("What did his envoy say?", ["What did Putin want?"], "What did Putin's envoy say?"),
        ("What did Rubio say?", ["Who is Steve Witkoff?"], "What did Rubio say?"),
        ("What does he believe?", [], "What does he believe?"),
        ("وماذا قال عنه؟", ["من هو ستيف ويتكوف؟"], "وماذا قال عنه؟ (من هو ستيف ويتكوف؟)"),
        # "And what did [he] accuse Putin's team of?": the verb's subject is the previous question's
        ("وبماذا اتهم فريق بوتين؟", ["من هو سيبيها؟"], "وبماذا اتهم فريق بوتين؟ (من هو سيبيها؟)"),
        ("وزير الخارجية ماذا قال؟", ["من هو سيبيها؟"], "وزير الخارجية ماذا قال؟"),  # و starts a word
        ("وقف إطلاق النار هل نجح؟", ["من هو سيبيها؟"], "وقف إطلاق النار هل نجح؟"),
    ],
)
def test_condense_follow_ups(question: str, history: list[str], expected: str) -> None:
    assert condense(question, history) == expected


def test_conversation_condenses_with_history(seeded: Assistant) -> None:
    conv = seeded.conversation("extractive")
    conv.ask("Who is Steve Witkoff?")
    answer = conv.ask("What does he believe about Putin?")
    assert answer.standalone_question == "What does Steve Witkoff believe about Putin?"
    assert len(conv.answers) == 2


def test_verification_helpers() -> None:
    evidence = "وقد سافر روبيو إلى المملكة العربية السعودية مرتين خلال الشهرين الماضيين"
    assert contradictions("Rubio went to Saudi Arabia twice.", evidence) == []
    assert contradictions("Rubio went to Saudi Arabia 3 times.", evidence) == ["number 3 is not in the evidence"]
    assert contradictions("Rubio said روسيا", evidence) == ["Arabic script inside an English sentence"]
    assert support("سافر روبيو إلى السعودية مرتين", evidence) == 1.0
    assert support("زار ماكرون الصين", evidence) == 0.0


def test_missing_terms_cross_script() -> None:
    texts = ["وقال روبيو إن الوقت يمر بسرعة", "في الرياض"]
    assert missing_terms("What did Rubio say?", texts) == []
    assert missing_terms("What did Zelensky say?", texts) == ["Zelensky"]
    assert missing_terms("What happened in 2019?", texts) == ["2019"]
    assert missing_terms("ماذا قال روبيو في الصين؟", texts) == ["الصين"]
    assert missing_terms("ماذا قال روبيو في الرياض؟", texts) == []


def test_missing_terms_in_a_mixed_language_corpus() -> None:
    # A Latin name in an English article counts even when most of the text is Arabic.
    arabic = "قال وزير الخارجية الأمريكي ماركو روبيو إن الوقت يمر بسرعة. " * 20
    english = "The mayor said the Old Harbour bridge will reopen in May."
    assert missing_terms("When will the Old Harbour bridge reopen?", [arabic, english]) == []
    assert missing_terms("What did Rubio say?", [arabic, english]) == []
    assert missing_terms("What did Zelensky say?", [arabic, english]) == ["Zelensky"]


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("كم عدد المجندين الذين ستستدعيهم روسيا؟", "المجندين"),
        ("وما حجم الأصول التي يديرها الصندوق؟", "الأصول"),
        ("ما نسبة البطالة؟", "البطالة"),
        ("كم مرة سافر روبيو إلى السعودية؟", None),  # a unit, carried by the number word (مرتين)
        ("How many recruits will Russia call up?", None),
        ("", None),
    ],
)
def test_quantity_focus(question: str, focus: str | None) -> None:
    assert quantity_focus(question) == focus


@pytest.mark.parametrize(
    ("word", "text", "expected"),
    [
        ("المجندين", "أكبر عملية استدعاء للمجندين منذ سنوات", True),
        ("العائلات", "متوسط حجم العائلة 3.62", True),
        ("الأصول", "رئيس صندوق الثروة السيادية الروسي", False),
        ("الأصول", "", False),
    ],
)
def test_mentions(word: str, text: str, expected: bool) -> None:
    assert mentions(word, text) is expected


def test_a_number_about_something_else_does_not_answer(fake_assistant: Assistant, tmp_path: Path) -> None:
    (tmp_path / "visits.txt").write_text("زيارات الوزير\nزار الوزير العاصمة ثلاث مرات هذا العام.", encoding="utf-8")
    (tmp_path / "draft.txt").write_text("حملة التجنيد\nاستدعت روسيا خمسة آلاف من المجندين هذا الشهر.", encoding="utf-8")
    fake_assistant.ingest([tmp_path / "visits.txt", tmp_path / "draft.txt"])
    answerer = _answerer(fake_assistant, None, [])
    answerer.backend, answerer.chat_model = "extractive", None
    answer = _final(answerer.run("كم عدد المجندين الذين استدعتهم روسيا؟"))
    assert not answer.abstained and "المجندين" in answer.citations[0].quote
    answer = _final(answerer.run("ما حجم الأصول التي زارها الوزير؟"))
    assert answer.abstained and answer.citations == []


def test_extractive_abstains_when_two_passages_tie(seeded: Assistant) -> None:
    answerer = _answerer(seeded, None, [])
    answerer.backend, answerer.chat_model = "extractive", None
    answerer.settings = answerer.settings.model_copy(update={"ambiguity_margin": 0.0})
    assert not _final(answerer.run("What did Rubio tell Russia?")).abstained
    answerer.settings = answerer.settings.model_copy(update={"ambiguity_margin": 10.0})  # no lead is enough
    answer = _final(answerer.run("What did Rubio tell Russia?"))
    assert answer.abstained and answer.citations == [] and "two fit about equally well" in answer.text


def test_an_english_quantity_question_needs_what_it_counts_in_the_arabic(
    fake_assistant: Assistant, tmp_path: Path
) -> None:
    (tmp_path / "shop.txt").write_text("المتاجر\nستعرض المتاجر 3000 منتج تجميل في الممرات الجديدة.", encoding="utf-8")
    (tmp_path / "aid.txt").write_text(
        "المساعدات\nتلقت السلفادور 140 مليون دولار من المساعدات الأمريكية.", encoding="utf-8"
    )
    fake_assistant.ingest([tmp_path / "shop.txt", tmp_path / "aid.txt"])
    answerer = _answerer(fake_assistant, None, [])
    answerer.backend, answerer.chat_model = "extractive", None
    answer = _final(answerer.run("How much money will the shops invest in the new aisles?"))
    assert answer.abstained and "no passage gives that number" in answer.text  # 3000 products are no money
    answer = _final(answerer.run("How much aid did El Salvador get?"))
    assert not answer.abstained and "المساعدات" in answer.citations[0].quote


@pytest.mark.parametrize(
    ("question", "arabic", "missing"),
    [
        ("Fossils found there were how old?", "عثر على أحافير عمرها 515 مليون سنة", []),  # an opener, no name
        ("How many species were found in the Burgess Shale?", "ثلاثة أنواع في طين بورغيس", []),
        ("Who is Steve Bannon?", "قال ستيف ويتكوف", ["Steve Bannon"]),  # a first name is not enough
        ("What colors was the 2001 ABC logo?", "كان شعار أيه بي سي في 2001 أحمر", []),  # letter by letter
        ("What colors was the 2001 NBC logo?", "كان شعار أيه بي سي في 2001 أحمر", ["NBC"]),
    ],
)
def test_names_gate_openers_telling_parts_and_acronyms(question: str, arabic: str, missing: list[str]) -> None:
    assert missing_terms(question, [arabic]) == missing


def test_a_near_miss_is_quoted_and_the_answer_still_abstains(fake_assistant: Assistant, tmp_path: Path) -> None:
    (tmp_path / "draft.txt").write_text("التجنيد\nأعلنت روسيا أكبر عملية استدعاء للمجندين منذ سنوات.", encoding="utf-8")
    fake_assistant.ingest([tmp_path / "draft.txt"])
    answerer = _answerer(fake_assistant, None, [])
    answerer.backend, answerer.chat_model = "extractive", None
    answer = _final(answerer.run("How many conscripts will Russia call up?"))
    assert answer.abstained and answer.state == "abstained"
    assert answer.text.startswith("The articles give no number; what they say:")
    [citation] = answer.citations
    assert "للمجندين" in citation.quote and answer.sentences[0].text.endswith("[1]")
    arabic = _final(answerer.run("كم عدد المجندين الذين ستستدعيهم روسيا؟"))
    assert arabic.abstained and arabic.text.startswith("لا تذكر المقالات هذا الرقم") and arabic.citations
    # Nothing says what is counted: a plain abstention, nothing quoted.
    plain = _final(answerer.run("How many times did Russia call up its reserves?"))
    assert plain.abstained and plain.citations == [] and "no passage gives that number" in plain.text


def test_the_models_none_gives_way_to_the_asked_speakers_own_words(fake_assistant: Assistant, tmp_path: Path) -> None:
    rubio = "وقال روبيو إن الوقت يمر بسرعة لتحقيق السلام في أوكرانيا."
    other = "انعقد الاجتماع في مقر الحلف ببروكسل وحضره وفد من روسيا."  # Russia, so no name is missing
    (tmp_path / "rubio.txt").write_text(f"روبيو في بروكسل\n{rubio}\n{other}", encoding="utf-8")
    fake_assistant.ingest([tmp_path / "rubio.txt"])
    answer = _final(_answerer(fake_assistant, None, ["قال روبيو إن الوقت يمر بسرعة."]).run("ماذا قال روبيو لروسيا؟"))
    assert not answer.abstained and "وقال روبيو إن الوقت يمر" in answer.citations[0].quote  # the model said "none"


def test_a_verified_arabic_answer_takes_the_quotes_spelling(seeded: Assistant) -> None:
    # The local model once wrote "ريبيو" for روبيو and the answer verified with the slip in it.
    slipped = "ريبيو سافر إلى السعودية مرتين خلال الشهرين الماضيين."
    answer = _final(_answerer(seeded, "مرتين", [slipped]).run("كم مرة سافر روبيو إلى السعودية؟"))
    assert answer.state == "verified"
    assert answer.text.startswith("روبيو سافر إلى السعودية مرتين") and "ريبيو" not in answer.text
