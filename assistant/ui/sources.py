"""The sources panel's address box: a web page, a PDF or a feed added by its URL.

A feed's entries are all ingested, and the feed is remembered in the store, so ``briefing watch``
without ``--feed`` follows it from then on. The address is text from a person, not a path: only
http(s) is fetched, with the same limits and messages as ``briefing ingest URL``.
"""

from __future__ import annotations

import logging
from typing import Any

from assistant.errors import BriefingError

log = logging.getLogger(__name__)


def add_address(assistant: Any, url: str) -> str:
    """Ingest one URL; a Markdown list saying what went in and what failed, and why."""
    url = (url or "").strip()
    if not url:
        return "- Paste the address of a web page, a PDF or an RSS/Atom feed first."
    if not url.lower().startswith(("http://", "https://")):
        return "- Give an address starting with https:// (a page, a PDF or a feed); files go in below."
    try:
        report = assistant.ingest([url])
    except BriefingError as exc:
        return f"- {exc}"
    except Exception:  # noqa: BLE001 - a user sees a sentence, the log keeps the traceback
        log.exception("adding %s failed", url)
        return "- Adding the address failed; the server log has the details. Nothing else was changed."
    followed = any(f.url == url for f in assistant.feeds())
    lines = [f"Read {url}: {report.summary()}." + (" It is a feed: `briefing watch` follows it." if followed else "")]
    lines += [f"{f.path}: {f.reason}" for f in report.failed]
    return "\n".join(f"- {line}" for line in lines)
