"""Switch off the ligature features (liga, clig, dlig, hlig) in the shipped DejaVu fonts.

Text copied from or searched in a PDF must read "fi", not "ﬁ". CSS could ask for that
(`font-variant-ligatures: none`), but WeasyPrint leaks a Pango attribute list for every text
box with a font feature (tests/test_pdf_memory.py), so the fonts themselves carry no
ligatures: their lookups stay, only the feature records point to none. Idempotent; run from
the project root: `python scripts/fonts_without_ligatures.py`.
"""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "templates" / "assets" / "fonts"
LIGATURES = {"liga", "clig", "dlig", "hlig"}


def strip(path: Path) -> int:
    font = TTFont(path)
    changed = 0
    for record in font["GSUB"].table.FeatureList.FeatureRecord:
        if record.FeatureTag in LIGATURES and record.Feature.LookupListIndex:
            record.Feature.LookupListIndex = []
            record.Feature.LookupCount = 0
            changed += 1
    if changed:
        font.save(path)
    return changed


if __name__ == "__main__":
    for font_file in sorted(FONTS.glob("*.ttf")):
        print(f"{font_file.name}: {strip(font_file)} ligature features switched off")
