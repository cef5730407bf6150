"""Briefing assistant: offline, evidence-first questions and answers over news articles.

Example (needs the models, so not a doctest)::

    from assistant import Assistant
    a = Assistant()
    a.ingest(["seeds/"])
    a.search("What did Rubio tell Russia?")[0].text
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
