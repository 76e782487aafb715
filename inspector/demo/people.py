"""The demo roster: inspectors with their assigned workshops, a leader for every team, two supervisors and an
auditor. Realistic Cantonese-region names with their pinyin; employee codes as on the plants' badges."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from inspector.demo.org import SET_UP_ON, Organisation
from inspector.demo.records import add_missing, demo_id, local_time, stamp
from inspector.models import Campaign, InspectorAssignment, Person, Role, Team

SURNAMES = (
    ("陈", "Chen"),
    ("梁", "Liang"),
    ("黄", "Huang"),
    ("李", "Li"),
    ("何", "He"),
    ("张", "Zhang"),
    ("罗", "Luo"),
    ("林", "Lin"),
    ("吴", "Wu"),
    ("冯", "Feng"),
    ("周", "Zhou"),
    ("谢", "Xie"),
    ("邓", "Deng"),
    ("郭", "Guo"),
    ("叶", "Ye"),
    ("麦", "Mai"),
    ("刘", "Liu"),
    ("杨", "Yang"),
    ("钟", "Zhong"),
    ("曾", "Zeng"),
    ("潘", "Pan"),
    ("蔡", "Cai"),
    ("区", "Ou"),
    ("苏", "Su"),
)
GIVEN_NAMES = (
    ("志强", "Zhiqiang"),
    ("伟明", "Weiming"),
    ("建华", "Jianhua"),
    ("国栋", "Guodong"),
    ("海燕", "Haiyan"),
    ("丽娟", "Lijuan"),
    ("俊杰", "Junjie"),
    ("家豪", "Jiahao"),
    ("嘉欣", "Jiaxin"),
    ("文辉", "Wenhui"),
    ("永康", "Yongkang"),
    ("锦荣", "Jinrong"),
    ("少华", "Shaohua"),
    ("振东", "Zhendong"),
    ("晓玲", "Xiaoling"),
    ("卫国", "Weiguo"),
    ("汉文", "Hanwen"),
    ("秀英", "Xiuying"),
    ("国强", "Guoqiang"),
    ("子健", "Zijian"),
    ("浩然", "Haoran"),
    ("丽华", "Lihua"),
    ("宏伟", "Hongwei"),
    ("小军", "Xiaojun"),
    ("德明", "Deming"),
    ("桂芳", "Guifang"),
    ("耀祖", "Yaozu"),
    ("思敏", "Simin"),
    ("金水", "Jinshui"),
    ("伟雄", "Weixiong"),
    ("惠玲", "Huiling"),
)

#: Inspectors: employee code, name, and the two workshops each is assigned to in both campaigns.
INSPECTORS = (
    ("HY1001", ("冯志远", "Feng Zhiyuan"), ("SS-CAST", "SS-POWR")),
    ("HY1002", ("梁晓慧", "Liang Xiaohui"), ("SS-EXTR", "SS-ANOD")),
    ("HY1003", ("黄振邦", "Huang Zhenbang"), ("NH-EXTR", "NH-COAT")),
    ("HY1004", ("何婉仪", "He Wanyi"), ("NH-MOLD", "NH-PACK")),
    ("HY1005", ("陈卓伦", "Chen Zhuolun"), ("NH-WHSE", "JX-WHSE")),
    ("HY1006", ("罗建新", "Luo Jianxin"), ("JX-CAST", "JX-EXTR")),
    ("HY1007", ("谢宇航", "Xie Yuhang"), ("JX-DEEP", "GM-PACK")),
    ("HY1008", ("邓国华", "Deng Guohua"), ("GM-CAST", "GM-EXTR")),
)
#: The safety and the quality supervisor (安全环保部 / 质量管理部) and the read-only auditor.
SAFETY_SUPERVISOR = ("HY2001", ("李卫东", "Li Weidong"))
QUALITY_SUPERVISOR = ("HY2002", ("叶美玲", "Ye Meiling"))
AUDITOR = ("HY3001", ("苏文博", "Su Wenbo"))


@dataclass
class Roster:
    inspectors: list[Person]
    leaders: dict[str, Person]  # by team code
    safety_supervisor: Person
    quality_supervisor: Person
    auditor: Person
    #: Inspector code → the codes of the workshops they are assigned to.
    areas: dict[str, tuple[str, ...]]

    @property
    def everyone(self) -> list[Person]:
        return [*self.inspectors, *self.leaders.values(), self.safety_supervisor, self.quality_supervisor, self.auditor]

    def leader_of(self, team: Team) -> Person:
        return self.leaders[team.code]

    def inspector(self, code: str) -> Person:
        return next(p for p in self.inspectors if p.code == code)


def _person(
    code: str, name: tuple[str, str], role: Role, *, unit_id: uuid.UUID | None = None, team_id: uuid.UUID | None = None
) -> Person:
    person = Person(
        id=demo_id("person", code),
        code=code,
        name_zh=name[0],
        name_en=name[1],
        role=role,
        unit_id=unit_id,
        team_id=team_id,
    )
    stamp(person, local_time(SET_UP_ON, 9))
    return person


def leader_names(count: int) -> list[tuple[str, str]]:
    """``count`` distinct names, none shared with the inspectors, supervisors or auditor."""
    taken = {name[0] for _code, name, _areas in INSPECTORS} | {
        SAFETY_SUPERVISOR[1][0],
        QUALITY_SUPERVISOR[1][0],
        AUDITOR[1][0],
    }
    names: list[tuple[str, str]] = []
    step = 0
    while len(names) < count:
        surname = SURNAMES[step % len(SURNAMES)]
        given = GIVEN_NAMES[(step * 7 + step // len(SURNAMES)) % len(GIVEN_NAMES)]
        step += 1
        zh = surname[0] + given[0]
        if zh not in taken:
            taken.add(zh)
            names.append((zh, f"{surname[1]} {given[1]}"))
    return names


def build_roster(org: Organisation) -> Roster:
    """Every person of the demo group (not yet stored)."""
    unit_of_workshop = {w.code: w.unit_id for w in org.workshops}
    inspectors = [
        _person(code, name, Role.INSPECTOR, unit_id=unit_of_workshop[areas[0]]) for code, name, areas in INSPECTORS
    ]
    unit_of_team = {t.id: unit_of_workshop[w.code] for w in org.workshops for t in org.teams_of(w)}
    leaders = {
        team.code: _person(
            f"HY5{index + 1:03d}", name, Role.TEAM_LEADER, team_id=team.id, unit_id=unit_of_team[team.id]
        )
        for index, (team, name) in enumerate(zip(org.teams, leader_names(len(org.teams)), strict=True))
    }
    return Roster(
        inspectors=inspectors,
        leaders=leaders,
        safety_supervisor=_person(*SAFETY_SUPERVISOR, Role.SUPERVISOR),
        quality_supervisor=_person(*QUALITY_SUPERVISOR, Role.SUPERVISOR),
        auditor=_person(*AUDITOR, Role.AUDITOR),
        areas={code: areas for code, _name, areas in INSPECTORS},
    )


def build_assignments(org: Organisation, roster: Roster, campaigns: list[Campaign]) -> list[InspectorAssignment]:
    """Each inspector's two workshops, in every campaign."""
    workshop_ids = {w.code: w.id for w in org.workshops}
    assignments = []
    for campaign in campaigns:
        for person in roster.inspectors:
            for area in roster.areas[person.code]:
                assignment = InspectorAssignment(
                    id=demo_id("assignment", person.code, area, campaign.code),
                    person_id=person.id,
                    workshop_id=workshop_ids[area],
                    campaign_id=campaign.id,
                )
                stamp(assignment, local_time(campaign.starts_on, 8))
                assignments.append(assignment)
    return assignments


def add_roster(session: Session, roster: Roster) -> int:
    """Store whatever of the roster is missing; returns how many people were added."""
    return add_missing(session, roster.everyone, unique_code=True)
