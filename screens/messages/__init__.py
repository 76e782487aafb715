"""Bilingual catalogues of the app's text (importing this package registers them with :mod:`inspector.i18n`)."""

from screens.messages import awards, common, walk  # noqa: F401  (registration happens on import)
