"""What a question asks, read without a model: its language, the names and numbers it is about,
whether it wants a quantity, and how a follow-up joins the question before it.

Deliberately not here: retrieval and evidence ranking (``retrieval``, ``answering.evidence``)
and the answer pipeline that uses these readings as gates (``answering.answerer``).
"""

from __future__ import annotations

import re

from assistant.answering.names import GAZETTEER, arabic_skeleton, key_terms, latin_skeleton, name_in_arabic
from assistant.answering.tracing import FUNCTION_WORDS, traced_words
from assistant.lexicon.lexicon import lexicon
from assistant.text.arabic import language_of, match_tokens, normalize_for_matching
from assistant.text.attribution import attribute_sentences


def _in_arabic(term: str, arabic: str) -> bool:
    """Whether an English name or term is in Arabic text: by its spelling (``name_in_arabic``), or
    by the lexicon and the transliteration the tracing uses, every word of it ("Thursday" ←
    الخميس, "Europa League" ← الدوري الأوروبي), a hyphenated name by its longest part (Berners-Lee:
    "Lee" is too short to match), or a name of several words by its most telling part. "Supreme
    Court" is not found because "court" is.

    >>> _in_arabic("Burgess Shale", "عثر على أحافير في طين بورغيس"), _in_arabic("Steve Bannon", "قال ستيف ويتكوف")
    (True, False)
    """
    if name_in_arabic(term, arabic) or _spelled_in_sequence(term, arabic):
        return True
    words = []
    for word in term.split():
        parts = [p for p in word.split("-") if p]
        words.append(max(parts, key=len) if len(parts) > 1 else word)
    words = [w for w in words if len(w) >= 3 and w.lower() not in FUNCTION_WORDS]
    traced = traced_words(" ".join(words), arabic)
    if traced and all(w.traced for w in traced):
        return True
    # A name of several words whose most telling part, the longest that is no ordinary English word,
    # is spelled there: "Burgess Shale" (طين بورغيس الصفحي), but not "Steve Bannon" for Steve Witkoff.
    telling = [w for w in words if len(w) >= 4 and not lexicon().is_english_word(w)]
    return len(words) > 1 and bool(telling) and name_in_arabic(max(telling, key=len), arabic)


def _spelled_in_sequence(term: str, arabic: str) -> bool:
    """Whether a name of several short parts is spelled in Arabic part by part, in order, in
    consecutive words (Kai-Fu Lee, كاي فو لي): each part alone is too short to match.

    >>> _spelled_in_sequence("Kai-Fu Lee", "يقول المستثمر كاي فو لي إن"), _spelled_in_sequence("Kai-Fu Lee", "كاي لي")
    (True, False)
    """
    parts = [latin_skeleton(p) for p in re.split(r"[\s-]+", term) if p]
    if len(parts) < 2 or not all(parts):
        return False
    words = [arabic_skeleton(w) for w in re.findall(r"[\u0621-\u064a]+", normalize_for_matching(arabic))]
    return any(words[i : i + len(parts)] == parts for i in range(len(words) - len(parts) + 1))


def missing_terms(question: str, texts: list[str]) -> list[str]:
    """Names and numbers the question is about that no evidence (sentence or passage) mentions.

    English questions: capitalised names and numbers, matched across scripts.
    """
    text = " ".join(texts)
    if language_of(question) == "en":
        # Computed once: the texts are whole articles and a question has several terms. A name
        # counts as found in its Latin spelling in any text, or its Arabic one in an Arabic text
        # (a corpus may mix languages).
        arabic = " ".join(t for t in texts if language_of(t) == "ar")
        digits = text.replace(",", "")
        lowered = text.lower()
        missing = []
        for term in key_terms(question):
            if term[0].isdigit():
                found = term.replace(",", "") in digits
            else:
                found = term.lower() in lowered or bool(arabic and _in_arabic(term, arabic))
            if not found:
                missing.append(term)
        return missing
    # Arabic questions: places and bodies from the gazetteer (الرياض, الصين …). Words the corpus
    # lacks are no signal on their own: most were ordinary words (20 of 22 answerable questions
    # abstained when they counted), so beyond this the model's "none" decides.
    normal = normalize_for_matching(question)
    evidence_text = normalize_for_matching(text)
    return [
        variant
        for variants in GAZETTEER.values()
        for variant in variants
        if re.search(rf"(^|\s|[وبلف]){variant}($|\W)", normal) and variant not in evidence_text
    ][:1]


