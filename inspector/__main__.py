"""``python -m inspector`` — the same as the ``inspector`` command."""

from inspector.cli import main

if __name__ == "__main__":
    main()
