"""News boilerplate removal, before anything is indexed.

Scraped Arabic news carries lines that are not the article: "see also" links to unrelated
stories inserted mid-article, a related-news block at the end, and site promo teasers. Indexed,
they make the assistant cite a Supreme Court story as part of a Ukraine article. Each rule
removes whole lines and says what it removed, so the record can be kept outside the index.

Rules (matched on normalised text, so spelling variants such as ايضاً/أيضا both match):

- ``see-also-link``: a line starting "شاهد أيضا:" / "اقرأ أيضا:" / "Read more:" …; removed.
- ``related-news``: a line that is only "أخبار ذات صلة" / "مواضيع ذات صلة" / "Related news";
  it and everything after it are removed.
- ``promo-teaser``: a line with a site call to action ("اكتشف المزيد", "تابعونا", …); removed.

Deliberately not here: HTML extraction (trafilatura does that in ``ingest``), and any rewrite
of the lines that stay: they are kept character for character.
"""

from __future__ import annotations

import re

from assistant.records import Stripped
from assistant.text.arabic import normalize_for_matching

_SEE_ALSO = re.compile(
    r"^\W*(شاهد ايضا|شاهد كذلك|اقرا ايضا|اقرا كذلك|اقرا المزيد|طالع ايضا|read more|see also|also read)\s*[:：-]"
)
_RELATED = re.compile(
    r"^\W*(اخبار ذات صله|مواضيع ذات صله|مقالات ذات صله|اخبار متعلقه|related news|related stories|related articles)\W*$"
)
_PROMO = re.compile(r"(اكتشف المزيد|تابعونا على|اشترك في نشرتنا|حمل تطبيق|subscribe to our newsletter)")


def strip_boilerplate(text: str) -> tuple[str, list[Stripped]]:
    """Remove boilerplate lines; return the cleaned text and what was removed.

    Kept lines are unchanged; runs of blank lines left behind collapse to one.

    >>> clean, gone = strip_boilerplate("عنوان\\nنص.\\nشاهد ايضاً: قصة أخرى\\nنص آخر.\\nأخبار ذات صلة\\nخبر")
    >>> clean
    'عنوان\\nنص.\\nنص آخر.'
    >>> [(s.rule, s.text) for s in gone]
    [('see-also-link', 'شاهد ايضاً: قصة أخرى'), ('related-news', 'أخبار ذات صلة\\nخبر')]
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    stripped: list[Stripped] = []
    for i, line in enumerate(lines):
        key = normalize_for_matching(line.strip())
        if _RELATED.match(key):
            rest = "\n".join(lines[i:]).strip()
            stripped.append(Stripped("related-news", rest))
            break
        if _SEE_ALSO.match(key):
            stripped.append(Stripped("see-also-link", line.strip()))
            continue
        if _PROMO.search(key):
            stripped.append(Stripped("promo-teaser", line.strip()))
            continue
        kept.append(line.rstrip())
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return cleaned, stripped
