"""``python -m inspector`` — the same as the ``inspector`` command."""

from inspector.cli import main

main()
