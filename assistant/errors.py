"""Exceptions raised by the assistant.

One root, so callers can catch everything the assistant raises on purpose::

    BriefingError
    ├── SettingsError            a setting has a value we cannot use
    ├── IngestError              one input could not be read (carries .path)
    │   └── FetchError               a URL could not be fetched or used (carries .url and .status)
    ├── ModelUnavailableError    a model's files are not installed (names the install command)
    ├── StoreError               the vector store cannot be used
    │   ├── EmbeddingMismatchError   the store was built with another embedding model
    │   └── EmptyStoreError          no store at that path, or it holds no article (carries .path)
    ├── QuestionError            a question we cannot search or answer (empty, too long)
    └── NoArticleMatchesError    no article matches a briefing's topic (carries .topic)

Every message says what was wrong, with the value, and what to do. Only the CLI and the UI
turn these into text for people.
"""

from __future__ import annotations

from pathlib import Path


class BriefingError(Exception):
    """Root of every error the assistant raises on purpose."""


class SettingsError(BriefingError, ValueError):
    """A setting or argument has a value we cannot use."""


class IngestError(BriefingError):
    """One input file could not be ingested; the rest of a batch goes on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class FetchError(IngestError):
    """A web page or feed could not be fetched, or what came back cannot be ingested (a timeout, a 404,
    a redirect loop, an over-size or binary response); a batch or a watch cycle goes on without it."""

    def __init__(self, url: str, reason: str, status: int | None = None, *, retryable: bool = False) -> None:
        self.url = url
        self.status = status
        self.retryable = retryable  # a timeout, a lost connection, a 429 or a 5xx: worth trying again later
        super().__init__(url, reason)


class ModelUnavailableError(BriefingError):
    """A model's weights are not installed on this machine."""


class StoreError(BriefingError):
    """The vector store cannot be opened or used."""


class EmbeddingMismatchError(StoreError):
    """The store was built with a different embedding model or chunking."""

    def __init__(
        self, path: str, stored: str, wanted: str, stored_dim: int | None = None, wanted_dim: int | None = None
    ) -> None:
        self.path = path
        self.stored = stored
        self.wanted = wanted
        # Same name, other vectors (another build or a test embedder): the dimensions tell them apart.
        dims = stored_dim is not None and wanted_dim is not None and stored_dim != wanted_dim
        was = f"{stored!r} ({stored_dim} dimensions)" if dims else repr(stored)
        asked = f"{wanted!r} ({wanted_dim} dimensions)" if dims else repr(wanted)
        super().__init__(
            f"The vector store at {path} was built with embedding model {was}, "
            f"but the settings ask for {asked}. Use the same model "
            f"(BRIEFING_EMBEDDING__MODEL={stored!r}), point to another store "
            f"(--store DIR / vectorstore_dir=...), or delete {path} and ingest again."
        )


class EmptyStoreError(StoreError):
    """A reading command met a store that does not exist or holds no article: searching it would
    answer "not in the articles" with confidence, from nothing."""

    def __init__(self, path: Path | str, *, missing: bool = False) -> None:
        self.path = str(path)
        self.missing = missing
        fix = f"ingest articles first: briefing ingest PATH --store {self.path}"
        if missing:
            message = f"There is no store at {self.path} (no such folder); check the --store path, or {fix}"
        else:
            message = f"The store at {self.path} holds no article; {fix}"
        super().__init__(message)


class QuestionError(BriefingError, ValueError):
    """A question that cannot be searched or answered as given."""


class NoArticleMatchesError(BriefingError):
    """No ingested article matches a briefing's topic: a briefing from the closest unrelated
    article would be confident and wrong, so there is none."""

    def __init__(self, topic: str, reason: str) -> None:
        self.topic = topic
        self.reason = reason
        super().__init__(
            f"No article matches the topic {topic!r}: {reason}. Try other words (Arabic words find Arabic "
            "articles best), or give no topic to brief on every article."
        )
