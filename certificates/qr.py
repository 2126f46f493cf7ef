"""QR codes as inline vector SVG (no raster images, no external files)."""

from __future__ import annotations

import segno


def qr_svg(data: str, *, dark: str = "#000", error: str = "m", border: int = 4) -> str:
    """An `<svg>` element (HTML-inline: no XML declaration, no fixed size) for `data`.

    The size is left to CSS (viewBox only). Error level M survives a smudged print;
    the 4-module quiet zone is what the QR standard asks for. Its <title> is the figure's
    alternative text in a tagged PDF.
    """
    code = segno.make(data, error=error, micro=False)
    return code.svg_inline(dark=dark, light="#fff", border=border, omitsize=True,
                           title=f"QR-code met de link {data}")
