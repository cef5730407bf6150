"""Who said what: speech attribution in news sentences (Arabic first, English too), by rules.

A sentence is a *statement* when it holds a speech verb (قال، أضاف، أكد، أوضح، كشف، أصر …;
said, told, added …) and a speaker can be found: the words after the verb up to a boundary
(إن/أن, a colon or quotation mark, a time word, a preposition that starts an adjunct). Inside
that span, people from ``PEOPLE`` are the speakers; a name right after a relational noun
without a pronoun ("مبعوث بوتين", Putin's envoy) is the possessor, not the speaker, while one
after a noun with a pronoun ("ومبعوثه ستيف ويتكوف", his envoy Steve Witkoff) is an apposition
and speaks. Without a known name the span itself is the speaker ("مسؤول كبير في حلف شمال
الأطلسي"), and a later bare "المسؤول" refers back to the earlier speaker with that head noun.
A sentence that is only a quotation continues the previous statement's speaker.

Deliberately not here: parsing or named-entity models; the rules err towards no statement.

>>> [(s.speakers, s.reported) for s in attribute_sentences(["وقال سيبيها إنه أخبر روبيو بانتهاكات روسيا."])]
[(('Andrii Sybiha',), True)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.text.arabic import normalize_for_matching

# Well-known people in the news: the Latin name a briefing shows, and Arabic spellings
# (normalised for matching). A name the list lacks is shown as the article writes it.
PEOPLE: dict[str, tuple[str, ...]] = {
    "Marco Rubio": ("روبيو",),
    "Donald Trump": ("ترامب", "ترمب"),
    "Steve Witkoff": ("ويتكوف",),
    "Kirill Dmitriev": ("ديمترييف", "دميترييف", "ديميترييف"),
    "Sergei Ryabkov": ("ريابكوف",),
    "Andrii Sybiha": ("سيبيها", "سيبها", "سيبيغا"),
    "Vladimir Putin": ("بوتين",),
    "Volodymyr Zelensky": ("زيلينسكي", "زيلنسكي"),
    "Antony Blinken": ("بلينكن",),
    "Joe Biden": ("بايدن",),
    "Sergei Lavrov": ("لافروف",),
    "Dmitry Peskov": ("بيسكوف",),
    "Emmanuel Macron": ("ماكرون",),
    "Keir Starmer": ("ستارمر",),
    "Olaf Scholz": ("شولتس",),
    "Friedrich Merz": ("ميرتس",),
    "Mark Rutte": ("روته",),
    "Recep Tayyip Erdogan": ("اردوغان",),
    "Benjamin Netanyahu": ("نتنياهو",),
    "Xi Jinping": ("شي جين بينغ",),
    "Antonio Guterres": ("غوتيريش", "جوتيريش"),
    "Ursula von der Leyen": ("فون دير لاين",),
    "Kaja Kallas": ("كالاس",),
    "JD Vance": ("فانس",),
    "Mike Waltz": ("والتز",),
    "Pete Hegseth": ("هيغسيث",),
    "Ali Khamenei": ("خامنيي",),
    "Hassan Rouhani": ("روحاني",),
    "Mohammed bin Salman": ("محمد بن سلمان",),
    "Abdel Fattah el-Sisi": ("السيسي",),
    "Kim Jong Un": ("كيم جونغ اون",),
    "Theresa May": ("تيريزا ماي",),
    "Angela Merkel": ("ميركل",),
}

_VERBS_AR = (
    "قال|قالت|أضاف|أضافت|تابع|تابعت|أكد|أكدت|أكّد|أكّدت|أوضح|أوضحت|كشف|كشفت|أعلن|أعلنت|صرح|صرّح|صرحت|"
    "أصر|أصرّ|أصرت|أصرّت|يصر|يصرّ|أشار|أشارت|ذكر|ذكرت|اعتبر|اعتبرت|حذر|حذّر|حذرت|شدد|شدّد|شددت|نفى|نفت|"
    "يقول|تقول"
)
_VERB = re.compile(rf"(?:^|(?<=[\s\"«“،,]))(?:و|ف)?(?:قد\s+|فقد\s+|وقد\s+)?({_VERBS_AR})(?=[\s:،,\"«“]|$)")
_VERB_EN = re.compile(r"\b(said|says|told|added|stated|insisted|warned|argued|denied|announced)\b", re.I)
# Words that end the speaker span (normalised forms).
_STOP = {
    "ان", "انه", "انها", "انهم", "انهما", "بان", "بانه", "علي", "عن", "يوم", "امس", "اليوم", "هذا", "هذه",
    "بعد", "قبل", "مع", "خلال", "امام", "مؤخرا", "حسبما", "كما", "لكن", "لكنه",
    "في", "الي", "عندما", "اثناء", "الاسبوع", "الشهر", "العام", "حول", "بشان", "من", "عبر", "ضمن", "لدي", "ضد",
    "فيه", "فيها", "له", "لها", "لهم", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت",
}  # fmt: skip
_MAX_SPEAKER_WORDS = 6  # longer spans are mostly the object of the verb ("أكدت مصادر اندلاع مواجهات …")
_RELATIVE = {"الذي", "التي", "الذين"}
_ORG_AFTER_FI = {"حلف", "الناتو", "وزاره", "الحكومه", "الامم", "الاتحاد", "البيت", "مجلس", "الكرملين", "الجيش"}
# Relational nouns: a name right after one (no pronoun) is the possessor ("مبعوث بوتين").
_RELATIONAL = {"مبعوث", "نظير", "سلف", "مستشار", "فريق", "اداره", "حكومه", "اتهام", "نظام", "مساعد"}
_QUOTES = '"«»“”'
_ASIDE = re.compile(r"\s[-–—]\s.*?\s[-–—]\s")


@dataclass(frozen=True)
class Attribution:
    """A statement: the words ``start:end`` of sentence ``index`` of the list given."""

    index: int
    speakers: tuple[str, ...]  # Latin names from PEOPLE, or the article's own words for the speaker
    speaker_original: str  # the speaker span as the article writes it
    reported: bool  # reported speech ("said that …") rather than a direct quotation
    start: int = 0  # the statement is sentence[start:end]
    end: int = 0
    continued: bool = False  # a quotation continuing the previous statement


def _people_in(span: str) -> list[str]:
    """Latin names of PEOPLE in an Arabic span, skipping possessors of relational nouns."""
    words = normalize_for_matching(span).replace("،", " ").replace(",", " ").split()
    found: list[str] = []
    for i, word in enumerate(words):
        bare = word[1:] if word.startswith(("و", "ف")) and len(word) > 3 else word
        for latin, spellings in PEOPLE.items():
            for spelling in spellings:
                parts = spelling.split()
                if [bare, *words[i + 1 : i + len(parts)]] == parts or [word, *words[i + 1 : i + len(parts)]] == parts:
                    before = words[i - 1] if i else ""
                    if before in _RELATIONAL or (before.startswith("ال") and before[2:] in _RELATIONAL):
                        continue
                    if latin not in found:
                        found.append(latin)
    return found


def _clean(token: str) -> str:
    return normalize_for_matching(token.strip(':،,."«»“”()'))


def _speaker_span(after: str) -> str:
    """The words after a speech verb that name the speaker (may be empty)."""
    tokens = _ASIDE.sub(" ", " " + after).split()
    words: list[str] = []
    i = 0
    while i < len(tokens) and len(words) < _MAX_SPEAKER_WORDS:
        raw = tokens[i]
        if raw[0] in _QUOTES or raw.startswith(":"):
            break
        norm = _clean(raw)
        if norm in _RELATIVE and words:  # "مبعوث بوتين الذي زار واشنطن، كيريل ديمترييف": skip the clause
            while i < len(tokens) and not tokens[i].endswith(("،", ",")):
                i += 1
            i += 1
            continue
        if _VERB.fullmatch(raw.strip(":،,")):
            break
        if norm == "في":
            following = _clean(tokens[i + 1]) if i + 1 < len(tokens) else ""
            if not words or following not in _ORG_AFTER_FI:
                break
        elif norm in _STOP:
            break
        if (
            (words and norm.startswith("ل") and not norm.startswith("ال"))
            or norm.startswith("لل")
            or norm[:1].isdigit()
        ):
            break  # "لوسائل الإعلام", "للصحفيين": to whom, not who; a date is not a speaker
        words.append(raw.strip(':،,."«»“”'))
        if raw.endswith((":", '"', "«")):
            break
        i += 1
    return " ".join(words).strip(" ،,")


def _head(span: str) -> str:
    first = normalize_for_matching(span).split()
    if not first:
        return ""
    word = first[0]
    return word[2:] if word.startswith("ال") else word


def _is_quotation(sentence: str) -> bool:
    stripped = sentence.strip()
    return bool(stripped) and stripped[0] in _QUOTES and not _VERB.search(stripped)


def attribute_sentences(sentences: list[str]) -> list[Attribution]:
    """Statements among the consecutive sentences of one article, in order."""
    found: list[Attribution] = []
    previous: Attribution | None = None
    by_head: dict[str, Attribution] = {}
    for index, sentence in enumerate(sentences):
        if _is_quotation(sentence):
            if previous is not None and previous.index == index - 1:
                previous = Attribution(
                    index, previous.speakers, previous.speaker_original, False, 0, len(sentence), continued=True
                )
                found.append(previous)
            else:
                previous = None
            continue
        clauses = _attribute(index, sentence, previous, by_head)
        previous = clauses[-1] if clauses else None
        for clause in clauses:
            found.append(clause)
            if clause.speakers and clause.speakers[0] == clause.speaker_original:
                by_head.setdefault(_head(clause.speaker_original), clause)
    return found


def _attribute(
    index: int, sentence: str, previous: Attribution | None, by_head: dict[str, Attribution]
) -> list[Attribution]:
    """One attribution per speech-verb clause; consecutive clauses of one speaker merge."""
    matches = list(_VERB.finditer(sentence))
    if not matches:
        english = _VERB_EN.search(sentence) if sentence.isascii() else None
        found = _attribute_english(index, sentence, english) if english else None
        return [found] if found else []
    clauses: list[Attribution] = []
    for number, match in enumerate(matches):
        start = 0 if number == 0 else match.start()
        end = matches[number + 1].start() if number + 1 < len(matches) else len(sentence)
        before = sentence[start : match.start()]
        after = sentence[match.end() : end]
        span = _speaker_span(after)
        reported = _reported(before, after, span)
        last = clauses[-1] if clauses else previous if previous and previous.index == index - 1 else None
        speakers: tuple[str, ...] | None = None
        original = span
        if not span:
            people = _people_in(before[-60:])
            if people:
                speakers, original = tuple(people), before.strip()
            elif last is not None:  # "وأضاف: …", "لكنه أكد …": the same speaker goes on
                speakers, original = last.speakers, last.speaker_original
        else:
            people = _people_in(span)
            if people:
                speakers = tuple(people)
            elif _head(span) in by_head:  # "المسؤول" after "مسؤول كبير في حلف شمال الأطلسي"
                speakers = by_head[_head(span)].speakers
            elif _clean(span) not in {"انه", "انها", "انهم"}:
                speakers = (span,)
        if speakers is None:
            continue
        # Speech needs a "that", a colon or a quotation after the verb ("أضاف الروس شروطًا" adds
        # conditions and says nothing), or words before it: a quotation, or "…، حسبما قال المسؤول."
        speaker_ends_it = not after.strip()[len(span) :].strip(" .،,")
        said_before = any(q in before for q in _QUOTES) or (speaker_ends_it and len(before.split()) >= 3)
        if not said_before and not _introduces_speech(sentence[match.end() :]):
            continue
        if clauses and clauses[-1].speakers == speakers:
            merged = clauses.pop()
            reported = merged.reported and reported
            clauses.append(Attribution(index, speakers, merged.speaker_original, reported, merged.start, end))
        else:
            clauses.append(Attribution(index, speakers, original, reported, start, end))
    if clauses:  # the first clause starts with the sentence, the last ends with it
        clauses[0] = replace(clauses[0], start=0)
        clauses[-1] = replace(clauses[-1], end=len(sentence))
    return clauses


_INTRODUCERS = {"ان", "انه", "انها", "انهم", "انهما", "بان", "بانه", "بانها"}


def _introduces_speech(after: str) -> bool:
    """A colon, a quotation mark or "that" (إن/أن) within the first words after the verb."""
    for word in after.split()[:16]:
        if word[0] in _QUOTES or word.startswith(":") or _clean(word) in _INTRODUCERS:
            return True
        if word.endswith(":") or word[-1] in _QUOTES:
            return True
    return False


def _reported(before: str, after: str, span: str) -> bool:
    """Reported speech, unless a quotation follows a colon or comes before the verb."""
    rest = after.lstrip()[len(span) :].lstrip(" ،,") if span else after.lstrip()
    if rest.startswith((":", '"', "«", "“")):
        return False
    opening = before.strip()[:1]
    return not (opening in _QUOTES and any(q in before.strip()[1:] for q in '"»”'))


def _attribute_english(index: int, sentence: str, match: re.Match[str]) -> Attribution | None:
    before = sentence[: match.start()].rstrip(" ,")
    names = re.findall(r"((?:[A-Z][a-z]+\s){0,2}[A-Z][a-z]+)\s*$", before)
    if not names:
        after = re.match(r"\s*((?:[A-Z][a-z]+\s?){1,3})", sentence[match.end() :])
        if after is None:
            return None
        name = after.group(1).strip()
    else:
        name = names[0]
    latin = next((p for p in PEOPLE if name.split()[-1] in p.split()), name)
    reported = not any(q in sentence for q in _QUOTES)
    return Attribution(index, (latin,), name, reported, 0, len(sentence))
