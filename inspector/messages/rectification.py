"""Texts of the rectification loop: statuses, refusals and history notes (简体中文 / English)."""

from __future__ import annotations

from inspector.i18n import register

register(
    {
        "order.status.open": ("待整改", "Open"),
        "order.status.answered": ("待验收", "Answered"),
        "order.status.closed": ("已销号", "Closed"),
        "order.status.reopened": ("验收未通过", "Reopened"),
        "rect.hazard.general": ("一般隐患", "General hazard"),
        "rect.hazard.significant": ("较大隐患", "Significant hazard"),
        "rect.hazard.major": ("重大隐患", "Major hazard"),
        "order.note.plan": ("已登记重大隐患治理方案", "Major-hazard plan recorded"),
        "order.note.late_verification": (
            "验收晚于整改期限后 {days} 天的要求",
            "Verified later than {days} days after the deadline",
        ),
        # refusals (RuleViolation codes: err.<code>)
        "err.E_ORDER_NOT_FOUND": ("找不到整改通知 {order}", "No rectification order {order}"),
        "err.E_ORDER_TRANSITION": (
            "整改通知当前为“{status_zh}”，不能{action_zh}（只能：{allowed_zh}）",
            "The order is {status_en}: it cannot be {action_en} (possible now: {allowed_en})",
        ),
        "err.E_ORDER_ACTOR": ("{person} 无权{action_zh}此整改通知", "{person} may not {action_en} this order"),
        "err.E_ORDER_NO_ACTOR": ("找不到人员 {person}（或已停用）", "No active person {person}"),
        "err.E_ORDER_ACTION_EMPTY": ("请填写采取的整改措施", "Describe the action taken: it is empty"),
        "err.E_ORDER_EVIDENCE_MISSING": ("找不到证据文件：{path}", "Evidence file not found: {path}"),
        "err.E_ORDER_REASON_EMPTY": ("请填写验收不通过的原因", "Say why the verification failed: the reason is empty"),
        "err.E_ORDER_PLAN_MISSING": (
            "重大隐患需先登记治理方案才能销号，缺少：{missing_zh}",
            "A major hazard needs its plan before it can close; missing: {missing_en}",
        ),
        "err.E_ORDER_PLAN_INVALID": ("治理方案无效：{problem_zh}", "The plan is not valid: {problem_en}"),
        "action.answer": ("回复", "answered"),
        "action.verify": ("验收销号", "verified"),
        "action.reject": ("退回", "rejected"),
        "action.plan": ("登记治理方案", "given a plan"),
        "verb.answer": ("回复", "answer"),
        "verb.verify": ("验收销号", "verify"),
        "verb.reject": ("退回", "reject"),
        "verb.plan": ("登记治理方案", "record a plan"),
        "plan.measures": ("治理措施", "measures"),
        "plan.funds": ("资金", "funds"),
        "plan.deadline": ("期限", "deadline"),
        "plan.owner": ("责任人", "owner"),
        "plan.emergency": ("应急预案", "emergency plan"),
        "plan.funds_negative": ("资金不能为负数", "funds cannot be negative"),
        "rect.none": ("无", "none"),
    }
)
