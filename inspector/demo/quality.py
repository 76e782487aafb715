"""Team quality figures per campaign (entered by the quality supervisor) and the innovation / QC-circle projects
the panel scored."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from inspector.demo.answers import TeamFigures
from inspector.demo.campaigns import DEMO_QUALITY_CAMPAIGN, DEMO_SAFETY_CAMPAIGN, plan_of
from inspector.demo.org import Organisation
from inspector.demo.people import Roster
from inspector.demo.profiles import TeamProfile
from inspector.demo.records import demo_id, local_time, stamp
from inspector.models import Campaign, InnovationProject, QualityFigure, Team, WorkshopKind

#: First-pass yield range (%) and complaint counts by level.
YIELD = {"excellent": (98.6, 99.6), "good": (98.1, 99.2), "fair": (97.5, 98.8), "poor": (96.4, 98.2)}
COMPLAINTS = {"excellent": (0, 0), "good": (0, 1), "fair": (0, 2), "poor": (1, 3)}


def team_figures(profiles: dict[str, TeamProfile], seed: int) -> dict[tuple[str, str], TeamFigures]:
    """Each team's month figures in each campaign."""
    figures: dict[tuple[str, str], TeamFigures] = {}
    for campaign_code in (DEMO_QUALITY_CAMPAIGN, DEMO_SAFETY_CAMPAIGN):
        for code, profile in sorted(profiles.items()):
            rng = random.Random(f"{seed}/{campaign_code}/figures/{code}")
            fpy = round(rng.uniform(*YIELD[profile.level]), 2)
            lost = 100.0 - fpy
            figures[(campaign_code, code)] = TeamFigures(
                first_pass_yield=fpy,
                defect_rate=round(lost * rng.uniform(0.45, 0.7), 2),
                rework_rate=round(lost * rng.uniform(0.5, 0.9), 2),
                complaints=rng.randint(*COMPLAINTS[profile.level]),
            )
    return figures


def build_quality_figures(
    campaign: Campaign,
    teams: list[Team],
    figures: dict[tuple[str, str], TeamFigures],
    six_s: dict[tuple[str, str], list[float]],
    roster: Roster,
) -> list[QualityFigure]:
    """The figures the quality supervisor entered at the campaign's end, with the team's 6S result."""
    entered_at = local_time(plan_of(campaign.code).ends_on, 17)
    rows = []
    for team in teams:
        figure = figures[(campaign.code, team.code)]
        scores = six_s.get((campaign.code, team.code), [])
        row = QualityFigure(
            id=demo_id("quality-figure", campaign.code, team.code),
            campaign_id=campaign.id,
            team_id=team.id,
            first_pass_yield=figure.first_pass_yield,
            defect_rate=figure.defect_rate,
            rework_rate=figure.rework_rate,
            complaints=figure.complaints,
            six_s_score=round(sum(scores) / len(scores), 1) if scores else None,
            entered_by_id=roster.quality_supervisor.id,
        )
        stamp(row, entered_at)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class ProjectPlan:
    code: str
    campaign: str
    workshop_kind: WorkshopKind
    kind: str
    title_zh: str
    title_en: str
    summary: str


