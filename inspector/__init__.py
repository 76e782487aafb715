"""inspector: offline-first safety and quality inspection for an aluminium group (domain core).

This package never imports ``textual``, ``httpx`` or ``fastapi``: the UI lives in ``screens``, the network in ``sync``.
"""

__version__ = "0.1.0"
