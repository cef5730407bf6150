import assistant


def test_exported_names_are_the_intended_ones() -> None:
    assert sorted(assistant.__all__) == [
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
    for name in assistant.__all__:
        assert hasattr(assistant, name)


def test_every_error_derives_from_the_root() -> None:
    for name in ("EmbeddingMismatchError", "IngestError", "ModelUnavailableError", "QuestionError", "SettingsError"):
        assert issubclass(getattr(assistant, name), assistant.BriefingError)
