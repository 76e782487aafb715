"""验收 on site: an inspector or supervisor closes an answered rectification order or sends it back with the reason.

Home (the inspector's orders) and the supervisor's "to verify" list record it the same way, through the app's
ordered writer; a refusal of the rectification rules comes back as a message in the screen's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.store import StoreSession
    from screens.base import InspectorScreen


def record_verification(
    screen: InspectorScreen[Any],
    order_id: uuid.UUID,
    *,
    actor_id: uuid.UUID,
    accepted: bool,
    reason: str = "",
    then: Callable[[], object],
) -> None:
    """Verify (close) the order, or reject it with ``reason``; then tell the user and call ``then`` (a reload)."""
    at, lang = screen.inspector.clock(), screen.lang

    def job(session: StoreSession) -> str:
        from inspector.rectification import OrderRefused, reject_order, verify_order

        try:
            if accepted:
                verify_order(session, order_id=order_id, actor_id=actor_id, at=at)
            else:
                reject_order(session, order_id=order_id, actor_id=actor_id, reason=reason, at=at)
        except OrderRefused as refused:
            session.rollback()
            return refused.localized(lang)
        return ""

    def done(refusal: str) -> None:
        if refusal:
            screen.notify(refusal, severity="error", timeout=10)
        else:
            screen.notify(screen.tr("sup.verified" if accepted else "sup.rejected"))
        then()

    screen.inspector.write(job, done)
