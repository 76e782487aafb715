"""The demo group's structure: units, workshops, teams and checkpoints of an aluminium-profile maker.

Fixed, not seeded: the same plants on every laptop. Codes follow the plants' QR labels (``SS-CAST-01``: no spaces,
no ``:``), and ids derive from the codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from inspector.demo.records import add_missing, demo_id, local_time, stamp
from inspector.models import Checkpoint, Group, Team, Unit, UnitKind, Workshop, WorkshopKind

GROUP_CODE = "HUAYUE"
GROUP_NAME = ("华粤铝业集团有限公司", "Huayue Aluminium Group Co., Ltd.")
#: When the organisation was entered (the week before the Quality Management Month).
SET_UP_ON = date(2022, 4, 25)

SHIFTS = (
    ("甲班", "Shift A"),
    ("乙班", "Shift B"),
    ("丙班", "Shift C"),
    ("丁班", "Shift D"),
    ("戊班", "Shift E"),
    ("己班", "Shift F"),
)


@dataclass(frozen=True)
class KindInfo:
    """What a kind of workshop is called, how its teams are named and which places in it are inspected."""

    abbr: str
    name_zh: str
    name_en: str
    #: ``None``: shift teams (熔铸甲班 / Casting Shift A); otherwise the named teams in order.
    teams: tuple[tuple[str, str], ...] | None
    checkpoints: tuple[tuple[str, str], ...]


KINDS: dict[WorkshopKind, KindInfo] = {
    WorkshopKind.CASTING: KindInfo(
        "CAST",
        "熔铸",
        "Casting",
        None,
        (
            ("熔炼炉炉前平台", "Melting furnace platform"),
            ("保温炉及出口流槽", "Holding furnace and outlet launder"),
            ("深井铸造井口", "DC casting pit"),
            ("结晶器冷却水泵房", "Mould cooling-water pump house"),
            ("高位应急水池", "Elevated emergency water tank"),
            ("铸造机卷扬系统", "Casting-machine winch"),
            ("天然气调压站", "Gas pressure-regulating station"),
            ("均质炉", "Homogenising furnace"),
            ("熔铸东门安全出口", "Casthouse east fire exit"),
        ),
    ),
    WorkshopKind.EXTRUSION: KindInfo(
        "EXTR",
        "挤压",
        "Extrusion",
        None,
        (
            ("挤压机主机区", "Extrusion press area"),
            ("铝棒加热炉", "Billet furnace"),
            ("模具加热炉", "Die oven"),
            ("牵引锯切区", "Puller and saw area"),
            ("时效炉", "Ageing oven"),
            ("液压站", "Hydraulic station"),
            ("叉车充电区", "Forklift charging bay"),
            ("挤压车间西侧安全出口", "Extrusion west fire exit"),
        ),
    ),
    WorkshopKind.ANODISING: KindInfo(
        "ANOD",
        "氧化",
        "Anodising",
        (
            ("挂料班", "Racking team"),
            ("前处理班", "Pretreatment team"),
            ("氧化班", "Anodising team"),
            ("电泳封孔班", "Electrophoresis and sealing team"),
            ("下料班", "Unracking team"),
            ("检验班", "Inspection team"),
        ),
        (
            ("前处理槽线", "Pretreatment tank line"),
            ("氧化槽线", "Anodising tank line"),
            ("酸碱储存间", "Acid and alkali store"),
            ("整流器室", "Rectifier room"),
            ("废水处理站", "Wastewater treatment plant"),
            ("洗眼器及紧急喷淋点", "Eyewash and emergency shower point"),
        ),
    ),
    WorkshopKind.POWDER_COATING: KindInfo(
        "COAT",
        "喷涂",
        "Powder Coating",
        None,
        (
            ("喷粉房", "Powder booth"),
            ("粉末回收系统", "Powder recovery system"),
            ("固化炉", "Curing oven"),
            ("喷涂前处理线", "Coating pretreatment line"),
            ("粉末仓库", "Powder store"),
        ),
    ),
    WorkshopKind.MOULD: KindInfo(
        "MOLD",
        "模具",
        "Mould Shop",
        (
            ("模具设计班", "Die design team"),
            ("模具加工班", "Die machining team"),
            ("修模班", "Die repair team"),
            ("氮化班", "Nitriding team"),
        ),
        (
            ("数控加工区", "CNC machining area"),
            ("氮化炉", "Nitriding furnace"),
            ("模具库", "Die store"),
            ("砂轮打磨间", "Grinding room"),
        ),
    ),
    WorkshopKind.DEEP_PROCESSING: KindInfo(
        "DEEP",
        "深加工",
        "Deep Processing",
        (
            ("切割班", "Cutting team"),
            ("钻铣班", "Drilling and milling team"),
            ("冲压班", "Punching team"),
            ("组装班", "Assembly team"),
            ("检验班", "Inspection team"),
        ),
        (
            ("型材切割区", "Profile cutting area"),
            ("钻铣加工中心", "Drilling and milling centres"),
            ("冲压区", "Punching area"),
            ("门窗组装线", "Window assembly line"),
        ),
    ),
    WorkshopKind.PACKAGING: KindInfo(
        "PACK",
        "包装",
        "Packaging",
        None,
        (
            ("型材包装线", "Profile packing line"),
            ("贴膜机", "Film laminator"),
            ("成品暂存区", "Finished-goods staging area"),
            ("包装材料仓", "Packaging material store"),
        ),
    ),
    WorkshopKind.WAREHOUSE: KindInfo(
        "WHSE",
        "仓库",
        "Warehouse",
        (
            ("收货班", "Receiving team"),
            ("成品仓管班", "Finished-goods store team"),
            ("发货班", "Dispatch team"),
            ("装车班", "Loading team"),
        ),
        (
            ("成品仓库", "Finished-goods warehouse"),
            ("装车月台", "Loading dock"),
            ("仓库叉车充电区", "Warehouse forklift charging bay"),
            ("仓库消防通道", "Warehouse fire lane"),
        ),
    ),
    WorkshopKind.POWER: KindInfo(
        "POWR",
        "配电",
        "Power Distribution",
        (
            ("高压运行班", "HV operations team"),
            ("低压维修班", "LV maintenance team"),
            ("仪表自控班", "Instrumentation and control team"),
            ("空压站班", "Compressor station team"),
        ),
        (
            ("10kV高压配电室", "10 kV switch room"),
            ("变压器室", "Transformer room"),
            ("低压配电室", "LV switch room"),
            ("空压站", "Compressor station"),
            ("柴油发电机房", "Diesel generator room"),
        ),
    ),
}


@dataclass(frozen=True)
class UnitPlan:
    code: str
    kind: UnitKind
    name_zh: str
    name_en: str
    #: Short place name used in workshop names (三水熔铸车间 / Sanshui Casting Workshop).
    place_zh: str
    place_en: str
    #: Each workshop's kind and its number of teams (3–6).
    workshops: tuple[tuple[WorkshopKind, int], ...]


UNITS: tuple[UnitPlan, ...] = (
    UnitPlan(
        "SS",
        UnitKind.BRANCH_FACTORY,
        "三水分厂",
        "Sanshui Branch Factory",
        "三水",
        "Sanshui",
        ((WorkshopKind.CASTING, 4), (WorkshopKind.EXTRUSION, 6), (WorkshopKind.ANODISING, 4), (WorkshopKind.POWER, 3)),
    ),
    UnitPlan(
        "NH",
        UnitKind.INDUSTRIAL_PARK,
        "南海工业园区",
        "Nanhai Industrial Park",
        "南海",
        "Nanhai",
        (
            (WorkshopKind.EXTRUSION, 5),
            (WorkshopKind.POWDER_COATING, 4),
            (WorkshopKind.MOULD, 3),
            (WorkshopKind.PACKAGING, 4),
            (WorkshopKind.WAREHOUSE, 3),
        ),
    ),
    UnitPlan(
        "JX",
        UnitKind.MEMBER_ENTERPRISE,
        "江西华粤铝材有限公司",
        "Jiangxi Huayue Aluminium Co., Ltd.",
        "江西",
        "Jiangxi",
        (
            (WorkshopKind.CASTING, 3),
            (WorkshopKind.EXTRUSION, 4),
            (WorkshopKind.DEEP_PROCESSING, 4),
            (WorkshopKind.WAREHOUSE, 3),
        ),
    ),
    UnitPlan(
        "GM",
        UnitKind.BRANCH_FACTORY,
        "高明分厂",
        "Gaoming Branch Factory",
        "高明",
        "Gaoming",
        ((WorkshopKind.CASTING, 3), (WorkshopKind.EXTRUSION, 4), (WorkshopKind.PACKAGING, 3)),
    ),
)


@dataclass
class Organisation:
    """The demo group's records, in plan order (built in memory; :func:`add_organisation` stores what is missing)."""

    group: Group
    units: list[Unit]
    workshops: list[Workshop]
    teams: list[Team]
    checkpoints: list[Checkpoint]

    def teams_of(self, workshop: Workshop) -> list[Team]:
        return [team for team in self.teams if team.workshop_id == workshop.id]

    def checkpoints_of(self, workshop: Workshop) -> list[Checkpoint]:
        return [cp for cp in self.checkpoints if cp.workshop_id == workshop.id]


