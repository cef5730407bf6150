from pathlib import Path

from assistant.ingestion.cleaning import strip_boilerplate

UNRELATED = ["المحكمة العليا", "النيجر", "كورسك", "الملك تشارلز", "مجلس الشيوخ", "هاريس"]


def test_seed_boilerplate_removed(seed_path: Path) -> None:
    raw = seed_path.read_text(encoding="utf-8")
    cleaned, stripped = strip_boilerplate(raw)
    for phrase in UNRELATED:
        assert phrase in raw
        assert phrase not in cleaned
    assert "اكتشف المزيد" not in cleaned  # the promo teaser (line 2)
    rules = [s.rule for s in stripped]
    assert rules == ["promo-teaser"] + ["see-also-link"] * 4 + ["related-news"]
    assert stripped[-1].text.startswith("أخبار ذات صلة") and "كورسك" in stripped[-1].text
    # The article body survives intact, character for character.
    body_line = 'وقال روبيو: "هذا الوقت قادم"، وأضاف: "إنه قصير جدًا."'
    assert body_line in cleaned
    assert "الوقت يمر بسرعة" in cleaned


def test_kept_lines_are_unchanged_and_blank_runs_collapse() -> None:
    cleaned, stripped = strip_boilerplate("سطر أول\n\n\n\nسطر ثانٍ ،  مع مسافات\r\nاقرأ أيضاً: رابط")
    assert cleaned == "سطر أول\n\nسطر ثانٍ ،  مع مسافات"
    assert [s.rule for s in stripped] == ["see-also-link"]


def test_english_related_block() -> None:
    cleaned, stripped = strip_boilerplate("Body text.\nRelated news\nOther story")
    assert cleaned == "Body text."
    assert stripped[0].text == "Related news\nOther story"


def test_nothing_to_strip() -> None:
    assert strip_boilerplate("Just text.") == ("Just text.", [])
