"""Whether an article matches a briefing's topic, by the topic's own words, read without a model.

A topic search ranks articles by meaning, and the best of an unrelated store is still "the best":
"Sudan famine" over an article on Ukraine found that article closest. Similarity alone does not
say *whether* an article is on a topic (e5 cosines of on-topic and off-topic articles overlap:
docs/design.md, Briefings), so the briefing asks what the answers ask of their evidence:

- every **name and number** of the topic is in the article (the answers' names gate,
  ``answering.question.missing_terms``: "Sudan", across scripts), and
- **most of the topic's words** are in it (more than half: both of two, two of three, three of
  four; in its title or text): an Arabic or an English topic
  over articles in its own language by stem ("الصينية" holds "الصين"); an English topic over an
  Arabic article through the lexicon, as English answers are traced to their Arabic quotes
  ("famine" ← مجاعة).

An Arabic topic over an English article cannot be checked word by word (nothing traces in that
direction); such an article matches when the search selected it. The lexicon has gaps (no entry
for "Houthis", "cryptocurrency"): an English topic made of such words finds nothing where its
Arabic words do.

>>> topic_words("Sudan famine")
['Sudan', 'famine']
>>> match_topic("تراجع أسعار النفط", "سعر النفط يتراجع", "تراجعت أسعار النفط أمس.").missing
()
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.answering.names import name_in_arabic
from assistant.answering.question import missing_terms
from assistant.answering.tracing import question_terms, traced_terms
from assistant.lexicon.lexicon import english_stem
from assistant.text.arabic import language_of
from assistant.text.words import content_tokens

# An article must hold more than this share of the topic's words (both of two, two of three, three of
# four; names and numbers: all of them). Measured on 287 ANT articles: docs/design.md, Briefings.
MIN_SHARE = 0.5
_SUFFIX_SLACK = 2  # letters an inflected word may add to a topic word's stem ("الصين" in "الصينية")


@dataclass(frozen=True)
class TopicMatch:
    """How one article matches a topic: the topic's words it holds and lacks, and the names and
    numbers it lacks (``checked`` is False when its language cannot be checked word by word)."""

    found: tuple[str, ...]
    missing: tuple[str, ...]
    missing_names: tuple[str, ...] = ()
    checked: bool = True

    @property
    def matches(self) -> bool:
        total = len(self.found) + len(self.missing)
        if not self.checked:
            return True
        return not self.missing_names and len(self.found) > MIN_SHARE * total


def topic_words(topic: str) -> list[str]:
    """The words of a topic that an article on it should hold, as the topic writes them, in order
    (function words left out)."""
    wanted = question_terms(topic) if language_of(topic) == "en" else None
    words = [w for w in re.findall(r"\w+", topic) if (w.lower() in wanted if wanted is not None else content_tokens(w))]
    return list(dict.fromkeys(words))


@functools.lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return english_stem(word) if word.isascii() else word


def _keys(text: str) -> list[str]:
    """Normalised stems for matching; English words by their Snowball stem."""
    return [_stem(token) for token in content_tokens(text)]


def _held(key: str, tokens: set[str]) -> bool:
    return key in tokens or any(
        t.startswith(key) and len(t) - len(key) <= _SUFFIX_SLACK for t in tokens if len(key) >= 3
    )


def match_topic(topic: str, title: str, text: str) -> TopicMatch:
    """Which of ``topic``'s words the article (``title`` and ``text``) holds, and which names it lacks."""
    article = f"{title}\n{text}"
    words = topic_words(topic)
    missing_names = tuple(missing_terms(topic, [article]))
    if language_of(topic) == "en" and language_of(text) == "ar":
        traced = traced_terms(topic, article)
        found = [w for w in words if w.lower() in traced or name_in_arabic(w, article)]
    elif language_of(topic) == language_of(text):
        tokens = set(_keys(article))
        found = [w for w in words if all(_held(key, tokens) for key in _keys(w))]
    else:
        return TopicMatch(tuple(words), (), missing_names, checked=False)
    return TopicMatch(tuple(found), tuple(w for w in words if w not in found), missing_names)


def no_match_reason(topic: str, matches: list[TopicMatch]) -> str:
    """Why none of the closest articles (``matches``) matches ``topic``, for people: the names or
    words no article holds.

    >>> no_match_reason("Sudan famine", [TopicMatch((), ("Sudan", "famine"), ("Sudan",))])
    'no article mentions Sudan'
    >>> no_match_reason("Sudan famine", [TopicMatch(("Sudan",), ("famine",)), TopicMatch((), ("Sudan", "famine"))])
    'no article mentions famine (1 mentions Sudan)'
    """
    if not matches:
        return "no article is close to it"
    names = [
        n
        for n in dict.fromkeys(n for m in matches for n in m.missing_names)
        if all(n in m.missing_names for m in matches)
    ]
    if names:
        return f"no article mentions {_join(names)}"
    words = topic_words(topic)
    absent = [w for w in words if all(w in m.missing for m in matches)]
    if absent:
        held = [w for w in words if w not in absent]
        holding = sum(1 for m in matches if any(w in m.found for w in held))
        also = f" ({holding} mention{'s' if holding == 1 else ''} {_join(held)})" if holding else ""
        return f"no article mentions {_join(absent)}{also}"
    return f"no article holds most of its words ({_join(words)}) together"


def _join(words: list[str]) -> str:
    return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else "".join(words)
