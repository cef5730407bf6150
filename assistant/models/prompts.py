"""Prompt templates, loaded from ``prompts/`` and checked for their variables at start-up.

Each prompt is a pair of files, ``NAME.system.txt`` (static, so the runtime can reuse its
prompt cache) and ``NAME.user.txt`` (with ``{variables}``). ``PROMPTS`` lists each prompt's
variables; ``load_prompts`` fails at once, naming the file, when a template and its list differ.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.errors import SettingsError

PROMPT_DIR = Path(__file__).resolve().parents[2] / "prompts"
PROMPTS: dict[str, set[str]] = {
    "choose_sentence": {"sentences", "question"},
    "answer_arabic": {"evidence", "question"},
    "render_english": {"evidence", "question"},
    "render_guided": {"glossary", "evidence", "question"},
    "short_answer": {"glossary", "evidence", "question"},
    "render_repair": {"glossary", "evidence", "question", "previous", "problems"},
    "translate_sentence": {"sentence"},
    "translate_guided": {"glossary", "sentence"},
}


@dataclass(frozen=True)
class Prompt:
    name: str
    system: str
    user: str

    def messages(self, **values: str) -> list[tuple[str, str]]:
        """(role, text) pairs, the user template filled with ``values``."""
        return [("system", self.system), ("human", self.user.format(**values))]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@cache
def load_prompts(directory: Path = PROMPT_DIR) -> dict[str, Prompt]:
    """Every prompt in ``PROMPTS``, checked."""
    prompts = {}
    for name, variables in PROMPTS.items():
        system_path, user_path = directory / f"{name}.system.txt", directory / f"{name}.user.txt"
        if not system_path.is_file() or not user_path.is_file():
            raise SettingsError(f"Prompt {name!r} is missing: expected {system_path} and {user_path}.")
        system, user = system_path.read_text(encoding="utf-8").strip(), user_path.read_text(encoding="utf-8")
        if _fields(system):
            raise SettingsError(f"{system_path} must be static (no {{variables}}); found {sorted(_fields(system))}.")
        if _fields(user) != variables:
            raise SettingsError(f"{user_path} uses {sorted(_fields(user))}; it must use exactly {sorted(variables)}.")
        prompts[name] = Prompt(name, system, user.strip())
    return prompts
