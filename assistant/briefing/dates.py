"""Dates in article sentences: absolute ("12 مارس 2024") and relative ("يوم الجمعة", "last week")
expressions, resolved against the article's publication day when it is known."""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.text.arabic import MONTHS_AR, language_of, normalize_for_matching

WEEKDAYS_AR = {"الاثنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4, "السبت": 5, "الاحد": 6}
WEEKDAYS_EN = {
    d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_MONTH_ALT = "|".join(sorted(MONTHS_AR, key=len, reverse=True))
_ABSOLUTE = re.compile(rf"(?:^|\s)(\d{{1,2}})\s+({_MONTH_ALT})(?:\s+(\d{{4}}))?")
# Relative time words: (kind, Arabic pattern on normalised text, English pattern on lower case).
_RELATIVE = [
    ("weekday", r"(?:يوم\s+)?(ال(?:اثنين|ثلاثاء|اربعاء|خميس|جمعه|سبت|احد))(?=\s|$|[،,.])",
     r"\b(?:on\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"),
    ("yesterday", r"(امس)(?=\s|$|[،,.])", r"\b(yesterday)\b"),
    ("last week", r"(الاسبوع الماضي)", r"\b(last week)\b"),
    ("this week", r"(هذا الاسبوع)", r"\b(this week)\b"),
    ("last month", r"(الشهر الماضي)", r"\b(last month)\b"),
    ("this year", r"(هذا العام|العام الحالي)", r"\b(this year)\b"),
    ("last year", r"(العام الماضي)", r"\b(last year)\b"),
]  # fmt: skip
_RELATIVE_AR = [(re.compile(r"(?:^|\s)" + arabic), kind) for kind, arabic, _ in _RELATIVE]
_RELATIVE_EN = [(re.compile(english), kind) for kind, _, english in _RELATIVE]


def resolve_when(sentence: str, published: date | None) -> tuple[str, date | None, bool] | None:
    """The date expression in a sentence: (label, day, resolved) or None.

    >>> resolve_when("كشف روبيو يوم الجمعة أنه التقى", date(2025, 4, 5))
    ('2025-04-04', datetime.date(2025, 4, 4), True)
    >>> resolve_when("كشف روبيو يوم الجمعة أنه التقى", None)
    ('يوم الجمعة', None, False)
    >>> resolve_when("وصل في 12 مارس 2024 إلى الرياض", None)
    ('2024-03-12', datetime.date(2024, 3, 12), True)
    """
    normal = normalize_for_matching(sentence)
    absolute = _ABSOLUTE.search(normal)
    if absolute:
        day_of_month, month = int(absolute.group(1)), MONTHS_AR[absolute.group(2)]
        year = int(absolute.group(3)) if absolute.group(3) else (published.year if published else None)
        if year:
            try:
                when = date(year, month, day_of_month)
                return when.isoformat(), when, True
            except ValueError:
                pass
    arabic = language_of(sentence) == "ar"
    for pattern, kind in _RELATIVE_AR if arabic else _RELATIVE_EN:
        match = pattern.search(normal if arabic else sentence.lower())
        if not match:
            continue
        original = _original_words(sentence, match.group(0).strip()) if arabic else match.group(0).strip()
        if published is None:
            return original, None, False
        if kind == "weekday":
            wanted = WEEKDAYS_AR.get(match.group(1)) if arabic else WEEKDAYS_EN[match.group(1)]
            if wanted is None:
                return original, None, False
            day = published - timedelta(days=(published.weekday() - wanted) % 7)
            return day.isoformat(), day, True
        if kind == "yesterday":
            day = published - timedelta(days=1)
            return day.isoformat(), day, True
        if kind in ("last week", "this week"):
            monday = published - timedelta(days=published.weekday() + (7 if kind == "last week" else 0))
            return f"week of {monday.isoformat()}", monday, True
        if kind == "last month":
            first = (published.replace(day=1) - timedelta(days=1)).replace(day=1)
            return first.strftime("%Y-%m"), first, True
        year = published.year - (1 if kind == "last year" else 0)
        return str(year), date(year, 1, 1), True
    return None


def _original_words(sentence: str, normalised: str) -> str:
    """The sentence's own words for a normalised phrase (same number of words)."""
    words = sentence.split()
    target = normalised.split()
    for i in range(len(words) - len(target) + 1):
        window = words[i : i + len(target)]
        if normalize_for_matching(" ".join(window)).strip("،,.:") == " ".join(target):
            return " ".join(window).strip("،,.:")
    return normalised
