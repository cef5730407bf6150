"""``python -m assistant.cli``: the ``briefing`` command line."""

from assistant.cli import main

main()
