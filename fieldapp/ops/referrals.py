"""Saving a referral with its services (docs/DESIGN.md 2.1, 2.2, 5: one change, one transaction), for
the GUI form and the command line. Qt-free.

Everything is checked before anything is written: the referral, then each service walked from
its stored status (or, new, from pending) to the status asked for, under the consent rule of the
referral as it is being saved. One refusal refuses the whole: nothing is written, not even an
audit entry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from fieldapp.domain import services as rules
from fieldapp.domain import vocab
from fieldapp.domain.records import Referral, ReferralService, utc_now
from fieldapp.errors import NotFound, ValidationError
from fieldapp.i18n import _
from fieldapp.core.changes import Change


def save_referral(session, referral: Referral, services: Iterable[ReferralService] = ()) -> list[Change]:
    """Create or update `referral` and the services given (new ones, or stored ones as they should
    now be: status, dates, notes), in one transaction.

    Returns [referral Change, service Change]. Raises ValidationError (a refused field of the
    referral, or "services[i].field" naming the service and the reason) or NotFound; then nothing
    is written. `referral` is stamped as saved; the services given are left as they were.
    """
    referrals, repository = session.referrals, session.services
    before = referrals.find(referral.id)
    if before is not None and before.deleted:
        raise NotFound(_("No record with id {id}.").format(id=referral.id))
    referrals.check(referral)
    now = utc_now()
    planned: list[tuple[ReferralService, ReferralService | None]] = []
    for index, draft in enumerate(services):
        service = replace(draft, referral_id=referral.id)
        stored = repository.find(service.id)
        try:
            if stored is not None and (stored.deleted or stored.referral_id != referral.id):
                raise ValidationError({"id": _("This service no longer exists in the vault.")})
            rules.walk_from_stored(service, stored, referral, at=now, by=session.user)
            repository.check_for(service, referral)
        except ValidationError as error:
            raise ValidationError({f"services[{index}].{name}": _("Service {n} ({sector}): {problem}").format(
                n=index + 1, sector=vocab.SECTOR.label(service.sector) if service.sector in vocab.SECTOR
                else _("no service chosen"), problem=problem)
                for name, problem in error.problems.items()}) from None
        planned.append((service, stored))
    service_change = Change(ReferralService.KIND)
    with referrals.transaction():
        referral_change = referrals.save_in_transaction(referral, before)
        for service, stored in planned:
            outcome = repository.save_in_transaction(service, stored)
            if outcome == "created":
                service_change.created.append(service.id)
            elif outcome == "updated":
                service_change.updated.append(service.id)
    return [referral_change, service_change]
