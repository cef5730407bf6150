"""The same corpus in another layout: one ``.txt`` file per JSON Lines row.

A reader who keeps articles as files gets the same corpus as one who keeps JSON Lines; the
retrieval figures must not depend on which (the eval gate and ``tests/test_e2e_layouts.py``
measure both). Each row becomes ``<id>.txt``: its title on the first line, a blank line, then
its text, the way a person saves an article.

The file name comes from the row's id (``passage_id``, ``id`` or ``doc_id``) when that is a
plain name (letters, digits, ``.``, ``-``, ``_``), else from a hash of it: text from a corpus
never becomes a path.

    python -m assistant.evaluation.layout evals/xquad/xquad_ar_corpus.jsonl /tmp/xquad-txt

Deliberately not here: reading files (``ingestion.reading``).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from assistant.records import content_hash

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")


def file_name(row: dict[str, object], line: int) -> str:
    """The ``.txt`` name of a row.

    >>> file_name({"passage_id": "xquad-02-00"}, 1), file_name({"id": "../etc/passwd"}, 2)[:6]
    ('xquad-02-00.txt', 'row-2-')
    """
    ident = next((str(row[k]) for k in ("passage_id", "id", "doc_id") if row.get(k)), "")
    if _PLAIN.fullmatch(ident) and not ident.endswith("."):
        return f"{ident}.txt"
    return f"row-{line}-{content_hash(ident)[:12]}.txt"


def write_text_layout(corpus: str | Path, folder: str | Path) -> Path:
    """Write every row of the JSON Lines ``corpus`` into ``folder`` as a ``.txt`` file (title
    line, blank line, text); returns the folder."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for line, raw in enumerate(Path(corpus).read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        row = json.loads(raw)
        title = " ".join(str(row.get("title") or "").split())
        text = str(row.get("text") or "")
        body = f"{title}\n\n{text}\n" if title else f"{text}\n"
        (out / file_name(row, line)).write_text(body, encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m assistant.evaluation.layout CORPUS.jsonl FOLDER")
    print(write_text_layout(sys.argv[1], sys.argv[2]))
