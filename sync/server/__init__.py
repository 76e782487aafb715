"""The central sync server: a FastAPI app over PostgreSQL (or SQLite for a one-machine trial).

``sync.server.app.create_app`` builds the app; ``sync.server.settings.ServerSettings`` configures it.
"""
