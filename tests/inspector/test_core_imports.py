"""The domain core never loads the UI or network stacks (STYLE.md practice 1)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import inspector

FORBIDDEN = ("textual", "httpx", "fastapi", "screens", "sync")


def _core_modules() -> list[str]:
    names = []
    for module in pkgutil.walk_packages(inspector.__path__, prefix="inspector."):
        if module.name.startswith("inspector.cli") or ".migrations" in module.name or module.name.endswith("__main__"):
            continue
        names.append(module.name)
    return names


def test_every_core_module_imports_without_ui_or_network_packages() -> None:
    modules = _core_modules()
    assert "inspector.scoring" in modules and "inspector.store" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core modules loaded: {result.stdout.strip()}"
