"""The PSO ladder as an inline SVG graphic, highlighting the reached rung."""

from __future__ import annotations

from scoring.enums import RUNGS
from scoring.rulebook import get_rulebook

from .formatting import RUNG_LABELS

DRAWN = RUNGS[1:]  # "none" has no step on the ladder

REACHED = "#0a5c8a"
HIGHLIGHT = "#b45309"  # white on it: 5.0:1 (WCAG AA for small text); was #e67e00, 2.9:1
OPEN = "#c9d3dc"
TEXT = "#1d2a33"
MUTED = "#7a8a96"


def rung_index(rung: str) -> int:
    """Position in RUNGS (0 = none); raises ValueError for unknown rungs."""
    return RUNGS.index(rung)


def drawn_rungs(rulebook: str | None = None) -> tuple[str, ...]:
    """The steps a certificate of `rulebook` draws: without `basistrede` for a rulebook that
    has none (pso-1.8: the step did not exist then)."""
    book = get_rulebook(rulebook) if rulebook else None
    if book is not None and "basistrede" not in book.rungs:
        return tuple(r for r in DRAWN if r != "basistrede")
    return DRAWN


def ladder_svg(rung: str, *, pso30plus: bool = False, font_family: str = "PSO Sans",
               rulebook: str | None = None) -> str:
    """An `<svg>` ladder: steps up to `rung` filled, `rung` itself highlighted and labelled.

    Only constant labels go into the markup, so the result is safe to embed unescaped.
    """
    drawn = drawn_rungs(rulebook)
    if rung != "none" and rung not in drawn:
        raise ValueError(f"rung {rung!r} does not exist in rulebook {rulebook!r}")
    reached = drawn.index(rung) + 1 if rung != "none" else 0
    step, bottom, top = 44, 236, 20
    parts = [
        f'<svg viewBox="0 0 262 256" class="ladder" role="img" font-family="{font_family}">',
        f"<title>Prestatieladder: {RUNG_LABELS[rung]}</title>",
        f'<rect x="22" y="{top}" width="7" height="{bottom - top + 14}" rx="3" fill="{REACHED}"/>',
        f'<rect x="95" y="{top}" width="7" height="{bottom - top + 14}" rx="3" fill="{REACHED}"/>',
    ]
    # Fewer steps: the same spacing, the ladder starts from the same bottom rung.
    for i, name in enumerate(drawn, start=1):
        y = bottom - (i - 1) * step
        is_reached, is_current = i <= reached, i == reached
        fill = HIGHLIGHT if is_current else (REACHED if is_reached else OPEN)
        parts.append(f'<rect x="22" y="{y - 5}" width="80" height="10" rx="3" fill="{fill}"/>')
        weight = "bold" if is_current else "normal"
        colour = TEXT if is_reached else MUTED
        if is_current:
            parts.append(
                f'<rect x="112" y="{y - 14}" width="{130 if pso30plus else 96}" height="27" '
                f'rx="5" fill="{HIGHLIGHT}"/>'
            )
            colour = "#fff"
        label = RUNG_LABELS[name] + (" · 30+" if is_current and pso30plus else "")
        parts.append(
            f'<text x="120" y="{y + 6}" font-size="16" font-weight="{weight}" '
            f'fill="{colour}">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
