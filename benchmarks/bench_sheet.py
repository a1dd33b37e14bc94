"""How long a result sheet (PDF) takes, against the floor of any embedded-font PDF.

    uv run python benchmarks/bench_sheet.py

Reference, in the same run: fpdf2 writing one line of Japanese with the same font (its
parse-and-subset cost, which every sheet pays). The ratio says what the sheet's own layout
adds on top.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from fpdf import FPDF

from bot.catalog import TOKYO, Catalog
from bot.engine.registry import Services
from bot.i18n import Locales
from bot.pdf_sheet import FONT, font_path, render
from bot.places import Places
from bot.sheets import SheetWriter, Snapshot

ROUNDS = 5
SHOWN = (
    "yorisoi_hotline",
    "kokoro_unified_dial",
    "jidou_soudanjo",
    "shugaku_enjo",
    "wakamono_saposute",
)


def reference() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font(FONT, "", font_path())
    pdf.set_font(FONT, size=12)
    pdf.cell(text="相談先の案内（結果シート）")
    return bytes(pdf.output())


def timed(make: object) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(ROUNDS):
        start = time.process_time()
        size = len(make())  # type: ignore[operator]
        times.append(time.process_time() - start)
    return statistics.median(times), size


def main() -> None:
    services = Services(
        locales=Locales.load(),
        clock=lambda: dt.datetime.now(TOKYO),
        catalog=Catalog.load(),
        places=Places.load(),
    )
    for locale in ("ja", "en"):
        snapshot = Snapshot(
            dt.date(2026, 11, 22), locale, ("money", "loneliness"), "young", SHOWN, "141003"
        )
        content = SheetWriter(services, snapshot).content()
        render(content)  # warm up
        sheet_s, sheet_size = timed(lambda c=content: render(c))
        ref_s, ref_size = timed(reference)
        print(
            f"{locale}: sheet {sheet_s * 1000:.0f} ms CPU, {sheet_size / 1024:.1f} KB; "  # noqa: T201
            f"reference {ref_s * 1000:.0f} ms, {ref_size / 1024:.1f} KB; "
            f"ratio {sheet_s / ref_s:.1f}x (median of {ROUNDS})"
        )


if __name__ == "__main__":
    main()
