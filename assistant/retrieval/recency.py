"""Recency: an optional decay of a search's fused scores by the age of each passage's article, and
newest-first ordering, for "what's new on X" questions.

``decayed`` multiplies each chunk's fused score by ``0.5 ** (age / half_life)``, the age in days
counted back from ``reference`` (the newest article of the store, not today: an archive's latest
news is its "now"). An undated article counts as one half-life old (its score halved): it is
neither favoured nor buried. Off unless a half-life is given (``settings.retrieval.recency_half_life``
or ``search(..., recency=DAYS)``): the default ranking and every figure measured with it are unchanged.

``newest_first`` orders passages by date, newest first (undated last), keeping relevance order
between passages of one day.

Deliberately not here: filtering by date (``storage.chroma.Filters``: ``since``/``until`` stay as they are).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from assistant.records import Passage


def decay_factor(published: date | None, reference: date, half_life_days: float) -> float:
    """How much of its score a passage keeps for its age.

    >>> decay_factor(date(2025, 4, 4), date(2025, 4, 4), 30), decay_factor(date(2025, 3, 5), date(2025, 4, 4), 30)
    (1.0, 0.5)
    >>> decay_factor(None, date(2025, 4, 4), 30)
    0.5
    """
    if published is None:
        return 0.5
    age = max(0, (reference - published).days)
    return float(0.5 ** (age / half_life_days))


def decayed(
    fused: Mapping[str, float], published: Mapping[str, date | None], half_life_days: float, reference: date
) -> dict[str, float]:
    """Fused scores decayed by age (chunk id → its article's date in ``published``)."""
    return {cid: score * decay_factor(published.get(cid), reference, half_life_days) for cid, score in fused.items()}


def newest_first(passages: list[Passage]) -> list[Passage]:
    """Passages by date, newest first, undated last; relevance order kept within a day.

    >>> from assistant.records import Passage
    >>> p = [Passage(c, c, c, 0, c, 0, 1, c, "s", "ar", d, None, 0.0) for c, d in
    ...      [("a", date(2018, 1, 1)), ("b", None), ("c", date(2018, 3, 1))]]
    >>> [x.chunk_id for x in newest_first(p)]
    ['c', 'a', 'b']
    """
    return sorted(passages, key=lambda p: (p.published is None, -(p.published or date.min).toordinal()))
