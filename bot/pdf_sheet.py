"""The result sheet as a PDF: finished text in, PDF bytes out. No data lookups here.

The sheet is read on paper and on phones that may have no Japanese font, so the font
is embedded (a subset of Noto Sans CJK JP, SIL OFL 1.1, from the
``noto-cjk-sans-jp-regular`` package; it also covers Korean and Chinese for a
bilingual sheet). fpdf2 keeps only the glyphs a sheet uses: a sheet is tens of KB.

Parsing and subsetting the font takes a few hundred milliseconds of CPU per sheet
(fpdf2 subsets in place, so a parsed font cannot be shared between documents): call
``render`` from a worker thread (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import noto_cjk_sans_jp_regular
from fpdf import FPDF, FontFace
from fpdf.enums import TableCellFillMode, VAlign, WrapMode, XPos, YPos

FONT = "notosanscjkjp"

# Calm colours that survive a black-and-white office printer.
INK = (34, 40, 49)
MUTED = (96, 104, 112)
ACCENT = (31, 95, 91)
LABEL_FILL = (234, 242, 241)
RULE = (150, 165, 164)

MARGIN = 15.0  # mm
LABEL_WIDTH = 46.0  # mm; the value column takes the rest of the page width


@dataclass(frozen=True)
class Row:
    """One row of an entry's table; ``blank_mm`` reserves space to write by hand."""

    label: str
    value: str = ""
    blank_mm: float = 0.0


@dataclass(frozen=True)
class Section:
    """One support system or window, as a table."""

    heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class SheetContent:
    """Everything the sheet says, already worded in its language(s)."""

    lang: str  # BCP 47 tag of the document (ja, or the person's language)
    title: str
    date_line: str
    intro: tuple[str, ...]
    sections: tuple[Section, ...]
    counter_heading: str
    counter_note: tuple[str, ...]
    footer: str
    created: dt.datetime  # the PDF's creation date (metadata)
    place_line: str = ""
    caution: tuple[str, ...] = ()
    credit: str = ""


@cache
def font_path() -> Path:
    """The Noto Sans CJK JP file the package ships, found once per process."""
    path = Path(str(noto_cjk_sans_jp_regular.FONT_PATH))
    if not path.is_file():
        raise FileNotFoundError(f"font file missing: {path}")
    return path


class _SheetPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        self.cell(self.epw - 16, 5, self.footer_text, align="L")
        self.cell(16, 5, f"{self.page_no()} / {{nb}}", align="R")


def render(content: SheetContent) -> bytes:
    pdf = _SheetPDF(content.footer)
    pdf.add_font(FONT, "", font_path())
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(content.title)
    pdf.set_lang(content.lang)
    pdf.set_creator("tsunagari")
    pdf.set_creation_date(content.created)
    pdf.add_page()

    _title(pdf, content)
    for paragraph in content.intro:
        _paragraph(pdf, paragraph, size=9.5)
    if content.place_line:
        _paragraph(pdf, content.place_line, size=9.5, color=ACCENT)
    pdf.ln(2)
    for section in content.sections:
        with pdf.unbreakable() as block:  # a table is never split over two pages
            _section(block, section)  # type: ignore[arg-type]
    for line in content.caution:
        _paragraph(pdf, line, size=8.5, color=MUTED)
    with pdf.unbreakable() as block:
        _counter_note(block, content)  # type: ignore[arg-type]
    if content.credit:
        _paragraph(pdf, content.credit, size=7.5, color=MUTED)
    return bytes(pdf.output())


def _title(pdf: FPDF, content: SheetContent) -> None:
    pdf.set_font(FONT, size=15)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 8, content.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                   wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, content.date_line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.ln(4)


def _paragraph(pdf: FPDF, text: str, *, size: float, color: tuple[int, int, int] = INK) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.55, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                   wrapmode=_wrapmode(text))
    pdf.ln(1.5)


def _section(pdf: FPDF, section: Section) -> None:
    pdf.set_font(FONT, size=10.5)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 7, section.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    label_style = FontFace(fill_color=LABEL_FILL, color=INK)
    with pdf.table(
        col_widths=(LABEL_WIDTH, pdf.epw - LABEL_WIDTH),
        width=pdf.epw,
        first_row_as_headings=False,
        text_align="LEFT",
        v_align=VAlign.T,
        line_height=4.6,
        padding=(1.6, 2.2),
        cell_fill_mode=TableCellFillMode.NONE,
        # Japanese has no spaces: wrap by character (a long run would otherwise overflow).
        wrapmode=WrapMode.CHAR,
    ) as table:
        for row in section.rows:
            cells = table.row(min_height=row.blank_mm or None)
            cells.cell(row.label, style=label_style)
            cells.cell(row.value)
    pdf.ln(4)


def _counter_note(pdf: FPDF, content: SheetContent) -> None:
    pdf.ln(2)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 7, content.counter_heading, border="T", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for paragraph in content.counter_note:
        _paragraph(pdf, paragraph, size=8.5)


def _wrapmode(text: str) -> WrapMode:
    """Wrap by word for text that is mostly spaced words (English), else by character."""
    spaces = text.count(" ")
    return WrapMode.WORD if spaces and len(text) / spaces < 12 else WrapMode.CHAR