_QUANTITY_EN = re.compile(r"\bhow (many|much|large|big|long|old)\b|\bwhat (size|number|amount|percentage)\b", re.I)
_QUANTITY_AR = re.compile(r"(^|\s)(و?كم|ما حجم|ما عدد|ما قيمة|ما نسبة|ما مقدار)\s")


def asks_for_a_number(question: str) -> bool:
    """A quantity question ('How many …?', 'What size …?', 'كم …؟', 'ما حجم …؟'): the answer holds a number.

    >>> asks_for_a_number("How many times did he go?"), asks_for_a_number("كم مرة سافر؟"), asks_for_a_number("Who?")
    (True, True, False)
    >>> asks_for_a_number("ما حجم الأصول؟"), asks_for_a_number("ما موقف الصين؟")
    (True, False)
    """
    return bool(_QUANTITY_EN.search(question) or _QUANTITY_AR.search(question))


# "How many/much of what": an Arabic measure word and the noun after it (كم عدد المجندين, ما حجم
# الأصول). A bare "كم" is followed by a unit (كم مرة, كم يومًا) that the number word itself carries
# (مرتين, يومين), and English questions are mostly asked over Arabic text: neither is checked.
_FOCUS_AR = re.compile(r"(?:^|\s)و?(?:كم|ما) (?:عدد|حجم|قيمة|نسبة|مقدار) (\w+)")


def quantity_focus(question: str) -> str | None:
    """What an Arabic quantity question counts or measures, when it names it with a measure word.

    >>> quantity_focus("كم عدد المجندين الذين ستستدعيهم روسيا؟"), quantity_focus("ما حجم الأصول التي يديرها؟")
    ('المجندين', 'الأصول')
    >>> quantity_focus("كم مرة سافر روبيو؟"), quantity_focus("How many recruits?")
    (None, None)
    """
    match = _FOCUS_AR.search(question)
    return match.group(1) if match else None


# What an English quantity question counts, in the one or two words after "how many / how much"
# ("How many Republican senators", "How much US aid"); units the number carries itself (times,
# years, percent) and "people" (شخصا, قتيلا: the Arabic counts people by many nouns) are left out.
_COUNTED_EN = re.compile(r"\bhow (?:many|much) ([A-Za-z][\w'-]*)(?: ([A-Za-z][\w'-]*))?", re.I)
_UNITS_EN = {
    *("times", "time", "years", "year", "months", "month", "weeks", "week", "days", "day", "hours", "hour"),
    *("minutes", "minute", "seconds", "percent", "people", "more", "of"),
}


def counted_words(question: str) -> list[str]:
    """The words an English quantity question counts or measures (none for "How many times",
    "How much does …").

    >>> counted_words("How many Republican senators had their details posted?"), counted_words("How much US aid?")
    (['Republican', 'senators'], ['US', 'aid'])
    >>> counted_words("How many times has Witkoff met Putin?"), counted_words("How much does China spend?")
    ([], [])
    """
    match = _COUNTED_EN.search(question)
    if not match:
        return []
    words = []
    for word in (w for w in match.groups() if w):
        if (word.lower() in FUNCTION_WORDS and not word.isupper()) or word.lower() in _UNITS_EN:  # US is no "us"
            break
        words.append(word)
    return words


# "What did X say / tell …", "ماذا قال X": a question about someone's words.
_SPEAKER_EN = re.compile(
    r"\b(?i:what (?:did|does|has|have|had|do|will|would) (?:the )?)((?:[A-Z][\w'’.-]*\s+)+?)(?i:say|said|tell|"
    r"told|warn|reveal|announce|claim|insist|mean|write|promise|argue|add)\b"
)
_SPEAKER_AR = re.compile(
    r"(?:^|\s)(?:و?ماذا|بماذا|ما الذي|ما) (?:قال|قالت|اخبر|اخبرت|صرح|صرحت|اكد|اكدت|اعلن|اعلنت|كشف|كشفت|كتب|كتبت) "
    r"(?!عن\b|في\b|ل)(\w+)"
)


def asked_speaker(question: str) -> str | None:
    """Whose words the question asks for, as it names them (None when it asks something else).

    >>> asked_speaker("What did Rubio tell Russia?"), asked_speaker("What did Kirill Dmitriev say?")
    ('Rubio', 'Kirill Dmitriev')
    >>> asked_speaker("ماذا قال روبيو لروسيا؟"), asked_speaker("Who met Putin?")
    ('روبيو', None)
    """
    match = _SPEAKER_EN.search(question)
    if match:
        return match.group(1).strip()
    match = _SPEAKER_AR.search(normalize_for_matching(question))
    return match.group(1) if match else None


