import pytest

from assistant.text.arabic import arabic_share, light_stem, match_tokens, normalize_for_matching, sentence_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("أَحْمَد", "احمد"),  # harakat stripped, hamza-alef unified
        ("إلى آخر", "الي اخر"),  # alef variants, alef maqsura → yaa
        ("المدرسة", "المدرسه"),  # taa marbuta
        ("روسيــــا", "روسيا"),  # tatweel
        ("٢٠٢٥ و۱۲", "2025 و12"),  # Arabic-Indic and Persian digits
        ("Rubio SAID", "rubio said"),
        ("مرتين", "مرتين"),
    ],
)
def test_normalize_for_matching(text: str, expected: str) -> None:
    assert normalize_for_matching(text) == expected


def test_normalisation_does_not_touch_stored_text() -> None:
    original = 'وقال روبيو: "إنه قصير جدًا."'
    normalize_for_matching(original)
    assert original == 'وقال روبيو: "إنه قصير جدًا."'


def test_sentence_spans_arabic_punctuation() -> None:
    text = "هل تسعى روسيا للسلام؟ قال روبيو، وزير الخارجية، إن الوقت ينفد! ثم غادر.\nسطر"
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts == ["هل تسعى روسيا للسلام؟", "قال روبيو، وزير الخارجية، إن الوقت ينفد!", "ثم غادر.", "سطر"]


def test_sentence_spans_keep_decimal_numbers_and_empty_input() -> None:
    assert [("3.5 مليار دولار.")[s:e] for s, e in sentence_spans("3.5 مليار دولار.")] == ["3.5 مليار دولار."]
    assert sentence_spans("") == []
    assert sentence_spans("\n\n  \n") == []


def test_light_stem_keeps_short_words() -> None:
    assert light_stem("وال") == "وال"
    assert light_stem("الناتو") == "ناتو"
    assert light_stem("rubio") == "rubio"


def test_match_tokens_unify_spelling_variants() -> None:
    assert match_tokens("سيبيها") == match_tokens("سِيبِيها")
    assert arabic_share("abc") == 0.0 and arabic_share("") == 0.0


def test_a_quotation_stays_with_its_attribution() -> None:
    text = '"بالطبع، روسيا تريد السلام. في ظل الظروف المناسبة"، قال مسؤول كبير. "في ظل شروط موسكو".'
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        '"بالطبع، روسيا تريد السلام. في ظل الظروف المناسبة"، قال مسؤول كبير.',
        '"في ظل شروط موسكو".',
    ]


def test_an_unbalanced_quote_ends_at_the_line_break() -> None:
    text = 'وقال المسؤول: "إنها مستعدة. لكنها تماطل.\nسطر ثان. وآخر.'
    parts = [text[s:e] for s, e in sentence_spans(text)]
    assert parts == ['وقال المسؤول: "إنها مستعدة. لكنها تماطل.', "سطر ثان.", "وآخر."]
