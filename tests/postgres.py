"""A real PostgreSQL server for the tests: Debian's ``postgresql`` binaries, a cluster made by
``initdb`` in a temporary folder, listening on 127.0.0.1 only, stopped at the end.

PostgreSQL refuses to run as root, and the tests may run as root (CI does): then the cluster
belongs to ``nobody`` and its commands run through ``runuser``. Without the binaries the tests
that need them fail with the command that installs them (``make test`` installs them).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from assistant.testing import free_port

INSTALL = "apt-get install postgresql (make test does it)"
_counter = itertools.count()


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    if which:
        return Path(which).resolve().parent
    raise RuntimeError(f"PostgreSQL's initdb is not installed: {INSTALL}")


class Server:
    """A PostgreSQL server reached through ``admin_url`` (any database on it, as a user who may
    create databases); ``database()`` makes a fresh, empty database and returns its URL."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.made: list[str] = []

    def database(self) -> str:
        name = f"t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.admin_url.rsplit("/", 1)[0] + "/" + name

    def drop_databases(self) -> None:
        """Drop the databases ``database()`` made (on a server that outlives the run)."""
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for name in self.made:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.made.clear()


@contextmanager
def postgres_server() -> Iterator[Server]:
    """Start a cluster in a new folder of /tmp (which ``nobody`` can reach), yield it, stop it and
    remove the folder."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="briefing-postgres-"))
    data, sockets, log = folder / "data", folder / "sockets", folder / "postgres.log"
    sockets.mkdir(exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        for path in (folder, sockets):
            shutil.chown(path, "nobody", "nogroup")
        as_user = ["runuser", "-u", "nobody", "--"]
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "briefing", "--auth=trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"
    # -w: pg_ctl returns once the server accepts connections.
    started = subprocess.run(
        [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
        capture_output=True, text=True,
    )  # fmt: skip
    try:
        if started.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {log.read_text(errors='replace')[-2000:]}")
        yield Server(f"postgresql://briefing@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
