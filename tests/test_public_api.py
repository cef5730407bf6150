import typing

import assistant

PUBLIC = [
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


def test_exported_names_are_the_intended_ones() -> None:
    assert sorted(assistant.__all__) == PUBLIC
    for name in assistant.__all__:
        assert hasattr(assistant, name)


def test_what_the_facade_returns_is_exported() -> None:
    """Every record a public method of ``Assistant`` or ``Conversation`` returns can be imported
    from ``assistant``."""
    exported = {getattr(assistant, name) for name in PUBLIC}
    missing = []
    for cls in (assistant.Assistant, assistant.Conversation):
        for name in dir(cls):
            method = getattr(cls, name)
            if name.startswith("_") or not callable(method):
                continue
            returned = typing.get_type_hints(method).get("return")
            for part in typing.get_args(returned) or (returned,):
                for inner in typing.get_args(part) or (part,):
                    if getattr(inner, "__module__", "").startswith("assistant") and inner not in exported:
                        missing.append(f"{cls.__name__}.{name} -> {inner.__name__}")
    assert missing == []


def test_every_error_derives_from_the_root() -> None:
    for name in ("EmbeddingMismatchError", "IngestError", "ModelUnavailableError", "QuestionError", "SettingsError"):
        assert issubclass(getattr(assistant, name), assistant.BriefingError)
