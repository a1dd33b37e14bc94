"""The result sheet as a PDF: finished text in, PDF bytes out. No data lookups here.

The sheet is read on paper and on phones that may have no Japanese font, so the font
is embedded (a subset of Noto Sans CJK JP, SIL OFL 1.1, from the
``noto-cjk-sans-jp-regular`` package; it also covers Korean and Chinese for a
bilingual sheet). fpdf2 keeps only the glyphs a sheet uses: a sheet is tens of KB.

Lines are broken here, not by fpdf2: its wrapping knows neither Japanese line-breaking
rules (no line may start with 。 or ）) nor how to keep English words and phone
numbers whole in the same text. ``wrap`` applies both, and fpdf2 prints the lines as
given. (uniseg's full Unicode line breaking did the same but cost ~0.3 s a sheet.)

Parsing and subsetting the font costs a few hundred milliseconds of CPU per sheet
(fpdf2 subsets the parsed font in place, so it cannot be shared between documents):
call ``render`` from a worker thread, never on the event loop.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import VAlign, WrapMode, XPos, YPos
from fpdf.fonts import TTFFont

FONT = "notosanscjkjp"
FONT_PACKAGE, FONT_FILE = "noto_cjk_sans_jp_regular", "NotoSansCJKjp-Regular.otf"

# Calm colours that survive a black-and-white office printer.
INK = (34, 40, 49)
MUTED = (96, 104, 112)
ACCENT = (31, 95, 91)
LABEL_FILL = (234, 242, 241)
RULE = (150, 165, 164)

MARGIN = 15.0  # mm
LABEL_WIDTH = 50.0  # mm; the value column takes the rest of the page width
TABLE_SIZE = 9.0  # pt
LINE_HEIGHT = 4.6  # mm, in tables
PAD_V, PAD_H = 1.6, 2.2  # mm, cell padding
BORDER = 0.2  # mm
HEADING_HEIGHT = 7.0  # mm
# Slack against rounding between our measure and fpdf2's, so it never re-breaks a line.
SLACK = 0.3  # mm
PAGE_NUMBER_WIDTH = 16.0  # mm
FOOTER_LINE = 3.5  # mm


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

    lang: str  # language tag of the document
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
    credit: tuple[str, ...] = ()


@cache
def font_path() -> Path:
    """The Noto Sans CJK JP file the package ships, found once per process."""
    path = Path(str(importlib.resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    if not path.is_file():
        raise FileNotFoundError(f"font file missing: {path}")
    return path


# Japanese line-breaking rules (禁則処理, after JIS X 4051): what a line may not start
# with, and what it may not end with.
NO_LINE_START = frozenset(
    "、。，．,.:;!?）)]｝〕〉》」』】〙〗〟’”｠»ゝゞ々〻ー‐゠–〜～？！：；・"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
)
NO_LINE_END = frozenset("（([｛〔〈《「『【〘〖〝‘“｟«")
# Scripts written without spaces, which may break between any two characters.
_UNSPACED = (
    "\u2e80-\u2fdf\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
)
# A unit is a word of a spaced script (English, a phone number, a URL) or one character,
# with the spaces after it.
_UNIT = re.compile(rf"(?:[^\s{_UNSPACED}]+|.)[ \t]*", re.S)


def break_units(text: str) -> list[str]:
    """The pieces a line may break between: words kept whole, a Japanese character
    bound to the neighbour that the rules above say it must stay with."""
    units: list[str] = []
    for piece in _UNIT.findall(text):
        if units and (piece[0] in NO_LINE_START or units[-1][-1] in NO_LINE_END):
            units[-1] += piece
        else:
            units.append(piece)
    return units


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` as lines no wider than ``width``, broken between ``break_units``; a
    unit wider than a whole line (a long URL) is broken between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for unit in break_units(paragraph):
            if line and line_width + measure(unit.rstrip()) > width:
                lines.append(line.rstrip())
                line, line_width = "", 0.0
            for char in unit:
                char_width = measure(char)
                if (
                    line.strip()
                    and char.strip()
                    and not unicodedata.combining(char)
                    and line_width + char_width > width
                ):
                    lines.append(line.rstrip())
                    line, line_width = "", 0.0
                line += char
                line_width += char_width
        lines.append(line.rstrip())
    return lines


class _SheetPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self._char_widths: dict[tuple[float, str], float] = {}

    def footer(self) -> None:
        self.set_font(FONT, size=7.5)
        self.set_text_color(*MUTED)
        lines = self.lines(self.footer_text, self.epw - PAGE_NUMBER_WIDTH)
        self.set_y(-8 - FOOTER_LINE * len(lines))
        top = self.get_y()
        self.multi_cell(
            self.epw - PAGE_NUMBER_WIDTH,
            FOOTER_LINE,
            "\n".join(lines),
            align="L",
            wrapmode=WrapMode.CHAR,
        )
        self.set_xy(self.w - self.r_margin - PAGE_NUMBER_WIDTH, top)
        self.cell(PAGE_NUMBER_WIDTH, FOOTER_LINE, f"{self.page_no()} / {{nb}}", align="R")

    def lines(self, text: str, width: float) -> list[str]:
        """``text`` wrapped for ``width`` mm in the current font and size."""
        return wrap(text, width - SLACK, self._measure)

    def _measure(self, text: str) -> float:
        # Per-character widths, cached: without kerning (fpdf2 applies none here) a
        # string's width is their sum.
        size = self.font_size_pt
        return sum(self._char_widths.get((size, c)) or self._char_width(size, c) for c in text)

    def _char_width(self, size: float, char: str) -> float:
        width = self._char_widths[(size, char)] = self.get_string_width(char)
        return width


def render(content: SheetContent) -> bytes:
    pdf = _SheetPDF(content.footer)
    pdf.add_font(FONT, "", font_path())
    # The original font's bounding box is a valid (larger) box for the subset; working
    # it out again glyph by glyph doubled the time to write the PDF.
    font = pdf.fonts[FONT]
    assert isinstance(font, TTFFont)
    font.ttfont.recalcBBoxes = False
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.c_margin = 0  # text starts at the margin, and ``wrap`` gets the whole width
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(content.title.replace("\n", " / "))
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
        _section(pdf, section)
    for line in content.caution:
        _paragraph(pdf, line, size=8.5, color=MUTED)
    _counter_note(pdf, content)
    return bytes(pdf.output())


def _title(pdf: _SheetPDF, content: SheetContent) -> None:
    pdf.set_font(FONT, size=15)
    pdf.set_text_color(*ACCENT)
    _lines(pdf, pdf.lines(content.title, pdf.epw), 8)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, content.date_line, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.ln(4)


def _line_height(size: float) -> float:
    return size * 0.55  # mm for a font size in pt: about 1.55 line spacing


def _paragraph(
    pdf: _SheetPDF, text: str, *, size: float, color: tuple[int, int, int] = INK
) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*color)
    _lines(pdf, pdf.lines(text, pdf.epw), _line_height(size))
    pdf.ln(1.5)


def _paragraph_height(pdf: _SheetPDF, text: str, size: float) -> float:
    pdf.set_font(FONT, size=size)
    return len(pdf.lines(text, pdf.epw)) * _line_height(size) + 1.5


def _lines(pdf: FPDF, lines: list[str], height: float) -> None:
    pdf.multi_cell(
        0,
        height,
        "\n".join(lines),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        wrapmode=WrapMode.CHAR,
    )


def _keep_together(pdf: FPDF, height: float) -> None:
    """Start a new page unless ``height`` mm still fit on this one (a block taller
    than a page starts where it is)."""
    if pdf.will_page_break(height) and height < pdf.eph:
        pdf.add_page()


def _section(pdf: _SheetPDF, section: Section) -> None:
    pdf.set_font(FONT, size=TABLE_SIZE)
    widths = (LABEL_WIDTH, pdf.epw - LABEL_WIDTH)
    inner = tuple(w - 2 * PAD_H - BORDER for w in widths)
    rows = [
        (pdf.lines(r.label, inner[0]), pdf.lines(r.value, inner[1]), r.blank_mm)
        for r in section.rows
    ]
    heights = [
        max(max(len(label), len(value)) * LINE_HEIGHT + 2 * PAD_V, blank)
        for label, value, blank in rows
    ]
    _keep_together(pdf, HEADING_HEIGHT + sum(heights) + 1)  # a table stays on one page

    pdf.set_font(FONT, size=10.5)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, HEADING_HEIGHT, section.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=TABLE_SIZE)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(BORDER)
    label_style = FontFace(fill_color=LABEL_FILL, color=INK)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        first_row_as_headings=False,
        text_align="LEFT",
        v_align=VAlign.T,
        line_height=LINE_HEIGHT,
        padding=(PAD_V, PAD_H),
        wrapmode=WrapMode.CHAR,
    ) as table:
        for (label, value, blank), height in zip(rows, heights, strict=True):
            cells = table.row(min_height=height if blank else None)
            cells.cell("\n".join(label), style=label_style)
            cells.cell("\n".join(value))
    pdf.ln(4)


def _counter_note(pdf: _SheetPDF, content: SheetContent) -> None:
    """The note to the counter staff, with the data credit under it, on one page."""
    size, credit_size = 8.5, 7.5
    height = (
        2
        + HEADING_HEIGHT
        + sum(_paragraph_height(pdf, p, size) for p in content.counter_note)
        + sum(_paragraph_height(pdf, p, credit_size) for p in content.credit)
    )
    _keep_together(pdf, height)
    pdf.ln(2)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.3)
    pdf.set_font(FONT, size=10)
    pdf.set_text_color(*ACCENT)
    pdf.cell(
        0, HEADING_HEIGHT, content.counter_heading, border="T", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    for paragraph in content.counter_note:
        _paragraph(pdf, paragraph, size=size)
    for line in content.credit:
        _paragraph(pdf, line, size=credit_size, color=MUTED)
