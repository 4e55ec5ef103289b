"""Referral service status rules (docs/DESIGN.md 2.2): where a new service starts, the allowed
transitions, the walk from one status to another through them, and the consent rule."""

from __future__ import annotations

from datetime import datetime

from fieldapp.domain.records import Referral, ReferralService
from fieldapp.errors import ValidationError
from fieldapp.i18n import _, N_

# Only these moves; every other one is refused. Terminal states have no way out.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending": ("referred", "declined", "unavailable", "cancelled"),
    "referred": ("accepted", "rejected", "declined", "unavailable", "cancelled"),
    "accepted": ("completed", "declined", "cancelled"),
    "completed": (),
    "declined": (),
    "rejected": (),
    "unavailable": (),
    "cancelled": (),
}
# Every service is born here; a service recorded with another status walks to it (start_service).
INITIAL_STATUS = "pending"
REASON_REQUIRED = ("rejected",)
# Statuses with no way out: the service is over, whatever came of it (no follow-up is due).
FINAL = tuple(status for status, moves in TRANSITIONS.items() if not moves)
# Statuses that mean the survivor reached, or is reaching, the service.
SERVICE_SECURED = ("accepted", "completed")


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def new_service(referral_id: str = "") -> ReferralService:
    """A service as it starts, before any move."""
    return ReferralService(referral_id=referral_id, status=INITIAL_STATUS)


def path_to(start: str, target: str) -> list[str] | None:
    """The allowed steps from `start` to `target`, shortest first (a service recorded straight
    as accepted goes through referred); None if `target` cannot be reached."""
    frontier, seen = [[start]], {start}
    while frontier:
        path = frontier.pop(0)
        for step in allowed_next(path[-1]):
            if step in seen:
                continue
            if step == target:
                return path[1:] + [step]
            seen.add(step)
            frontier.append(path + [step])
    return None


def walk_to(service: ReferralService, referral: Referral, target: str, *, at: datetime, by: str,
            reason: str = "", override_reason: str = "") -> ReferralService:
    """Move `service` from its status to `target` through the allowed steps, each one checked,
    timestamped and kept in its history. Raises ValidationError naming the move refused."""
    if target == service.status:
        return service
    path = path_to(service.status, target) or [target]  # no path: the move itself is refused below
    for step in path:
        apply_transition(service, referral, step, at=at, by=by, reason=reason if step == target else "",
                         override_reason=override_reason)
    return service


def start_service(service: ReferralService, referral: Referral, *, at: datetime, by: str) -> ReferralService:
    """A new service starts at INITIAL_STATUS and walks to the status it was given, so every step
    is checked and a consent override is needed (and kept) whatever the final status."""
    target, reason, override = service.status, service.reason, service.consent_override_reason
    service.status, service.status_history, service.consent_override_reason = INITIAL_STATUS, [], ""
    return walk_to(service, referral, target, at=at, by=by, reason=reason, override_reason=override)


def walk_from_stored(service: ReferralService, stored: ReferralService | None, referral: Referral, *,
                     at: datetime, by: str) -> ReferralService:
    """Bring `service` to the status it asks for through the allowed moves, from where `stored`
    is (or, new, from where every service starts)."""
    if stored is None:
        return start_service(service, referral, at=at, by=by)
    target, override = service.status, service.consent_override_reason
    service.status, service.status_history = stored.status, list(stored.status_history)
    # An override already recorded stays; a new one counts only if this move needs it.
    service.consent_override_reason = stored.consent_override_reason
    return walk_to(service, referral, target, at=at, by=by, reason=service.reason, override_reason=override)


def needs_consent_override(referral: Referral, target: str) -> bool:
    return target == "referred" and not referral.consent_referral


def apply_transition(
    service: ReferralService, referral: Referral, target: str, *, at: datetime, by: str,
    reason: str = "", override_reason: str = "",
) -> ReferralService:
    """Move `service` to `target`, timestamping it. Raises ValidationError naming the broken rule."""
    current = service.status
    if target not in allowed_next(current):
        raise ValidationError({"status": _("A service cannot go from “{current}” to “{target}”.").format(
            current=_status_label(current), target=_status_label(target))})
    if target in REASON_REQUIRED and not reason.strip():
        raise ValidationError({"reason": _("Write the reason the provider refused the referral.")})
    if needs_consent_override(referral, target):
        if not override_reason.strip():
            raise ValidationError({"consent_override_reason": _(
                "The survivor has not consented to referral. Record consent, or write why the referral "
                "must go ahead without it.")})
        service.consent_override_reason = override_reason.strip()
    service.status_history = [*service.status_history, {
        "from": current, "to": target, "at": at.isoformat(timespec="milliseconds"), "by": by,
        "reason": reason.strip() or override_reason.strip(),
    }]
    service.status = target
    if target == "referred":
        service.referred_at = at
    elif target in ("accepted", "rejected"):
        service.responded_at = at
    elif target == "completed":
        service.completed_at = at
    if reason.strip():
        service.reason = reason.strip()
    return service


def _status_label(code: str) -> str:
    from fieldapp.domain.vocab import SERVICE_STATUS

    return SERVICE_STATUS.label(code)


UN_PERSONNEL_NOTICE = N_(
    "Perpetrator is UN personnel: this allegation must also be handled through the mission's "
    "sexual exploitation and abuse (SEA) channel."
)
