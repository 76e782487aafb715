"""The inspector's Textual app: home, start, checklist walk, review and sign-off (see :mod:`screens.app`)."""
