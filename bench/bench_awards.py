"""Award evaluation and the team leaderboard on a group of 50 units × 20 workshops × 10 teams (10,000 teams) with
50,000 signed inspections and 1,000,000 answers over one campaign, plus 25,000 findings with rectification orders
and 10,000 rows of quality figures.

The data is generated with raw ``executemany`` into a database made by ``open_store`` (so the schema, indexes and
pragmas are the real ones). Inspections carry their score as sign-off stores it. Baselines, in the same run on the
same file: bare ``sqlite3`` running the ``GROUP BY`` queries that compute the same figures (inspections, orders and
quality per team, workshop and unit; for the leaderboard, per team) and fetching every row — i.e. what a hand-written
report would do, without any explanation, ranking or rule checking.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from bench.common import Result
from inspector.awards import evaluate, parse_rules
from inspector.awards.leaderboard import leaderboard
from inspector.checklists.repository import store_checklist
from inspector.checklists.spec import ChecklistSpec, ItemSpec, SectionSpec
from inspector.models import Campaign, CampaignChecklist, Group, TemplateItem
from inspector.store import Store, open_store

UNITS, WORKSHOPS, TEAMS = 50, 20, 10
INSPECTIONS_PER_TEAM = 5
ITEMS = 20
START = date(2022, 6, 1)
END = date(2022, 6, 30)

RULES = """
campaign = "BENCH-2022"
[[awards]]
code = "advanced_team"
level = "team"
name_zh = "先进班组"
quota = 100
rank_by = ["average_score", "on_time_rectification_rate"]
[[awards.criteria]]
figure = "inspection_count"
min = 3
[[awards.criteria]]
figure = "average_score"
min = 90
[[awards.criteria]]
figure = "veto_events"
max = 0
[[awards.criteria]]
figure = "open_major_hazards"
max = 0
[[awards.criteria]]
figure = "on_time_rectification_rate"
min = 95
[[awards.criteria]]
figure = "first_pass_yield"
min = 98
[[awards]]
code = "advanced_collective"
level = "workshop"
name_zh = "先进集体"
quota = 50
[[awards.criteria]]
figure = "average_score"
min = 88
[[awards.criteria]]
figure = "eligible_teams"
min = 1
[[awards]]
code = "advanced_unit"
level = "unit"
name_zh = "先进单位"
quota = 5
[[awards.criteria]]
figure = "average_score"
min = 85
[[awards.criteria]]
figure = "eligible_workshops"
min = 1
"""


def _hex() -> str:
    return uuid.uuid4().hex


def _stamp(day: date, hour: int = 10) -> str:
    return datetime(day.year, day.month, day.day, hour).isoformat(" ", "microseconds")


def build(store: Store) -> tuple[uuid.UUID, int]:
    """Generate the group; returns (campaign id, answers written)."""
    with store.session(skip_outbox=True) as session:
        group = Group(code="BENCH", name_zh="基准集团", name_en="Bench group")
        campaign = Campaign(code="BENCH-2022", name_zh="基准活动", starts_on=START, ends_on=END)
        session.add_all([group, campaign])
        session.flush()
        spec = ChecklistSpec(
            code="BENCH",
            name_zh="基准检查表",
            sections=[
                SectionSpec(
                    code="S",
                    title_zh="安全",
                    items=[ItemSpec(code=f"I{n:02d}", text_zh=f"检查项{n}", points=5) for n in range(ITEMS)],
                )
            ],
        )
        version, _ = store_checklist(session, spec=spec, source="bench")
        session.add(CampaignChecklist(campaign_id=campaign.id, template_version_id=version.id))
        session.commit()
        items = [i.id.hex for i in session.exec(select(TemplateItem).where(TemplateItem.version_id == version.id))]
        group_id, campaign_id, version_id = group.id.hex, campaign.id, version.id.hex
    rng = random.Random(2022)
    now = _stamp(START, 8)
    units, workshops, teams, people = [], [], [], []
    for u in range(UNITS):
        unit_id = _hex()
        units.append((unit_id, now, now, group_id, f"U{u:02d}", "branch_factory", f"第{u}分厂", f"Plant {u}"))
        for w in range(WORKSHOPS):
            workshop_id = _hex()
            workshops.append(
                (workshop_id, now, now, unit_id, f"W{w:02d}", "extrusion", f"{u}-{w}车间", f"Workshop {u}-{w}")
            )
            for t in range(TEAMS):
                teams.append((_hex(), now, now, workshop_id, f"T{t}", f"{u}-{w}-{t}班", f"Team {u}-{w}-{t}"))
    for p in range(500):
        people.append((_hex(), now, now, f"INS-{p:03d}", "inspector", 1, f"检查员{p}", f"Inspector {p}"))
    inspections, answers, findings, orders, quality = [], [], [], [], []
    for n, team in enumerate(teams):
        workshop_id = team[3]
        level = rng.random()
        for k in range(INSPECTIONS_PER_TEAM):
            day = START + timedelta(days=rng.randrange(0, 28))
            inspection_id = _hex()
            failed = sorted(rng.sample(range(ITEMS), rng.choice((0, 0, 1, 1, 2, 3) if level > 0.3 else (2, 3, 4, 5))))
            percent = round((ITEMS - len(failed)) * 100 / ITEMS, 1)
            vetoed = 1 if rng.random() < 0.002 else 0
            inspector = people[(n // 20 + k) % len(people)][0]
            inspections.append(
                (inspection_id, now, now, campaign_id.hex, version_id, workshop_id, team[0], inspector, "signed",
                 _stamp(day, 9), _stamp(day, 11), (ITEMS - len(failed)) * 5.0, ITEMS * 5.0, percent,
                 "veto" if vetoed else ("excellent" if percent >= 90 else "good"), vetoed, "deduct-1/1", "", "", "")
            )  # fmt: skip
            for i, item in enumerate(items):
                answers.append((_hex(), now, now, inspection_id, item, "no" if i in failed else "yes", "", "", 1, "",
                                 _stamp(day, 10)))  # fmt: skip
            if failed and k % 2 == 0:
                finding_id = _hex()
                deadline = day + timedelta(days=7)
                major = rng.random() < 0.02
                findings.append((finding_id, now, now, inspection_id, items[failed[0]], "major" if major else "general",
                                 "通道堆放 Exit blocked", team[0], deadline.isoformat(), "[]"))  # fmt: skip
                roll = rng.random()
                closed = _stamp(deadline - timedelta(days=1)) if roll < 0.8 else (
                    _stamp(deadline + timedelta(days=3)) if roll < 0.9 else None)  # fmt: skip
                orders.append((_hex(), now, now, finding_id, team[0], "通道堆放", deadline.isoformat(),
                               "closed" if closed else "open", "", "[]", closed, "", ""))  # fmt: skip
        quality.append(
            (_hex(), now, now, campaign_id.hex, team[0], round(rng.uniform(96, 99.8), 2), round(rng.uniform(0.2, 2), 2),
             round(rng.uniform(0.2, 3), 2), rng.randint(0, 2), round(rng.uniform(70, 98), 1))
        )  # fmt: skip
    with store.raw_connection() as conn:
        cur = conn.cursor()
        cur.execute("BEGIN")
        cur.executemany(
            "INSERT INTO unit (id, created_at, updated_at, group_id, code, kind, name_zh, name_en) VALUES (?,?,?,?,?,?,?,?)",
            units,
        )
        cur.executemany(
            "INSERT INTO workshop (id, created_at, updated_at, unit_id, code, kind, name_zh, name_en) "
            "VALUES (?,?,?,?,?,?,?,?)",
            workshops,
        )
        cur.executemany(
            "INSERT INTO team (id, created_at, updated_at, workshop_id, code, name_zh, name_en) VALUES (?,?,?,?,?,?,?)",
            teams,
        )
        cur.executemany(
            "INSERT INTO person (id, created_at, updated_at, code, role, active, name_zh, name_en) "
            "VALUES (?,?,?,?,?,?,?,?)",
            people,
        )
        cur.executemany(
            "INSERT INTO inspection (id, created_at, updated_at, campaign_id, template_version_id, workshop_id, "
            "team_id, inspector_id, status, started_at, signed_at, score_earned, score_possible, score_percent, grade, "
            "vetoed, rule_version, content_hash, amendment_reason, note) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            inspections,
        )
        cur.executemany(
            "INSERT INTO answer (id, created_at, updated_at, inspection_id, item_id, choice, text, photo_path, "
            "occurrences, note, answered_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            answers,
        )
        cur.executemany(
            "INSERT INTO finding (id, created_at, updated_at, inspection_id, item_id, grade, description, team_id, "
            "deadline, photo_paths) VALUES (?,?,?,?,?,?,?,?,?,?)",
            findings,
        )
        cur.executemany(
            "INSERT INTO rectificationorder (id, created_at, updated_at, finding_id, team_id, requirement, deadline, "
            "status, action_taken, evidence_paths, closed_at, plan_measures, plan_emergency) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            orders,
        )
        cur.executemany(
            "INSERT INTO qualityfigure (id, created_at, updated_at, campaign_id, team_id, first_pass_yield, "
            "defect_rate, rework_rate, complaints, six_s_score) VALUES (?,?,?,?,?,?,?,?,?,?)",
            quality,
        )
        conn.commit()
        cur.execute("ANALYZE")
    return campaign_id, len(answers)


LEVEL_KEYS = {
    "team": ("i.team_id", "", "o.team_id", "", "q.team_id", ""),
    "workshop": (
        "i.workshop_id",
        "",
        "t.workshop_id",
        "JOIN team t ON t.id = o.team_id",
        "t.workshop_id",
        "JOIN team t ON t.id = q.team_id",
    ),
    "unit": (
        "w.unit_id",
        "JOIN workshop w ON w.id = i.workshop_id",
        "w.unit_id",
        "JOIN team t ON t.id = o.team_id JOIN workshop w ON w.id = t.workshop_id",
        "w.unit_id",
        "JOIN team t ON t.id = q.team_id JOIN workshop w ON w.id = t.workshop_id",
    ),
}
NAMES = {
    "team": "SELECT t.id, t.code, t.name_zh, t.name_en, w.id, w.code, w.name_zh, u.id, u.code, u.name_zh "
    "FROM team t JOIN workshop w ON w.id = t.workshop_id JOIN unit u ON u.id = w.unit_id",
    "workshop": "SELECT w.id, w.code, w.name_zh, w.name_en, u.id, u.code, u.name_zh FROM workshop w "
    "JOIN unit u ON u.id = w.unit_id",
    "unit": "SELECT u.id, u.code, u.name_zh, u.name_en FROM unit u",
}


def raw_figures(conn: sqlite3.Connection, campaign: str, level: str, *, quality: bool = True) -> int:
    """The same aggregates with bare sqlite3; returns the number of rows fetched."""
    ikey, ijoin, okey, ojoin, qkey, qjoin = LEVEL_KEYS[level]
    cutoff = _stamp(END + timedelta(days=1), 0)
    as_of = END.isoformat()
    rows = conn.execute(NAMES[level]).fetchall()
    rows += conn.execute(
        f"SELECT {ikey}, count(*), count(i.score_percent), sum(CAST(round(i.score_percent * 10) AS INTEGER)), "
        f"min(i.score_percent), sum(i.vetoed) FROM inspection i {ijoin} WHERE i.campaign_id = ? AND i.status = 'signed' "
        f"AND i.superseded_by_id IS NULL AND {ikey} IS NOT NULL GROUP BY {ikey}",
        (campaign,),
    ).fetchall()
    closed = "(o.status = 'closed' AND o.closed_at < ?)"
    rows += conn.execute(
        f"SELECT {okey}, count(*), sum(f.grade = 'major'), sum(f.grade = 'major' AND NOT {closed}), "
        f"sum(NOT {closed} AND o.deadline < ?), sum({closed} OR (NOT {closed} AND o.deadline < ?)), "
        f"sum({closed} AND date(o.closed_at) <= o.deadline) FROM rectificationorder o "
        f"JOIN finding f ON f.id = o.finding_id JOIN inspection i ON i.id = f.inspection_id {ojoin} "
        f"WHERE i.campaign_id = ? GROUP BY {okey}",
        (cutoff, cutoff, as_of, cutoff, cutoff, as_of, cutoff, campaign),
    ).fetchall()
    if quality:
        rows += conn.execute(
            f"SELECT {qkey}, avg(q.first_pass_yield), avg(q.defect_rate), avg(q.rework_rate), avg(q.six_s_score), "
            f"sum(q.complaints) FROM qualityfigure q {qjoin} WHERE q.campaign_id = ? GROUP BY {qkey}",
            (campaign,),
        ).fetchall()
        rows += conn.execute(
            f"SELECT {qkey}, count(*) FROM innovationproject q {qjoin} WHERE q.campaign_id = ? GROUP BY {qkey}",
            (campaign,),
        ).fetchall()
    return len(rows)


def _best(fn: Callable[[], None], repeat: int = 5) -> tuple[float, float]:
    """(best CPU seconds, best wall seconds) of ``repeat`` runs. CPU time is the figure: the machine is shared, and
    wall time there measures the neighbours too; both sides are in-process SQLite with a warm page cache."""
    cpu, wall = [], []
    for _ in range(repeat):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return min(cpu), min(wall)


def run() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench-awards.db")
        started = time.perf_counter()
        campaign_id, answer_count = build(store)
        generated = time.perf_counter() - started
        parsed = parse_rules(RULES)
        assert parsed.rules is not None
        rules = parsed.rules
        outcome: dict[str, int] = {}

        def evaluation() -> None:
            with store.session() as session:
                campaign = session.get(Campaign, campaign_id)
                assert campaign is not None
                result = evaluate(session, campaign=campaign, rules=rules, rules_hash=parsed.content_hash)
                outcome["entries"] = len(result.entries)
                outcome["eligible"] = sum(1 for e in result.entries if e.eligible)

        def board() -> None:
            with store.session() as session:
                rows = leaderboard(session, campaign_id=campaign_id, level="team", as_of=END)
                outcome["board"] = len(rows)

        raw = sqlite3.connect(store.path)
        raw.execute("PRAGMA journal_mode=WAL")

        def raw_evaluation() -> None:
            for level in ("team", "workshop", "unit"):
                raw_figures(raw, campaign_id.hex, level)

        def raw_board() -> None:
            raw_figures(raw, campaign_id.hex, "team", quality=False)

        evaluation()  # warm the page cache and the statement caches of both sides alike
        raw_evaluation()
        (ours_eval, ours_eval_wall), (base_eval, base_eval_wall) = _best(evaluation), _best(raw_evaluation)
        (ours_board, ours_board_wall), (base_board, base_board_wall) = _best(board), _best(raw_board)
        raw.close()
        store.close()
    extra = {"teams": UNITS * WORKSHOPS * TEAMS, "answers": answer_count, "generate_s": round(generated, 1), **outcome}
    walls = {
        "evaluation_wall_s": round(ours_eval_wall, 3),
        "evaluation_baseline_wall_s": round(base_eval_wall, 3),
        "leaderboard_wall_s": round(ours_board_wall, 3),
        "leaderboard_baseline_wall_s": round(base_board_wall, 3),
    }
    return [
        Result(
            "awards.evaluation_10k_teams",
            ours_eval,
            "s",
            base_eval,
            target=2.0,
            note="CPU s, best of 5: full award evaluation (3 levels, 10 criteria, ranks, quotas, explanations) vs raw "
            "GROUP BY",
            extra={**extra, **walls},
        ),
        Result(
            "awards.team_leaderboard_10k_teams",
            ours_board,
            "s",
            base_board,
            target=2.0,
            note="CPU s, best of 5: team leaderboard (ranked, with order figures) vs raw GROUP BY",
            extra={**extra, **walls},
        ),
    ]
