"""End to end: the README's tour runs as written and prints what the README shows (real e5, real
Chroma, the bundled local model, the installed ``briefing`` command).

Every ``briefing …`` line of the tour's first shell block runs in order (``serve`` aside: it does
not end; the browser tests start it), on a store of the test's own, from a folder where the
tour's relative paths exist. A ``#   ⇒ …`` line under a command is what it must print: its parts
between ``…`` appear in that order in the output. A command that fails, or prints otherwise,
fails the build: an example the README shows must work.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parent.parent
BRIEFING = Path(sys.executable).parent / "briefing"
WITHOUT_STORE = {"eval-compare"}  # commands that take no --store


def tour() -> list[tuple[str, list[str]]]:
    """The tour's commands, each with the parts its ``⇒`` line expects (none: it must only succeed)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A five-minute tour", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the README's tour has no shell block"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        expected = re.match(r"\s*#\s*⇒\s*(.+)", line)
        if expected:
            steps[-1][1].extend(p.strip() for p in expected.group(1).split("…") if p.strip())
        elif line.startswith("briefing "):
            steps.append((line.split("  #")[0].strip(), []))
    return steps


def test_the_tour_lists_commands_with_what_they_print() -> None:
    steps = tour()
    assert len(steps) >= 9 and all(cmd.startswith("briefing ") for cmd, _ in steps)
    assert sum(bool(parts) for _, parts in steps) >= 8  # nearly every command shows its result


def test_every_readme_command_prints_what_the_readme_shows(tmp_path: Path) -> None:
    (tmp_path / "seeds").symlink_to(ROOT / "seeds")
    (tmp_path / "evals").mkdir()
    shutil.copy(ROOT / "evals" / "seed_questions.jsonl", tmp_path / "evals")
    store = tmp_path / "store"
    env = {**os.environ, "BRIEFING_VECTORSTORE_DIR": str(store)}
    for command, parts in tour():
        args = shlex.split(command)[1:]
        if args[0] == "serve":
            continue
        if args[0] not in WITHOUT_STORE and "--corpus" not in args:
            args += ["--store", str(store)]
        run = subprocess.run([str(BRIEFING), *args], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=900)
        output = run.stdout + run.stderr
        assert run.returncode == 0, f"{command} exited {run.returncode}:\n{output[-3000:]}"
        at = 0
        for part in parts:
            found = output.find(part, at)
            assert found >= 0, f"{command} did not print {part!r} (after what came before it):\n{output[-3000:]}"
            at = found + len(part)
    assert (tmp_path / "brief.html").is_file() and (tmp_path / "evals/runs/seed-extractive/report.md").is_file()
