"""Offline-first sync between the laptops and the central server.

``sync.protocol`` defines the payloads once for both sides; ``sync.server`` is the FastAPI server and
``sync.client`` the laptop's push/pull engine. Nothing here draws a widget.
"""
