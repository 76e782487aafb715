"""Texts of the demo command's summary."""

from inspector.i18n import register

register(
    {
        "demo.title": ("演示集团：{group}", "Demo group: {group}"),
        "demo.created": ("已创建", "created"),
        "demo.present": ("已存在，未改动", "already present, left unchanged"),
        "demo.org": (
            "组织：{units} 个单位、{workshops} 个车间、{teams} 个班组、{checkpoints} 个检查点（{state}）",
            "Organisation: {units} units, {workshops} workshops, {teams} teams, {checkpoints} checkpoints ({state})",
        ),
        "demo.people": (
            "人员：{people} 人（检查员 {inspectors}、班组长 {leaders}、主管 {supervisors}、审计 {auditors}）",
            "People: {people} ({inspectors} inspectors, {leaders} team leaders, {supervisors} supervisors, "
            "{auditors} auditor)",
        ),
        "demo.checklist": (
            "检查表 {code}：{name}，{items} 项（{state}）",
            "Checklist {code}: {name}, {items} items ({state})",
        ),
        "demo.campaign": (
            "活动 {code}：{name}{active}（历史记录{state}）",
            "Campaign {code}: {name}{active} (history {state})",
        ),
        "demo.active": ("（当前活动）", " — active"),
        "demo.inspections": (
            "  检查 {signed} 次已签署、{drafts} 份草稿；隐患 {findings} 条（重大 {major}，未销号重大 {major_open}）",
            "  Inspections: {signed} signed, {drafts} drafts; findings: {findings} ({major} major, "
            "{major_open} major still open)",
        ),
        "demo.orders": (
            "  整改通知：待整改 {open}、已回复 {answered}、已销号 {closed}（逾期销号 {late}）、被退回 {reopened}；"
            "截至活动结束逾期 {overdue}",
            "  Rectification orders: {open} open, {answered} answered, {closed} closed ({late} closed late), "
            "{reopened} reopened; {overdue} overdue at the campaign's end",
        ),
        "demo.quality": (
            "  班组质量数据 {figures} 条；创新/QC项目 {projects} 个；一票否决 {vetoed} 次",
            "  Team quality figures: {figures}; innovation/QC projects: {projects}; veto events: {vetoed}",
        ),
        "demo.seed": ("历史记录的随机种子：{seed}", "History generated with seed {seed}"),
    }
)
