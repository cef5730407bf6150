"""Which articles a briefing's topic matches: 15 topics the ANT sample covers and 10 it does not,
each in English and in Arabic, over every 7th article of the news sample plus the seed (287).

Usage: python benchmarks/bench_topic_match.py [--store DIR]   (ingests into DIR when it is empty: ~4 min)

Per topic: the candidate articles the topic search offers, the ones the rule keeps
(``assistant.briefing.topic``: the topic's names and most of its words), how many of the articles
the topic is about (chosen by title, by hand) are kept, or STOP when none matches; and the best e5
cosine of an article the topic is about against the best of the others: why a similarity floor
alone cannot tell an on-topic article from the closest off-topic one. Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "evals" / "antnews" / "news_sample_2000.jsonl"

ON = [  # (English, Arabic, title fragments of the articles the topic is about)
    ("Houthis in Hodeidah", "الحوثيون في الحديدة", ["الحديدة"]),
    ("Korean summit", "القمة الكورية", ["الكوريتين", "القمة الكورية", "كوريا الشمالية"]),
    ("US tariffs on China", "الرسوم الجمركية الأمريكية على الصين", ["رسوم جمركية", "واشنطن وبكين"]),
    ("Mohamed Salah", "محمد صلاح", ["صلاح"]),
    ("Erdogan wins the Turkish election", "فوز أردوغان في الانتخابات التركية", ["بفوز أردوغان"]),
    ("chemical attack in Douma", "الهجوم الكيميائي على دوما", ["دوما", "الكيمياوي"]),
    ("Saudi Arabia freezes trade with Canada", "السعودية تجمد العلاقات التجارية مع كندا", ["كندا"]),
    ("Sudan gold", "ذهب السودان", ["ذهب السودان"]),
    ("oil prices fall", "تراجع أسعار النفط", ["سعر النفط"]),
    ("volcano eruption in Indonesia", "ثوران بركان في إندونيسيا", ["ميرابي"]),
    ("death of Billy Graham", "وفاة بيلي غراهام", ["بيلي غراهام"]),
    ("Ukraine peace talks", "محادثات السلام الأوكرانية", ["محادثات السلام الأوكرانية"]),
    ("cryptocurrency mining", "تعدين العملات الرقمية", ["تعدين العملات"]),
    ("Mars rover", "مركبة المريخ", ["المريخ"]),
    ("typhoon in Japan", "إعصار في اليابان", ["إعصار قوي"]),
]
OFF = [  # topics no article of the 287 is about (checked by searching their Arabic words)
    ("Sudan famine", "المجاعة في السودان"),
    ("Ebola outbreak in Congo", "تفشي الإيبولا في الكونغو"),
    ("Nobel Prize in literature", "جائزة نوبل للآداب"),
    ("Japan earthquake and tsunami", "زلزال وتسونامي في اليابان"),
    ("wildfires in California", "حرائق الغابات في كاليفورنيا"),
    ("Venezuela economic crisis", "الأزمة الاقتصادية في فنزويلا"),
    ("Tesla electric cars", "سيارات تسلا الكهربائية"),
    ("Bolsonaro wins the Brazil election", "فوز بولسونارو في انتخابات البرازيل"),
    ("hurricane hits Florida", "إعصار يضرب فلوريدا"),
    ("measles vaccination campaign", "حملة تطعيم ضد الحصبة"),
]


def _best_cosines(assistant: object, topic: str) -> dict[str, float]:
    """Each article's best chunk cosine with the topic (plain e5, no fusion)."""
    searcher = assistant.searcher  # type: ignore[attr-defined]
    dense = searcher.store.query(searcher.query_vector(topic), 400, None)
    rows = assistant.catalog.chunk_rows([cid for cid, _ in dense])  # type: ignore[attr-defined]
    best: dict[str, float] = {}
    for cid, cosine in dense:
        if cid in rows:
            best.setdefault(rows[cid].article_id, cosine)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default=None, help="A store holding the 287 articles (made when empty).")
    args = parser.parse_args()

    from assistant import Assistant, NoArticleMatchesError, Settings

    tmp = tempfile.TemporaryDirectory(prefix="bench-topic-")
    store = Path(args.store or Path(tmp.name) / "store")
    assistant = Assistant(Settings(vectorstore_dir=store))
    if not assistant.articles():
        rows = [r for r in SAMPLE.read_text(encoding="utf-8").split("\n") if r.strip()][::7]
        subset = Path(tmp.name) / "ant286.jsonl"
        subset.write_text("\n".join(rows) + "\n", encoding="utf-8")
        assistant.ingest([subset, ROOT / "seeds"])
    titles = {a.article_id: a.title for a in assistant.articles()}
    summary = {"on": {"briefed": 0, "stopped": 0, "about_kept": 0, "about": 0, "others_kept": 0},
               "off": {"briefed": 0, "stopped": 0, "others_kept": 0}}  # fmt: skip
    cosines: dict[str, list[float]] = {}
    started = time.perf_counter()
    for kind, items in (("on", ON), ("off", [(en, ar, []) for en, ar in OFF])):
        for english, arabic, fragments in items:
            for topic in (english, arabic):
                about = {i for i, t in titles.items() if any(f in t for f in fragments)}
                best = _best_cosines(assistant, topic)
                try:
                    kept = [a.article_id for a in assistant.brief(topic, backend="extractive").articles]
                except NoArticleMatchesError as exc:
                    kept, verdict = [], f"STOP ({exc.reason})"
                else:
                    verdict = f"{len(kept)} kept, {len(set(kept) & about)} of the {len(about)} it is about"
                figures = summary[kind]
                figures["briefed" if kept else "stopped"] += 1
                figures["others_kept"] += len(set(kept) - about)
                lang = "en" if topic == english else "ar"
                if kind == "on":
                    figures["about"] += len(about)
                    figures["about_kept"] += len(set(kept) & about)
                    cosines.setdefault(f"on_{lang}_about", []).append(max(best.get(a, 0.0) for a in about))
                else:
                    cosines.setdefault(f"off_{lang}_best", []).append(max(best.values()))
                print(f"{kind:3} {topic[:40]:40} {verdict}", flush=True)
    seconds = time.perf_counter() - started
    ranges = {k: [round(min(v), 3), round(max(v), 3)] for k, v in cosines.items()}
    print(json.dumps({"articles": len(titles), **summary, "cosine_ranges": ranges, "seconds": round(seconds, 1)}))
    tmp.cleanup()


if __name__ == "__main__":
    main()
