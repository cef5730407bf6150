"""Briefing assistant: offline, evidence-first questions and answers over news articles.

Example (needs the models, so not a doctest)::

    from assistant import Assistant
    a = Assistant()
    a.ingest(["seeds/"])
    a.search("What did Rubio tell Russia?")[0].text
"""

from assistant.answering.answerer import Answerer
from assistant.assistant import Assistant, Conversation
from assistant.briefing.document import Briefing
from assistant.errors import (
    BriefingError,
    EmbeddingMismatchError,
    EmptyStoreError,
    FetchError,
    IngestError,
    ModelUnavailableError,
    NoArticleMatchesError,
    QuestionError,
    SettingsError,
    StoreError,
)
from assistant.ingestion.watching import CycleReport, Watcher
from assistant.records import (
    Answer,
    AnswerEvent,
    AnswerSentence,
    AnswerStreamEvent,
    Article,
    Chunk,
    Citation,
    IngestFailure,
    IngestReport,
    Passage,
    StatusEvent,
    Stripped,
    TokenEvent,
)
from assistant.retrieval.search import AssistantRetriever
from assistant.retrieval.stories import Story
from assistant.settings import Backend, SearchMode, Settings
from assistant.storage.catalog import ArticleInfo
from assistant.storage.chroma import Filters
from assistant.storage.feeds import FeedRecord

__all__ = [
    "Answer",
    "AnswerEvent",
    "AnswerSentence",
    "AnswerStreamEvent",
    "Answerer",
    "Article",
    "ArticleInfo",
    "Assistant",
    "AssistantRetriever",
    "Backend",
    "Briefing",
    "BriefingError",
    "Chunk",
    "Citation",
    "Conversation",
    "CycleReport",
    "EmbeddingMismatchError",
    "EmptyStoreError",
    "FeedRecord",
    "FetchError",
    "Filters",
    "IngestError",
    "IngestFailure",
    "IngestReport",
    "ModelUnavailableError",
    "NoArticleMatchesError",
    "Passage",
    "QuestionError",
    "SearchMode",
    "Settings",
    "SettingsError",
    "StatusEvent",
    "StoreError",
    "Story",
    "Stripped",
    "TokenEvent",
    "Watcher",
]