def speaks(name: str, sentence: str) -> bool | None:
    """Whether ``name`` is who speaks in ``sentence`` (``text.attribution``): True, False when the
    sentence quotes someone else, None when it quotes no one.

    >>> speaks("Rubio", "وقال روبيو إن الوقت يمر بسرعة."), speaks("روبيو", "قال مسؤول في الناتو إن روسيا تريد السلام.")
    (True, False)
    >>> speaks("Rubio", "التقى روبيو بمبعوث بوتين.") is None
    True
    """
    statements = attribute_sentences([sentence])
    if not statements:
        return None
    latin = bool(re.search("[A-Za-z]", name))
    for statement in statements:
        if latin:
            if any(name.split()[-1].lower() in s.lower() for s in statement.speakers) or name_in_arabic(
                name.split()[-1], statement.speaker_original
            ):
                return True
        elif normalize_for_matching(name) in normalize_for_matching(statement.speaker_original):
            return True
    return False


def mentions(word: str, text: str) -> bool:
    """Whether ``text`` holds ``word`` up to clitics and a regular suffix (light stems, or one stem
    starting the other).

    >>> mentions("المجندين", "أكبر عملية استدعاء للمجندين منذ سنوات"), mentions("الأصول", "صندوق الثروة السيادية")
    (True, False)
    >>> mentions("العائلات", "عدد العائلة الواحدة")
    True
    """
    [stem] = match_tokens(word)[:1] or [""]
    if not stem:
        return False
    for token in match_tokens(text):
        shorter, longer = sorted((stem, token), key=len)
        if token == stem or (len(shorter) >= 3 and longer.startswith(shorter)):
            return True
    return False


# An Arabic question opening with "and" + a question word continues the previous one, whose subject
# its verb leaves implied: وبماذا اتهم فريق بوتين؟ ("and what did [he] accuse Putin's team of?").
CONTINUATION = re.compile(r"\s*و(ب|ل|ع|في|من|إلى|الى)?\s?(ماذا|ما|من|متى|أين|اين|كيف|لماذا|هل|كم|أي|اي)\b")


def condense(question: str, history: list[str]) -> str:
    """A follow-up rewritten to stand alone, without a model: the previous question's names replace
    (English) or join (Arabic) the pronoun.

    >>> condense("What does he believe about Putin?", ["Who is Steve Witkoff?"])
    'What does Steve Witkoff believe about Putin?'
    >>> condense("What did Rubio say?", ["Who is Steve Witkoff?"])
    'What did Rubio say?'
    """
    if not history:
        return question
    previous = history[-1]
    if language_of(question) == "en":
        if not re.search(r"\b(he|she|him|her|his|they|them|their|it|its)\b", question, re.I):
            return question
        names = [t for t in key_terms(previous) if not t[0].isdigit()]
        if not names:
            return f"{question} ({previous})"
        name = names[0]
        rewritten, n = re.subn(r"\b(he|she|they)\b", name, question, count=1, flags=re.I)
        if not n:
            rewritten, n = re.subn(r"\b(his|her|their)\b", f"{name}'s", question, count=1, flags=re.I)
        if not n:
            rewritten, n = re.subn(r"\b(him|them|it)\b", name, question, count=1, flags=re.I)
        return rewritten
    if re.search(r"(^|\s)(هو|هي|هم|له|لها|عنه|عنها|ذلك)(\s|[؟?]|$)|ه[؟?]?$", question) or CONTINUATION.match(question):
        return f"{question} ({previous})"
    return question


def joined_question(question: str, standalone: str) -> str | None:
    """The earlier question ``condense`` joined to ``question`` ("Q (earlier)"), or None.

    >>> joined_question("ومتى؟", "ومتى؟ (من هو ويتكوف؟)")
    'من هو ويتكوف؟'
    >>> joined_question("What does he believe?", "What does Steve Witkoff believe?") is None
    True
    """
    prefix = question + " ("
    if standalone.startswith(prefix) and standalone.endswith(")"):
        return standalone[len(prefix) : -1]
    return None


def asked_question(question: str, standalone: str) -> str:
    """What evidence is ranked against: the question itself when condensing joined it to an earlier one.

    A joined follow-up searched with both (the passages hold its subject), but the earlier
    question's words would pull the ranking back to the earlier answer.
    """
    return question if joined_question(question, standalone) is not None else standalone
