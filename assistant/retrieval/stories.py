"""One story across outlets: articles that report the same event, grouped.

Two articles are the same story when they are dated within ``max_days`` of each other (a story
is news of a few days, not a topic) and either share much of their wording (word 3-grams,
Jaccard ≥ ``copy_overlap``: syndicated wire copy, a rewrite) or say the same in other words:
their opening chunks (title and lead, as embedded for search) are at cosine ≥ ``same_cosine``,
or at ≥ ``close_cosine`` with at least ``title_overlap`` of the shorter title's content words in
common. Articles with no date join only by shared wording. Groups are the connected pairs.

A ``Story`` lists its articles (earliest first) and its outlets; ``StoryIndex`` keeps the stories
of a store, rebuilt when the catalog changes. Searches and answers are not changed by stories:
the façade only names, for each passage, the story it belongs to and every outlet that carries
it, so an interface can count a story once.

Deliberately not here: ranking (``search``), what a briefing does with a story (``briefing``).
The thresholds were set on the ANT sample (docs/design.md, "Stories").
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np

from assistant.records import content_hash
from assistant.storage.catalog import ArticleInfo, Catalog
from assistant.storage.chroma import ChromaStore
from assistant.text.arabic import light_stem, normalize_for_matching
from assistant.text.words import content_tokens


@dataclass(frozen=True)
class Story:
    """Articles that report one event: ids earliest first, their outlets, the dates they span."""

    id: str
    article_ids: tuple[str, ...]
    titles: tuple[str, ...]
    outlets: tuple[str, ...]  # each once, in the order of the articles
    first: date | None
    last: date | None

    @property
    def title(self) -> str:
        return self.titles[0]


@dataclass(frozen=True)
class StoryRules:
    """When two articles are one story (see the module docstring)."""

    max_days: int = 2
    copy_overlap: float = 0.3
    same_cosine: float = 0.92
    close_cosine: float = 0.89
    title_overlap: float = 0.4
    copy_cosine: float = 0.8  # below this, openings share too little for the texts to be copies


def _shingles(text: str) -> set[int]:
    words = normalize_for_matching(text).split()
    return {hash(" ".join(words[i : i + 3])) for i in range(max(0, len(words) - 2))}


def _title_words(title: str) -> set[str]:
    return {light_stem(w) for w in content_tokens(title)}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


Features = tuple[date | None, Callable[[], set[int]], np.ndarray | None, set[str]]


def same_story(a: Features, b: Features, rules: StoryRules) -> bool:
    """Whether two articles, each (date, its shingles on demand, unit vector of its opening, title
    words), are one story. Shingles are compared only when the openings are close enough (or a date
    or vector is missing): they are the costly part, and copies have close openings."""
    (day_a, sh_a, vec_a, words_a), (day_b, sh_b, vec_b, words_b) = a, b
    if day_a and day_b and abs((day_a - day_b).days) > rules.max_days:
        return False
    known = day_a is not None and day_b is not None and vec_a is not None and vec_b is not None
    cosine = float(vec_a @ vec_b) if vec_a is not None and vec_b is not None else 0.0
    if known and (cosine >= rules.same_cosine or (
        cosine >= rules.close_cosine and _overlap(words_a, words_b) >= rules.title_overlap
    )):  # fmt: skip
        return True
    if known and cosine < rules.copy_cosine:
        return False
    shingles_a, shingles_b = sh_a(), sh_b()
    union = len(shingles_a | shingles_b)
    return bool(union) and len(shingles_a & shingles_b) / union >= rules.copy_overlap


def group_stories(
    infos: list[ArticleInfo],
    text_of: Callable[[str], str],
    vector_of: dict[str, np.ndarray],
    rules: StoryRules | None = None,
) -> list[Story]:
    """The stories of these articles, each article in one (most alone), biggest first."""
    rules = rules or StoryRules()
    order = sorted(infos, key=lambda i: (i.published is None, i.published or date.min, i.article_id))
    features: list[Features] = []
    for info in order:
        vector = vector_of.get(info.article_id)
        unit = vector / (np.linalg.norm(vector) or 1.0) if vector is not None else None
        shingles = functools.cache(lambda aid=info.article_id: _shingles(text_of(aid)))
        features.append((info.published, shingles, unit, _title_words(info.title)))
    parent = list(range(len(order)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    dated = [i for i, info in enumerate(order) if info.published is not None]
    for pos, i in enumerate(dated):  # dated articles: only those within max_days (sorted by date)
        for j in dated[pos + 1 :]:
            if (order[j].published - order[i].published).days > rules.max_days:  # type: ignore[operator]
                break
            if root(i) != root(j) and same_story(features[i], features[j], rules):
                parent[root(j)] = root(i)
    undated = [i for i, info in enumerate(order) if info.published is None]
    for i in undated:  # no date: by shared wording, against everything
        for j in range(len(order)):
            if i != j and root(i) != root(j) and same_story(features[i], features[j], rules):
                parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(order)):
        groups.setdefault(root(i), []).append(i)
    stories = [_story([order[i] for i in members]) for members in groups.values()]
    return sorted(stories, key=lambda s: (-len(s.outlets), -len(s.article_ids), s.first or date.min, s.id))


def _story(members: list[ArticleInfo]) -> Story:
    ids = tuple(m.article_id for m in members)
    days = [m.published for m in members if m.published]
    return Story(
        id=content_hash(*sorted(ids)),
        article_ids=ids,
        titles=tuple(m.title for m in members),
        outlets=tuple(dict.fromkeys(m.source for m in members if m.source)),
        first=min(days) if days else None,
        last=max(days) if days else None,
    )


# Up to this many articles a stale index is rebuilt before a search names stories (about 0.75 s
# here); beyond, the search names them from the last build, saved beside the catalog, while a
# background thread rebuilds: grouping a large store takes seconds, and a search must not wait.
SYNC_ARTICLES = 1000
STORIES_FILE = "stories.json"


class StoryIndex:
    """The stories of a store (catalog + vectors), rebuilt when the catalog's generation changes
    and saved beside the catalog (``stories.json``) for the next process."""

    def __init__(self, catalog: Catalog, store: ChromaStore, rules: StoryRules | None = None) -> None:
        self.catalog = catalog
        self.store = store
        self.rules = rules or StoryRules()
        self._lock = threading.Lock()
        self._generation = -1
        self._stories: list[Story] = []
        self._by_article: dict[str, Story] = {}
        self._building: threading.Thread | None = None
        self._load()

    @property
    def path(self) -> Path:
        return self.catalog.folder / STORIES_FILE

    def stories(self) -> list[Story]:
        """Every story (an article alone is a story of one), most outlets first."""
        self._refresh()
        return self._stories

    def story_of(self, article_id: str) -> Story | None:
        """The story of an article, for naming search results: on a large store whose index is out
        of date, from the last build while a new one is made in the background."""
        if self.catalog.generation != self._generation:
            if self.catalog.counts()[0] <= SYNC_ARTICLES:
                self._refresh()
            elif self._building is None or not self._building.is_alive():
                self._building = threading.Thread(target=self._refresh, name="stories", daemon=True)
                self._building.start()
        return self._by_article.get(article_id)

    def _refresh(self) -> None:
        with self._lock:
            generation = self.catalog.generation
            if generation == self._generation:
                return
            infos = self.catalog.articles()
            openings = self.store.vectors([self._first_chunk(i.article_id) for i in infos])
            vector_of = {cid.rsplit("-", 1)[0]: v for cid, v in openings.items()}
            stories = group_stories(infos, lambda a: self.catalog.article_text(a) or "", vector_of, self.rules)
            self._stories, self._generation = stories, generation
            self._by_article = {aid: s for s in stories for aid in s.article_ids}
            self._save()

    def _save(self) -> None:
        def iso(day: date | None) -> str | None:
            return day.isoformat() if day else None

        rows = [{**asdict(s), "first": iso(s.first), "last": iso(s.last)} for s in self._stories]
        tmp = self.path.with_name(f".{STORIES_FILE}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):  # a read-only store still names stories in this process
            tmp.write_text(json.dumps({"generation": self._generation, "stories": rows}), encoding="utf-8")
            os.replace(tmp, self.path)

    def _load(self) -> None:
        """The last saved build, whatever generation it was made at (``story_of`` rebuilds when stale)."""
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            stories = [
                Story(
                    r["id"],
                    tuple(r["article_ids"]),
                    tuple(r["titles"]),
                    tuple(r["outlets"]),
                    date.fromisoformat(r["first"]) if r["first"] else None,
                    date.fromisoformat(r["last"]) if r["last"] else None,
                )  # fmt: skip
                for r in saved["stories"]
            ]
        except (OSError, ValueError, KeyError, TypeError):
            return
        self._stories, self._generation = stories, int(saved["generation"])
        self._by_article = {aid: s for s in stories for aid in s.article_ids}

    def _first_chunk(self, article_id: str) -> str:
        ids = self.catalog.chunk_ids_of(article_id)
        return ids[0] if ids else f"{article_id}-0000"