PROJECTS: tuple[ProjectPlan, ...] = (
    ProjectPlan(
        "QC-2022-01",
        DEMO_QUALITY_CAMPAIGN,
        WorkshopKind.CASTING,
        "qc_circle",
        "降低6063铝棒气孔缺陷率",
        "Reducing gas porosity in 6063 billets",
        "优化除气精炼参数与在线除气转速，气孔缺陷率由0.8%降至0.3%。/ Tuned degassing and rotor speed; porosity "
        "defects fell from 0.8 % to 0.3 %.",
    ),
    ProjectPlan(
        "QC-2022-02",
        DEMO_QUALITY_CAMPAIGN,
        WorkshopKind.MOULD,
        "qc_circle",
        "提高挤压模具一次上机合格率",
        "Raising the first-trial success rate of extrusion dies",
        "建立模具设计评审清单与试模数据库，一次上机合格率由82%提高到91%。/ Design review checklist and trial "
        "database; first-trial success rose from 82 % to 91 %.",
    ),
    ProjectPlan(
        "QC-2022-03",
        DEMO_QUALITY_CAMPAIGN,
        WorkshopKind.EXTRUSION,
        "qc_circle",
        "缩短挤压换模时间",
        "Cutting die-change time on the presses",
        "推行快速换模（SMED），平均换模时间由25分钟缩短至14分钟。/ SMED: average die change from 25 to 14 minutes.",
    ),
    ProjectPlan(
        "QC-2022-04",
        DEMO_QUALITY_CAMPAIGN,
        WorkshopKind.ANODISING,
        "qc_circle",
        "降低氧化膜厚不均返工率",
        "Reducing rework from uneven anodic film",
        "改进挂具导电与槽液循环，膜厚不均返工率由2.6%降至1.1%。/ Better rack contact and bath circulation; "
        "rework from uneven film fell from 2.6 % to 1.1 %.",
    ),
    ProjectPlan(
        "QC-2022-05",
        DEMO_QUALITY_CAMPAIGN,
        WorkshopKind.POWDER_COATING,
        "innovation",
        "提升粉末回收利用率",
        "Raising the powder recovery rate",
        "旋风+滤芯二级回收改造，粉末利用率提高6个百分点，年节约粉末约40吨。/ Two-stage cyclone and cartridge "
        "recovery; powder use up 6 points, about 40 t a year saved.",
    ),
    ProjectPlan(
        "QC-2022-06",
        DEMO_QUALITY_CAMPAIGN,
        WorkshopKind.PACKAGING,
        "qc_circle",
        "减少型材包装划伤",
        "Fewer scratches when packing profiles",
        "改用珍珠棉隔条与专用托架，包装划伤客诉降为零。/ Foam separators and dedicated cradles; no more "
        "scratch complaints.",
    ),
    ProjectPlan(
        "SI-2022-01",
        DEMO_SAFETY_CAMPAIGN,
        WorkshopKind.CASTING,
        "innovation",
        "深井铸造流槽液位联锁改造",
        "Launder level interlock retrofit for DC casting",
        "流槽液位与快速切断阀、紧急排放阀联锁，每班自动自检。/ Launder level interlocked with the quick "
        "shut-off and emergency drain valves, self-tested every shift.",
    ),
    ProjectPlan(
        "SI-2022-02",
        DEMO_SAFETY_CAMPAIGN,
        WorkshopKind.WAREHOUSE,
        "innovation",
        "叉车防撞预警系统",
        "Forklift collision warning system",
        "加装UWB人员定位与声光预警，人车交叉区域未再发生险情。/ UWB tags with light and sound warnings; no "
        "near misses since at crossings.",
    ),
    ProjectPlan(
        "SI-2022-03",
        DEMO_SAFETY_CAMPAIGN,
        WorkshopKind.POWER,
        "innovation",
        "配电室智能巡检",
        "Smart patrols of the switch rooms",
        "温湿度、局放在线监测与巡检二维码，巡检漏项为零。/ Online temperature, humidity and partial-discharge "
        "monitoring with QR patrol points; no missed checks.",
    ),
    ProjectPlan(
        "SI-2022-04",
        DEMO_SAFETY_CAMPAIGN,
        WorkshopKind.ANODISING,
        "qc_circle",
        "氧化槽液自动补加",
        "Automatic make-up of anodising baths",
        "计量泵自动补酸，取消人工倒酸作业。/ Metering pumps add acid; nobody pours acid by hand any more.",
    ),
)


def build_projects(
    campaign: Campaign, org: Organisation, profiles: dict[str, TeamProfile], seed: int
) -> list[InnovationProject]:
    """The campaign's projects, each put forward by a team of the right kind of workshop and scored by the panel."""
    rng = random.Random(f"{seed}/{campaign.code}/projects")
    kinds = {w.id: w.kind for w in org.workshops}
    scored_at = local_time(plan_of(campaign.code).ends_on - timedelta(days=1), 15)
    projects = []
    for plan in PROJECTS:
        if plan.campaign != campaign.code:
            continue
        candidates = [t for t in org.teams if kinds[t.workshop_id] == plan.workshop_kind]
        team = rng.choice(candidates)
        bonus = {"excellent": 6.0, "good": 3.0, "fair": 0.0, "poor": -4.0}[profiles[team.code].level]
        project = InnovationProject(
            id=demo_id("project", campaign.code, plan.code),
            campaign_id=campaign.id,
            team_id=team.id,
            code=plan.code,
            title_zh=plan.title_zh,
            title_en=plan.title_en,
            kind=plan.kind,
            summary=plan.summary,
            panel_score=round(min(98.0, rng.uniform(74.0, 90.0) + bonus), 1),
        )
        stamp(project, scored_at)
        projects.append(project)
    return projects
