"""The supervisor's charts tab on the awards benchmark's group (10,000 teams, 1,000 workshops, 50,000 signed
inspections, 25,000 findings): reading the weekly score trend and the hazards by grade per workshop for the whole
campaign, as the tab does when it opens (on the database thread, ahead of any save queued behind it).

Baseline, in the same run on the same file: bare ``sqlite3`` running the two ``GROUP BY`` queries that give the same
figures (weekly average and count; findings per workshop and grade) plus the workshop names, fetching every row.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from bench.bench_awards import _best, build
from bench.common import Result
from inspector.store import open_store
from screens.supervisor_charts import ChartRequest, load_charts

COUNTED = "i.campaign_id = ? AND i.status = 'signed' AND i.superseded_by_id IS NULL"


def raw_charts(conn: sqlite3.Connection, campaign: str) -> int:
    """The same figures with bare sqlite3; returns the number of rows fetched."""
    rows = conn.execute(
        "SELECT date(i.signed_at, '-6 days', 'weekday 1') AS week, avg(i.score_percent), count(*) "
        f"FROM inspection i WHERE {COUNTED} AND i.score_percent IS NOT NULL GROUP BY week",
        (campaign,),
    ).fetchall()
    rows += conn.execute(
        "SELECT i.workshop_id, f.grade, count(*) FROM finding f JOIN inspection i ON i.id = f.inspection_id "
        f"WHERE {COUNTED} GROUP BY i.workshop_id, f.grade",
        (campaign,),
    ).fetchall()
    rows += conn.execute(
        "SELECT w.id, w.name_zh FROM workshop w WHERE w.id IN "
        f"(SELECT DISTINCT i.workshop_id FROM inspection i WHERE {COUNTED})",
        (campaign,),
    ).fetchall()
    return len(rows)


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench-charts.db")
        started = time.perf_counter()
        campaign_id, _answers = build(store)
        generated = time.perf_counter() - started
        outcome: dict[str, int] = {}

        def ours() -> None:
            with store.session() as session:
                figures = load_charts(session, ChartRequest(campaign_id, None, None, "zh"))
                outcome["weeks"] = len(figures.trend)
                outcome["workshops"] = len(figures.hazards)
                outcome["findings"] = sum(sum(c.values()) for _name, c in figures.hazards)

        raw = sqlite3.connect(store.path)
        raw.execute("PRAGMA journal_mode=WAL")

        def baseline() -> None:
            raw_charts(raw, campaign_id.hex)

        ours()  # warm the page cache and the statement caches of both sides alike
        baseline()
        (cpu, wall), (base_cpu, base_wall) = _best(ours), _best(baseline)
        raw.close()
        store.close()
    return [
        Result(
            "charts.supervisor_figures_10k_teams",
            cpu,
            "s",
            base_cpu,
            note="CPU s, best of 5: the charts tab's figures (weekly trend, hazards by grade per workshop, names) "
            "vs raw GROUP BY; no ratio target: the tab must fill in well under 1 s on 10,000 teams",
            extra={
                "wall_s": round(wall, 3),
                "baseline_wall_s": round(base_wall, 3),
                "generate_s": round(generated, 1),
                **outcome,
            },
        )
    ]
