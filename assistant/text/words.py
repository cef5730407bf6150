"""The words of a text that carry its content, and the sentences that have enough of them to be
evidence. Ingestion stores vectors for those sentences; the answer stage ranks them."""

from __future__ import annotations

import re

from assistant.text.arabic import match_tokens, sentence_spans

_STOP = set(
    match_tokens(
        "في من على الى إلى عن أن إن ان كان كانت قد قال قالت هذا هذه ذلك التي الذي الذين ما ماذا لم لا هل مع او أو ثم "
        "the a an of to in on and or is are was were that this it he she they his her their said says for with by as "
        # Question words, also with "and"/"with" attached: what a question asks is not what it is about.
        "بماذا لماذا متى أين كيف كم أي وما ومن وماذا وبماذا ولماذا ومتى وأين وكيف وكم وهل فما فماذا "
        "what who whom when where why how which did does do"
    )
)
MARKER = re.compile(r"\[(\d+)\]")  # a citation marker in an answer, "[2]"
MIN_CONTENT_WORDS = 3  # shorter "sentences" (a dateline, "He said:") answer nothing


def content_tokens(text: str) -> list[str]:
    """Normalised, stemmed words minus function words."""
    return [t for t in match_tokens(MARKER.sub(" ", text)) if t not in _STOP and len(t) > 1]


def candidate_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``text``'s sentences that can be evidence (enough content words).

    >>> t = "Rubio met Putin's envoy on Friday. He said: yes."
    >>> [t[s:e] for s, e in candidate_spans(t)]
    ["Rubio met Putin's envoy on Friday."]
    """
    return [(s, e) for s, e in sentence_spans(text) if len(content_tokens(text[s:e])) >= MIN_CONTENT_WORDS]
