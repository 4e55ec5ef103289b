"""The referral slip (docs/DESIGN.md 4): one page a survivor carries to a provider.

It names the survivor only by her code and says nothing of what happened: no name, no incident
type, no notes, no narrative. A lost slip must not harm the person carrying it.
"""

from __future__ import annotations

import io
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from fieldapp.documents.common import DocumentError, Languages, markup
from fieldapp.documents.fonts import REGULAR
from fieldapp.documents.styles import BAND, INK, RULE, make_styles
from fieldapp.domain import vocab
from fieldapp.i18n import N_, _, translate_in

TITLE = N_("Referral slip")
CODE = N_("Survivor code")
DATE = N_("Date of referral")
FROM = N_("Referring office")
CONTACT = N_("Contact")
REFERRED_BY = N_("Referred by")
CONSENT = N_("Consent to referral given by the {who} on {date}.")
CONSENT_UNDATED = N_("Consent to referral given by the {who}.")
SERVICES = N_("Services requested")
SERVICE = N_("Service")
PROVIDER = N_("Provider")
PHONE_HOURS = N_("Phone and hours")
APPOINTMENT = N_("Appointment")
FEEDBACK = N_("For the provider: please return this part to the referring office")
RECEIVED = N_("Service received: ☐ yes   ☐ no      Date: ____________      Signature and stamp: ____________")
CONFIDENTIAL = N_("Confidential. This slip carries a code, never a name: keep it private and ask nothing "
                  "about what happened beyond what your service needs.")


def build_referral_slip(session, referral_id: str, language_spec: str, service_ids: list[str] | None = None,
                        today: date | None = None) -> bytes:
    """The slip for one referral and the chosen services (all its services when none are chosen)."""
    languages = Languages(language_spec)
    referral = session.referrals.get(referral_id)
    services = session.services.for_referral(referral.id)
    if service_ids:
        wanted = set(service_ids)
        unknown = wanted - {service.id for service in services}
        if unknown:
            raise DocumentError(_("Service {id} does not belong to referral {code}.").format(
                id=sorted(unknown)[0], code=referral.survivor_code))
        services = [service for service in services if service.id in wanted]
    else:
        # Services already ended (declined, cancelled…) are no longer requested.
        services = [s for s in services if s.status in ("pending", "referred", "accepted")] or services
    if not services:
        raise DocumentError(_("Referral {code} has no service to put on a slip; add one first.").format(
            code=referral.survivor_code))
    providers = session.providers.get_many([s.provider_id for s in services if s.provider_id])
    styles = make_styles(10)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, initialFontName=REGULAR, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=15 * mm,
                            bottomMargin=15 * mm, title=languages.text(TITLE), author=session.site_name,
                            creator="fieldapp")
    width = doc.width
    story = [Paragraph(markup(languages.text(TITLE)), styles.title), Spacer(1, 6)]

    contact = session.office_contact()
    facts = [
        (CODE, f"<b>{markup(referral.survivor_code)}</b>"),
        (DATE, markup(languages.date(today or date.today()))),
        (FROM, markup(session.site_name)),
    ]
    if contact:
        facts.append((CONTACT, markup(contact)))
    facts.append((REFERRED_BY, markup(session.user)))
    rows = [[Paragraph(markup(languages.text(label)), styles.bold), Paragraph(value, styles.body)]
            for label, value in facts]
    table = Table(rows, colWidths=[width * 0.32, width * 0.68])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), ("GRID", (0, 0), (-1, -1), 0.75, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (0, -1), BAND)]))
    story += [table, Spacer(1, 5)]
    if referral.consent_referral:
        # Each language's sentence names the person in that language ("caregiver", "parent ou tuteur").
        consent = " / ".join(
            translate_in(code, CONSENT if referral.consent_at else CONSENT_UNDATED).format(
                who=vocab.CONSENT_BY.label_in(code, referral.consent_by).lower(),
                date=languages.date(referral.consent_at))
            for code in languages.codes)
        story += [Paragraph(markup(consent), styles.body), Spacer(1, 8)]

    story.append(Paragraph(markup(languages.text(SERVICES)), styles.heading))
    header = [Paragraph(markup(languages.text(text)), styles.cell_bold) for text in (SERVICE, PROVIDER, PHONE_HOURS)]
    rows = [header]
    for service in services:
        provider = providers.get(service.provider_id) if service.provider_id else None
        name = provider.name if provider else service.provider_text
        place = provider.address if provider else ""
        reach = markup(" · ".join(part for part in ((provider.phones, provider.opening_hours) if provider else ())
                                  if part))
        if service.appointment_at:
            reach += ("<br/>" if reach else "") + languages.field_markup(
                APPOINTMENT, markup(languages.date(service.appointment_at, "medium")))
        rows.append([
            Paragraph(f"<b>{markup(languages.label(vocab.SECTOR, service.sector))}</b>", styles.cell),
            Paragraph(f"<b>{markup(name)}</b>" + (f"<br/>{markup(place)}" if place else ""), styles.cell),
            Paragraph(reach, styles.cell),
        ])
    services_table = Table(rows, colWidths=[width * 0.27, width * 0.43, width * 0.30], repeatRows=1)
    services_table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.75, RULE), ("LINEBELOW", (0, 0), (-1, 0), 1.5, INK),
        ("BACKGROUND", (0, 0), (-1, 0), BAND), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [services_table, Spacer(1, 10)]
    story += [Paragraph(markup(text), styles.small) for text in languages.each(CONFIDENTIAL)]

    # A tear-off part the provider sends back, so the office can follow up without calling her.
    story += [Spacer(1, 24), Paragraph("- " * 60, styles.small), Spacer(1, 6),
              *[Paragraph(markup(text), styles.bold) for text in languages.each(FEEDBACK)], Spacer(1, 4),
              Paragraph(languages.field_markup(CODE, f"<b>{markup(referral.survivor_code)}</b>"), styles.body),
              Spacer(1, 6), *[Paragraph(markup(text), styles.body) for text in languages.each(RECEIVED)]]
    doc.build(story)
    return buffer.getvalue()
