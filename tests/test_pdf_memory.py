"""PDF rendering in the default thread mode keeps the process flat.

Tender-evaluation reports used to grow the server by ~45 kB each (179 → 215 MB over 800):
`font-variant-ligatures: none` in procurement.css made WeasyPrint create a Pango attribute
list for every text box, which it never frees. The renders run in a child process that
measures its own resident memory, so nothing else in the test run blurs the figure.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

from certificates.resources import templates_dir
from tests.servers import ROOT

RENDERS = 150
# Before the fix 150 reports grew the process by ~7 MB; after it, well below 3.
MAX_GROWTH_MB = 3

SCRIPT = textwrap.dedent("""
    import anyio, json, sys
    from datetime import UTC, datetime
    from pso.files import pdf_pool
    from pso.services import tender_exports
    from certificates.pdf import warm_up

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

    evaluation = json.loads(sys.argv[1])
    renders = int(sys.argv[2])

    async def main():
        pdf_pool.configure(0)  # the default: a thread of this process
        warm_up()
        for _ in range(60):  # caches, fonts and the allocator settle first (~3 MB, once)
            await tender_exports.pdf_bytes(evaluation, datetime.now(UTC))
        before = rss_mb()
        for _ in range(renders):
            await tender_exports.pdf_bytes(evaluation, datetime.now(UTC))
        print(json.dumps({"before": before, "after": rss_mb()}))

    anyio.run(main)
""")


def evaluation(bids: int = 6) -> dict:
    """A decided evaluation as services/tenders stores it (plain JSON)."""
    ranking = [
        {"position": i, "submissionOrder": i, "bidder": f"Bouwbedrijf {i} B.V.",
         "kvk": f"{10000000 + i}", "price": f"{100000 + i * 1234}.50", "certificateNumber": None,
         "rung": "none", "pso30Plus": False, "verified": True, "appliedFrom": "trede1",
         "appliedValue": "3.00", "advantage": "3000.00", "fictitiousPrice": "97000.00",
         "penaltyIfNotMaintained": "4500.00", "notes": ["Geen certificaatnummer opgegeven."],
         "members": []}
        for i in range(1, bids + 1)
    ]
    return {"tenderId": 1, "title": "Groenonderhoud wijk Oost 2027", "reference": "AB-2026-017",
            "deadline": "2026-12-01",
            "policy": {"mode": "percentage",
                       "values": {"aspirant": "1.00", "basistrede": "2.00", "trede1": "3.00",
                                  "trede2": "5.00", "trede3": "7.00", "pso30plus": "10.00"},
                       "penaltyFactor": "1.5"},
            "provisional": False, "evaluatedAt": "2026-12-01T14:37:54.840703Z",
            "evaluatedBy": "Inkoop", "registerFacts": [], "ranking": ranking}


def test_no_stylesheet_uses_font_features() -> None:
    feature = re.compile(r"font-(variant[\w-]*|feature-settings|kerning)\s*:")
    for css in (templates_dir() / "assets" / "css").glob("*.css"):
        assert not feature.search(css.read_text(encoding="utf-8")), css.name


def test_tender_reports_do_not_grow_the_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(evaluation()), str(RENDERS)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    growth = figures["after"] - figures["before"]
    print(figures)
    assert growth < MAX_GROWTH_MB, figures


def test_shipped_fonts_carry_no_ligatures() -> None:
    """Without font features in CSS, the fonts must not ligate: copied text reads "fi"
    (scripts/fonts_without_ligatures.py)."""
    from fontTools.ttLib import TTFont

    fonts = sorted((templates_dir() / "assets" / "fonts").glob("*.ttf"))
    assert fonts
    for path in fonts:
        for record in TTFont(path)["GSUB"].table.FeatureList.FeatureRecord:
            if record.FeatureTag in {"liga", "clig", "dlig", "hlig"}:
                assert not record.Feature.LookupListIndex, (path.name, record.FeatureTag)
