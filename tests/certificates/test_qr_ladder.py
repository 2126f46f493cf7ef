import re

import pytest
import segno

from certificates.certificate import certificate_context
from certificates.ladder import HIGHLIGHT, RUNGS, ladder_svg, rung_index
from certificates.qr import qr_svg
from tests.requirements import missing, require_module

from .conftest import make_data

URL = "https://pso.example.nl/register/PSO-2026-000123"


def svg_to_matrix(svg: str) -> list[list[int]]:
    """Rebuild the module matrix from segno's stroked path ("M x y h n m dx dy ...")."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg)[1])
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg)[1]
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, args in re.findall(r"([Mmh])([^Mmh]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for column in range(int(x), int(x + numbers[0])):
                grid[int(y)][column] = 1
            x += numbers[0]
    return grid


def test_qr_is_inline_vector_svg():
    svg = qr_svg(URL)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "<image" not in svg and "href" not in svg
    assert 'width="' not in svg.split(">", 1)[0]  # sized by CSS via viewBox


def test_qr_encodes_the_url():
    expected = segno.make(URL, error="m", micro=False)
    border = 4
    matrix = svg_to_matrix(qr_svg(URL))
    inner = [row[border:-border] for row in matrix[border:-border]]
    assert inner == [list(row) for row in expected.matrix]


def test_qr_decodes_with_a_real_decoder():
    zxingcpp = require_module("zxingcpp")
    np = require_module("numpy")
    matrix = svg_to_matrix(qr_svg(URL))
    image = np.kron(1 - np.array(matrix, dtype=np.uint8), np.ones((8, 8), np.uint8)) * 255
    assert zxingcpp.read_barcode(image).text == URL


def test_certificate_qr_points_to_register():
    context = certificate_context(make_data())
    assert context["verification_url"] == URL
    assert str(context["qr_svg"]) == qr_svg(URL)


@pytest.mark.parametrize("rung", RUNGS[1:])
def test_ladder_highlights_reached_rung(rung):
    svg = ladder_svg(rung)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count(HIGHLIGHT) == 2  # the reached step and its label badge
    labels = re.findall(r'font-weight="bold"[^>]*>([^<]+)</text>', svg)
    assert labels == [
        {"aspirant": "Aspirant", "basistrede": "Basistrede"}.get(rung, f"Trede {rung[-1]}")
    ]
    reached_steps = svg.count('fill="#0a5c8a"/>') - 2  # minus the two rails
    assert reached_steps == rung_index(rung) - 1


def test_ladder_pso30plus_mark():
    assert "Trede 3 · 30+" in ladder_svg("trede3", pso30plus=True)


def test_ladder_rejects_unknown_rung():
    with pytest.raises(ValueError):
        ladder_svg("trede4")


def test_qr_on_rendered_pdf_decodes(tmp_path):
    """End to end, when a rasteriser (poppler's pdftoppm) and a decoder are on the machine."""
    import shutil
    import subprocess

    from certificates.certificate import render_certificate

    zxingcpp = require_module("zxingcpp")
    np = require_module("numpy")
    if not shutil.which("pdftoppm"):
        missing("pdftoppm is not installed (poppler-utils, scripts/system-deps.sh)")
    (tmp_path / "c.pdf").write_bytes(render_certificate(make_data()))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-gray", str(tmp_path / "c.pdf"), str(tmp_path / "p")],
        check=True,
    )
    raw = next(tmp_path.glob("p*.pgm")).read_bytes()
    _magic, width, height, _maxval, pixels = raw.split(maxsplit=4)
    image = np.frombuffer(pixels, np.uint8).reshape(int(height), int(width))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [URL]


def test_pso_1_8_ladder_has_no_basistrede() -> None:
    from certificates.ladder import drawn_rungs

    assert drawn_rungs("pso-1.8") == ("aspirant", "trede1", "trede2", "trede3")
    assert drawn_rungs("pso-2.1") == drawn_rungs(None) == RUNGS[1:]
    old = ladder_svg("trede1", rulebook="pso-1.8")
    assert "Basistrede" not in old and "Trede 1" in old and old.count("<rect") == 2 + 4 + 1
    new = ladder_svg("trede1", rulebook="pso-2.1")
    assert "Basistrede" in new and new.count("<rect") == 2 + 5 + 1
    with pytest.raises(ValueError):
        ladder_svg("basistrede", rulebook="pso-1.8")


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_certificate_colours_reach_wcag_aa() -> None:
    """The white rung label on the highlight (16 px, small text) needs 4.5:1; so does the
    rung name printed in the highlight colour on white and on the pale note background."""
    import re as regex

    from certificates.ladder import HIGHLIGHT
    from certificates.resources import templates_dir

    assert contrast(HIGHLIGHT, "#ffffff") >= 4.5
    svg = ladder_svg("trede2")
    assert f'fill="{HIGHLIGHT}"' in svg and 'fill="#fff"' in svg
    css = (templates_dir() / "assets" / "css" / "certificate.css").read_text()
    for colour in regex.findall(r"(?<!background: )color: (#[0-9a-fA-F]{6})", css):
        assert contrast(colour, "#ffffff") >= 4.5, colour
    assert contrast(HIGHLIGHT, "#fdf3e6") >= 4.5