def _team_names(info: KindInfo, count: int) -> list[tuple[str, str]]:
    if info.teams is None:
        return [(f"{info.name_zh}{zh}", f"{info.name_en} {en}") for zh, en in SHIFTS[:count]]
    return list(info.teams[:count])


def build_organisation() -> Organisation:
    """The group, its units, workshops, teams and checkpoints, with stable ids and fixed stamps."""
    at = local_time(SET_UP_ON, 9)
    group = Group(id=demo_id("group", GROUP_CODE), code=GROUP_CODE, name_zh=GROUP_NAME[0], name_en=GROUP_NAME[1])
    org = Organisation(group, [], [], [], [])
    for plan in UNITS:
        unit = Unit(
            id=demo_id("unit", plan.code),
            group_id=group.id,
            code=plan.code,
            kind=plan.kind,
            name_zh=plan.name_zh,
            name_en=plan.name_en,
        )
        org.units.append(unit)
        for kind, team_count in plan.workshops:
            info = KINDS[kind]
            code = f"{plan.code}-{info.abbr}"
            workshop = Workshop(
                id=demo_id("workshop", code),
                unit_id=unit.id,
                code=code,
                kind=kind,
                name_zh=f"{plan.place_zh}{info.name_zh}车间",
                name_en=f"{plan.place_en} {info.name_en} Workshop",
            )
            org.workshops.append(workshop)
            teams = []
            for index, (zh, en) in enumerate(_team_names(info, team_count)):
                team_code = f"{code}-{chr(ord('A') + index)}"
                teams.append(
                    Team(id=demo_id("team", team_code), workshop_id=workshop.id, code=team_code, name_zh=zh, name_en=en)
                )
            org.teams.extend(teams)
            for index, (zh, en) in enumerate(info.checkpoints):
                cp_code = f"{code}-{index + 1:02d}"
                org.checkpoints.append(
                    Checkpoint(
                        id=demo_id("checkpoint", cp_code),
                        workshop_id=workshop.id,
                        code=cp_code,
                        name_zh=zh,
                        name_en=en,
                        team_id=teams[index % len(teams)].id,
                    )
                )
    for record in (org.group, *org.units, *org.workshops, *org.teams, *org.checkpoints):
        stamp(record, at)
    return org


def add_organisation(session: Session, org: Organisation) -> int:
    """Store whatever of the organisation is missing; returns how many records were added."""
    added = add_missing(session, [org.group], unique_code=True)
    added += add_missing(session, [*org.units, *org.workshops, *org.teams])
    added += add_missing(session, org.checkpoints, unique_code=True)
    return added
