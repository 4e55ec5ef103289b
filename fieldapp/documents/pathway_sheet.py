"""The referral-pathway sheet (docs/DESIGN.md 4): one A4 page per area, pinned on a wall and handed to
community focal points, in English, French or both side by side.

Type shrinks step by step until the sheet fits one page, never below 8 pt (the smallest that stays
legible on a worn black-and-white photocopy); past that it flows onto a second page, and a sector
cut by a column or a page repeats its heading, "… (continued)". Everything is real text in an
embedded font.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, FrameBreak, KeepTogether, NextPageTemplate
from reportlab.platypus import PageTemplate, Paragraph, Spacer, Table, TableStyle

from fieldapp.documents.common import DocumentError, Languages, markup
from fieldapp.documents.fonts import CONDENSED
from fieldapp.documents.styles import ALERT_RED, BAND, INK, RULE, Styles, make_styles
from fieldapp.domain import vocab
from fieldapp.domain.records import Provider
from fieldapp.i18n import NC_, N_, _, translate_in

TITLE = N_("Referral pathway for survivors of sexual violence")
LAST_UPDATED = N_("Last updated: {date}")
LAST_UPDATED_LABEL = N_("Last updated")
AREA = N_("Area: {area}")
AREA_LABEL = N_("Area")
STEPS_TITLE = N_("First response: five steps")
STEPS = (
    (N_("Listen"), N_("Listen calmly. Believe her, do not judge, do not ask for details of the incident.")),
    (N_("Ensure safety"), N_("Is she in danger now? Find a safe and private place to talk.")),
    (N_("Explain options"), N_("Explain the services below, what they involve and which are free of charge.")),
    (N_("Get consent"), N_("Refer only with her informed consent (a caregiver's for a child). Respect her choice.")),
    (N_("Refer"), N_("Give a referral slip with her code only: never her name, never her story.")),
)
HEALTH_FIRST = N_("Health first: within 72 hours (PEP) / 120 hours (emergency contraception)")
HEALTH_DETAIL = N_("After rape, go to a health facility at once: HIV post-exposure prophylaxis (PEP) works only "
                   "within 72 hours, emergency contraception within 120 hours.")
FREE = NC_("price", "Free")
NOT_FREE = NC_("price", "Fee charged")
NO_PROVIDER = N_("No provider listed for: {sectors}")
NO_PROVIDER_AT_ALL = N_("No active provider is listed for this area in the directory.")
OFFICE = N_("Referring office: {office}")
OFFICE_LABEL = N_("Referring office")
PRINTED = N_("Printed on {date}")
PRINTED_LABEL = N_("Printed on")
CONTINUED = N_("{heading} (continued)")
PAGE = N_("page {number}")

# Largest first; the last is the floor for every line of the sheet, small print and the five steps
# included: below 8 pt the thin strokes of regular text vanish on a worn photocopy.
SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)
FLOOR = SIZES[-1]
MARGIN = 9 * mm  # photocopiers lose up to 5 mm at the edges
RUNNING_HEAD = 8 * mm  # above the columns of a second page: which sheet it belongs to (two lines at most)


@dataclass
class SheetData:
    """Everything printed on one sheet, read from the vault before layout starts."""

    pcode: str
    area_path: str
    providers: list[Provider]
    place_names: dict[str, str]
    office: str
    contact: str
    last_updated: date | None
    printed_on: date
    missing_sectors: list[str] = field(default_factory=list)


def sheet_data(session, pcode: str, languages: Languages, today: date | None = None) -> SheetData:
    """Read the area and its active providers (and those of every area below it)."""
    pcode = (pcode or "").strip().upper()
    place = session.places.get(pcode) if pcode else None
    if place is None:
        raise DocumentError(_("Unknown area P-code {pcode}: import the gazetteer or check the code.").format(
            pcode=pcode or "—"))
    providers = session.providers.in_area(pcode, active_only=True)
    names: dict[str, str] = {}
    for provider in providers:
        if provider.location_pcode not in names:
            found = session.places.get(provider.location_pcode)
            names[provider.location_pcode] = found.name(languages.codes[0]) if found else provider.location_pcode
    dates = [d for p in providers for d in (p.last_verified, p.updated_at.date() if p.updated_at else None) if d]
    covered = {sector for provider in providers for sector in provider.sectors}
    return SheetData(
        pcode=pcode,
        area_path=session.places.path_label(pcode, languages.codes[0]),
        providers=providers,
        place_names=names,
        office=session.site_name,
        contact=session.office_contact(),
        last_updated=max(dates) if dates else None,
        printed_on=today or date.today(),
        missing_sectors=[code for code in vocab.SECTOR.codes if code not in covered and code != "other"],
    )


class _SheetDoc(BaseDocTemplate):
    """First page: a full-width frame exactly as tall as the header, then two columns of sectors;
    later pages: two full-height columns."""

    GAP = 5 * mm

    def __init__(self, buffer, footer, header_height: float, column_height: float | None = None, **options):
        super().__init__(buffer, pagesize=A4, initialFontName=CONDENSED, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN,
                         bottomMargin=MARGIN + 6 * mm, **options)
        column = (self.width - self.GAP) / 2

        def frame(name, x, y, width, height):
            return Frame(x, y, width, height, id=name, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

        top = self.bottomMargin + self.height
        # Shorter columns hanging from the header balance a sheet that fills less than a page.
        below = min(self.height - header_height, column_height or self.height)
        bottom = top - header_height - below
        first = [frame("header", self.leftMargin, top - header_height, self.width, header_height),
                 frame("left1", self.leftMargin, bottom, column, below),
                 frame("right1", self.leftMargin + column + self.GAP, bottom, column, below)]
        later_height = self.height - RUNNING_HEAD
        later = [frame("left", self.leftMargin, self.bottomMargin, column, later_height),
                 frame("right", self.leftMargin + column + self.GAP, self.bottomMargin, column, later_height)]
        self.addPageTemplates([PageTemplate(id="first", frames=first, onPage=footer),
                               PageTemplate(id="later", frames=later, onPage=footer)])


def _steps(data_languages: Languages, styles: Styles, width: float) -> Table:
    cells = []
    for number, (title, detail) in enumerate(STEPS, start=1):
        parts = [Paragraph(f"<b>{number}. {markup(data_languages.text(title))}</b>", styles.cell)]
        for text in data_languages.each(detail):
            parts.append(Paragraph(markup(text), styles.cell))
        cells.append(parts)
    table = Table([cells], colWidths=[width / len(STEPS)] * len(STEPS))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), CONDENSED),
        ("BOX", (0, 0), (-1, -1), 1, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.75, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _health_box(languages: Languages, styles: Styles, width: float) -> Table:
    # The red is a thick border and bold black text: a photocopy keeps both; colour alone would vanish.
    parts = []
    for headline, detail in zip(languages.each(HEALTH_FIRST), languages.each(HEALTH_DETAIL)):
        parts.append(Paragraph(f"⚠ {markup(headline.upper())}", styles.alert))
        parts.append(Paragraph(f"<b>{markup(detail)}</b>", styles.body))
    table = Table([[parts]], colWidths=[width])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), CONDENSED),
        ("BOX", (0, 0), (-1, -1), 3.5, ALERT_RED),
        ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 7),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    return table


def _band(text: str, styles: Styles) -> Table:
    band = Table([[Paragraph(markup(text), styles.band)]], colWidths=["100%"])
    band.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), CONDENSED),
        ("BACKGROUND", (0, 0), (-1, -1), BAND),
        ("LINEBELOW", (0, 0), (-1, -1), 1.5, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return band


def _entry(provider: Provider, data: SheetData, languages: Languages, styles: Styles) -> Paragraph:
    bits = [f"<b>{markup(provider.name)}</b>"]
    place = data.place_names.get(provider.location_pcode, "")
    if place and provider.location_pcode != data.pcode:  # the area's own name is in the title already
        bits[0] += f" — {markup(place)}"
    if provider.phones:
        bits.append(f"<b>☎\u00a0{_unbroken(provider.phones)}</b>")
    if provider.opening_hours:
        bits.append(markup(provider.opening_hours))
    bits.append(markup(languages.text(*reversed(FREE if provider.free_of_charge else NOT_FREE))))
    return Paragraph(" · ".join(bits), styles.body)


def _unbroken(phones: str) -> str:
    """Phone numbers never break inside a number, only between numbers ("+243 99… / +243 81…")."""
    numbers = [part.strip() for part in phones.replace(";", ",").split(",") if part.strip()]
    return ", ".join(markup(number).replace(" ", "\u00a0") for number in numbers)


class _SectorBlock(Flowable):
    """A sector's heading band and its providers. Cut by the end of a column, it keeps the providers
    that fit and carries the others to the next column under the heading again, "… (continued)",
    so a provider is never read under no service. A heading never ends a column on its own."""

    def __init__(self, band, continued_band, entries: list, gap: float, after: float):
        super().__init__()
        self.band, self.continued_band = band, continued_band  # callables: a fresh band each time
        self.entries, self.gap, self.after = entries, gap, after
        self._heading = band()

    def _heights(self, width: float) -> tuple[float, list[float]]:
        heading = self._heading.wrap(width, 10_000)[1] + 1.5
        return heading, [entry.wrap(width, 10_000)[1] for entry in self.entries]

    def wrap(self, available_width, available_height):
        self.width = available_width
        heading, entries = self._heights(available_width)
        self.height = heading + sum(entries) + self.gap * (len(entries) - 1) + self.after
        return self.width, self.height

    def split(self, available_width, available_height):
        heading, entries = self._heights(available_width)
        used, fitting = heading, 0
        for index, height in enumerate(entries):
            used += height + (self.gap if index else 0)
            if used > available_height:
                break
            fitting += 1
        if fitting == 0:
            return []  # the whole block goes to the next column
        if fitting == len(self.entries):
            return [_SectorBlock(self.band, self.continued_band, self.entries, self.gap, 0)]
        return [_SectorBlock(self.band, self.continued_band, self.entries[:fitting], self.gap, 0),
                _SectorBlock(self.continued_band, self.continued_band, self.entries[fitting:], self.gap,
                             self.after)]

    def draw(self):
        top = self.height
        height = self._heading.wrap(self.width, 10_000)[1]
        top -= height
        self._heading.drawOn(self.canv, 0, top)
        top -= 1.5
        for index, entry in enumerate(self.entries):
            height = entry.wrap(self.width, 10_000)[1]
            top -= height + (self.gap if index else 0)
            entry.drawOn(self.canv, 0, top)


def _continued(languages: Languages, sector: str) -> str:
    return " / ".join(dict.fromkeys(
        translate_in(code, CONTINUED).format(heading=vocab.SECTOR.label_in(code, sector)) for code in languages.codes))


def _sector_blocks(data: SheetData, languages: Languages, styles: Styles) -> list:
    blocks = []
    for sector in vocab.SECTOR.codes:
        members = [p for p in data.providers if sector in p.sectors]
        if not members:
            continue
        heading, continued = languages.label(vocab.SECTOR, sector), _continued(languages, sector)
        blocks.append(_SectorBlock(lambda text=heading: _band(text, styles),
                                   lambda text=continued: _band(text, styles),
                                   [_entry(p, data, languages, styles) for p in members],
                                   styles.body.fontSize * 0.2, styles.body.fontSize * 0.45))
    return blocks


def _field(languages: Languages, sentence: str, label: str, **value) -> str:
    """"Area: Beni" in one language; "Area / Zone : Beni" in both, so the value is printed once."""
    if not languages.bilingual:
        return languages.text(sentence, **value)
    return languages.field(label, next(iter(value.values())))


def _header(data: SheetData, languages: Languages, styles: Styles, width: float) -> list:
    story = [Paragraph(markup(languages.text(TITLE)), styles.title)]
    subtitle = [_field(languages, AREA, AREA_LABEL, area=f"{data.area_path} ({data.pcode})")]
    if data.last_updated:
        subtitle.append(_field(languages, LAST_UPDATED, LAST_UPDATED_LABEL, date=languages.date(data.last_updated)))
    story.append(Paragraph(markup("   ·   ".join(subtitle)), styles.subtitle))
    story.append(Spacer(1, 2))
    story.append(Paragraph(markup(languages.text(STEPS_TITLE)), styles.bold))
    story.append(Spacer(1, 2))
    story.append(_steps(languages, styles, width))
    story.append(Spacer(1, 4))
    story.append(_health_box(languages, styles, width))
    story.append(Spacer(1, 5))
    return story


def _height(flowables: list, width: float) -> float:
    canvas = Canvas(io.BytesIO())  # some flowables measure only against a canvas; nothing is drawn
    total = 2.0  # a little slack: a frame refuses content by a hair's breadth
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):  # it answers "huge" to force a split: measure its parts
            total += _height(flowable._content, width) - 2
            continue
        total += flowable.wrapOn(canvas, width, 10_000)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _body(data: SheetData, languages: Languages, styles: Styles) -> list:
    story = _sector_blocks(data, languages, styles)
    if not data.providers:
        story.append(Paragraph(markup(languages.text(NO_PROVIDER_AT_ALL)), styles.bold))
    elif data.missing_sectors:
        missing = ", ".join(languages.label(vocab.SECTOR, code) for code in data.missing_sectors)
        story.append(Paragraph(markup(languages.text(NO_PROVIDER, sectors=missing)), styles.small))
    return story


def _footer(data: SheetData, languages: Languages, styles: Styles):
    office = data.office + (f" — {data.contact}" if data.contact else "")
    running_head = f"{languages.text(TITLE)} — {data.area_path} ({data.pcode})"
    text = (f"<b>{markup(_field(languages, OFFICE, OFFICE_LABEL, office=office))}</b>"
            f"   ·   {markup(_field(languages, PRINTED, PRINTED_LABEL, date=languages.date(data.printed_on)))}")

    def draw(canvas, doc):
        canvas.saveState()
        paragraph = Paragraph(text, styles.small)
        _w, height = paragraph.wrap(doc.width, doc.bottomMargin)
        y = MARGIN
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1)
        canvas.line(doc.leftMargin, y + height + 3, doc.leftMargin + doc.width, y + height + 3)
        paragraph.drawOn(canvas, doc.leftMargin, y)
        if doc.page > 1:  # a second page read alone still says what it is and where it belongs
            head = Paragraph(f"<b>{markup(running_head)}</b>", styles.small)
            number = languages.text(PAGE, number=doc.page)
            canvas.setFont(styles.small.fontName, styles.small.fontSize)
            canvas.drawRightString(doc.leftMargin + doc.width, doc.pagesize[1] - MARGIN - styles.small.fontSize,
                                   number)
            room = doc.width - canvas.stringWidth(number, styles.small.fontName, styles.small.fontSize) - 12
            _w, height = head.wrap(room, RUNNING_HEAD)
            head.drawOn(canvas, doc.leftMargin, doc.pagesize[1] - MARGIN - height)
        canvas.restoreState()
    return draw


def _build(data: SheetData, languages: Languages, size: float, column_height: float | None = None):
    styles = make_styles(size, condensed=True, leading=1.15, minimum=FLOOR)
    width = A4[0] - 2 * MARGIN
    header = _header(data, languages, styles, width)
    buffer = io.BytesIO()
    doc = _SheetDoc(buffer, _footer(data, languages, styles), _height(header, width), column_height,
                    title=languages.text(TITLE), author=data.office, subject=data.area_path, creator="fieldapp")
    body = _body(data, languages, styles)
    doc.build([*header, NextPageTemplate("later"), FrameBreak(), *body])
    column_width = (width - _SheetDoc.GAP) / 2
    return buffer.getvalue(), doc.page, _height(_body(data, languages, styles), column_width)


def render(data: SheetData, languages: Languages) -> tuple[bytes, int, float]:
    """(PDF bytes, page count, body type size): the largest size that fits one page, if any does.

    Fitting is monotonic in the type size, so a binary search needs four builds, not eleven.
    """
    low, high = 0, len(SIZES) - 1  # SIZES runs from largest to smallest
    fitted = None
    while low <= high:
        middle = (low + high) // 2
        pdf, pages, body_height = _build(data, languages, SIZES[middle])
        if pages == 1:
            fitted = (pdf, pages, SIZES[middle], body_height)
            high = middle - 1
        else:
            low = middle + 1
    if fitted is None:
        pdf, pages, _height_unused = _build(data, languages, SIZES[-1])
        return pdf, pages, SIZES[-1]
    pdf, pages, size, body_height = fitted
    # Balance the two columns: about the shortest column height that keeps everything on one page,
    # bisected between half the text (too short) and the whole page (known to fit).
    short, tall = body_height / 2, A4[1]
    for _step in range(4):
        middle = (short + tall) / 2
        balanced, balanced_pages, _unused = _build(data, languages, size, middle)
        if balanced_pages == 1:
            pdf, tall = balanced, middle
        else:
            short = middle
    return pdf, pages, size


def build_pathway_sheet(session, pcode: str, language_spec: str, today: date | None = None) -> bytes:
    languages = Languages(language_spec)
    pdf, _pages, _size = render(sheet_data(session, pcode, languages, today), languages)
    return pdf
