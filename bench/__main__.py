"""``python -m bench [NAME …]``: run the benchmarks (modules ``bench/bench_*.py``) and write bench/results.json.

Each module has ``run() -> list[Result]``. Figures are printed as they come; the JSON is a list of
``{"name", "value", "unit", "baseline", "ratio", …}`` with ``ratio = value / baseline`` (lower is better).
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import traceback
from pathlib import Path

from bench.common import Result

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    results: list[Result] = []
    failed: list[str] = []
    for name in wanted:
        if name not in names:
            print(f"no benchmark {name}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        print(f"== {name}", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            for result in module.run():
                results.append(result)
                ratio = f"ratio {result.ratio:.2f}" if result.ratio is not None else "no baseline"
                target = f" (target ≤ {result.target:g})" if result.target is not None else ""
                base = f" vs {result.baseline:.6g}" if result.baseline is not None else ""
                print(f"  {result.name}: {result.value:.6g} {result.unit}{base} → {ratio}{target}", flush=True)
        except Exception:  # a broken benchmark is reported and the others still run
            failed.append(name)
            traceback.print_exc()
    out = HERE / "results.json"
    existing: list[dict[str, object]] = []
    if argv and out.exists():  # a partial run keeps the other benchmarks' figures
        fresh = {r.name for r in results}
        existing = [e for e in json.loads(out.read_text()) if e.get("name") not in fresh]
    with tempfile.NamedTemporaryFile("w", dir=HERE, delete=False, suffix=".tmp") as tmp:
        json.dump(existing + [r.as_json() for r in results], tmp, indent=2, ensure_ascii=False)
    Path(tmp.name).replace(out)
    print(f"wrote {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
