"""Briefing assistant: offline, evidence-first questions and answers over news articles.

>>> from assistant import Assistant          # doctest: +SKIP
>>> a = Assistant(); a.ingest(["seeds/"])     # doctest: +SKIP
>>> a.search("What did Rubio tell Russia?")[0].text  # doctest: +SKIP
"""

from assistant.assistant import Assistant
from assistant.catalog import ArticleInfo
from assistant.errors import (
    BriefingError,
    EmbeddingMismatchError,
    IngestError,
    ModelUnavailableError,
    QuestionError,
    SettingsError,
    StoreError,
)
from assistant.records import Article, Chunk, IngestFailure, IngestReport, Passage, Stripped
from assistant.settings import Settings
from assistant.store import Filters

__all__ = [
    "Article",
    "ArticleInfo",
    "Assistant",
    "BriefingError",
    "Chunk",
    "EmbeddingMismatchError",
    "Filters",
    "IngestError",
    "IngestFailure",
    "IngestReport",
    "ModelUnavailableError",
    "Passage",
    "QuestionError",
    "Settings",
    "SettingsError",
    "StoreError",
    "Stripped",
]
