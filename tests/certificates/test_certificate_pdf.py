import hashlib

import pytest

from certificates.certificate import (
    MAX_NAME_CHARS,
    certificate_context,
    render_certificate,
    render_certificate_async,
    verification_url,
)

from .conftest import link_uris, make_data, read_pdf, squash

A4 = (595.28, 841.89)  # points
URL = "https://pso.example.nl/register/PSO-2026-000123"


@pytest.fixture(scope="module")
def ladder_pdf() -> bytes:
    return render_certificate(make_data())


def assert_one_a4_page(reader):
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4[0]) < 1 and abs(float(box.height) - A4[1]) < 1


def test_certificate_content(ladder_pdf):
    reader = read_pdf(ladder_pdf)
    assert_one_a4_page(reader)
    text = reader.pages[0].extract_text()
    for expected in (
        "Bakkerij De Zon B.V.",
        "12345678",
        "PSO-2026-000123",
        "Trede 2",
        "15 januari 2026",
        "14 januari 2028",
        "Normversie",  # the same word as the verification page (not "Rekenregels")
        "pso-2.1",
        "Certificerende Instelling Voorbeeld B.V.",
        "Prestatieladder Socialer Ondernemen",
    ):
        assert squash(expected) in squash(text), expected
    assert squash(URL) in squash(text)  # visible URL
    assert URL in link_uris(reader)  # clickable link annotation
    assert "30+" not in text
    assert "Rekenregels" not in text


def test_pdf_metadata_is_pdfa_dutch(ladder_pdf):
    reader = read_pdf(ladder_pdf)
    assert reader.metadata.title == "Certificaat PSO-2026-000123"
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert (
        b"<xmp:CreateDate>2026-01-15T00:00:00Z</xmp:CreateDate>" in xmp
    )  # issuance date, not "now"
    assert "/OutputIntents" in reader.trailer["/Root"]
    # every font is embedded (PDF/A) and is the bundled one, named by our @font-face family
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor
        assert "PSO-Sans" in str(font["/BaseFont"])


def test_rendering_is_deterministic(ladder_pdf):
    again = render_certificate(make_data())
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(ladder_pdf).hexdigest()


def test_pso30plus_variant():
    reader = read_pdf(render_certificate(make_data(kind="pso30plus", rung="trede3")))
    assert_one_a4_page(reader)
    text = squash(reader.pages[0].extract_text())
    assert squash("Certificaat PSO 30+") in text
    assert squash("Trede 3") in text
    assert squash("artikel 2.82 Aanbestedingswet") in text


def test_pso30plus_requires_trede3():
    with pytest.raises(ValueError):
        certificate_context(make_data(kind="pso30plus", rung="trede2"))


@pytest.mark.parametrize("bad", [{"rung": "none"}, {"kind": "other"}, {"number": "X-1"}])
def test_refuses_invalid_data(bad):
    with pytest.raises(ValueError):
        certificate_context(make_data(**bad))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc", "pso.example.nl", ""])
def test_public_url_must_be_http(url):
    with pytest.raises(ValueError):
        verification_url(url, "PSO-2026-000123")


def test_verification_url_trailing_slash():
    assert verification_url("https://pso.example.nl/", "PSO-2026-000001") == (
        "https://pso.example.nl/register/PSO-2026-000001"
    )


HOSTILE = {
    "quotes": 'Stichting "De Brug" & \'t Anker',
    "html": "<script>alert(1)</script><b>Vet</b> B.V.",
    "img": '<img src="file:///etc/passwd"> <link rel=stylesheet href="http://127.0.0.1:9/x.css">',
    "emoji": "Koffie & Zo 😀☺ B.V.",
    "long-words": ("Zeer Lange Organisatienaam Met Veel Woorden " * 8)[:300],
    "long-no-spaces": "W" * 300,
}


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_names_render_as_text_on_one_page(name):
    reader = read_pdf(render_certificate(make_data(organization_name=name)))
    assert_one_a4_page(reader)
    text = squash(reader.pages[0].extract_text())
    # The markup shows up as literal text: it was escaped, not interpreted.
    assert squash(name) in text
    assert squash("PSO-2026-000123") in text and squash(URL) in text


def test_absurdly_long_name_is_shortened_and_stays_on_one_page():
    name = "Ab " * 1000
    reader = read_pdf(render_certificate(make_data(organization_name=name)))
    assert_one_a4_page(reader)
    text = reader.pages[0].extract_text()
    assert "…" in text
    assert len(certificate_context(make_data(organization_name=name))["organization_name"]) == (
        MAX_NAME_CHARS
    )


@pytest.mark.anyio
async def test_async_render_matches_sync(ladder_pdf):
    assert await render_certificate_async(make_data()) == ladder_pdf


def test_same_bytes_in_a_fresh_process(ladder_pdf):
    """The stored SHA-256 can be re-checked later by rendering again in another process."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, hashlib; from tests.certificates.conftest import make_data; "
        "from certificates.certificate import render_certificate; "
        "print(hashlib.sha256(render_certificate(make_data())).hexdigest())"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == hashlib.sha256(ladder_pdf).hexdigest()


def bottoms_and_footer_top(data):
    """Lay the certificate out and return (lowest bottom of the main content, footer top)."""
    from certificates.certificate import TEMPLATE
    from certificates.pdf import engine

    document = engine().layout(TEMPLATE, certificate_context(data))
    assert len(document.pages) == 1
    content_bottom, footer_top = 0.0, None
    for box in document.pages[0]._page_box.descendants():
        classes = (box.element.get("class") or "").split() if box.element is not None else []
        if "verify" in classes and box.element_tag == "footer":
            footer_top = box.position_y
        elif classes and classes[0] in ("org-name", "rung", "body-grid", "pso30-note", "kvk"):
            content_bottom = max(content_bottom, box.position_y + box.margin_height())
    return content_bottom, footer_top


WORST = [
    {"organization_name": "W" * 400},
    {"organization_name": "W" * 400, "kind": "pso30plus", "rung": "trede3"},
    {"organization_name": "Woord " * 80, "kind": "pso30plus", "rung": "trede3"},
    {"organization_name": "M" * 90, "kind": "pso30plus", "rung": "trede3"},
    {"organization_name": "M" * 160, "issuer": "Certificerende Instelling " * 12},
    {"organization_name": "W" * 400, "kind": "pso30plus", "rung": "trede3", "issuer": "CI " * 100},
    {"organization_name": "Bakkerij De Zon B.V."},
]


@pytest.mark.parametrize("changes", WORST, ids=range(len(WORST)))
def test_content_never_runs_under_the_verification_block(changes):
    bottom, footer_top = bottoms_and_footer_top(make_data(**changes))
    assert footer_top is not None and bottom > 0
    assert bottom < footer_top, (bottom, footer_top)


@pytest.mark.anyio
async def test_concurrent_async_renders_are_identical(ladder_pdf):
    import anyio

    results = []

    async def one():
        results.append(await render_certificate_async(make_data()))

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(one)
    assert results == [ladder_pdf] * 4


def test_pso_1_8_certificate_draws_no_basistrede():
    old = squash(read_pdf(render_certificate(make_data(rulebook="pso-1.8", rung="trede1")))
                 .pages[0].extract_text())
    new = squash(read_pdf(render_certificate(make_data(rulebook="pso-2.1", rung="trede1")))
                 .pages[0].extract_text())
    assert squash("Basistrede") in new
    assert squash("Basistrede") not in old and squash("Trede 1") in old


def test_the_bodys_accreditation_is_printed_and_a_long_one_keeps_one_page():
    """The admin form says the accreditation "staat op de certificaten" (issue 22, item 7)."""
    reader = read_pdf(render_certificate(make_data(accreditation="RvA C 123 (ISO/IEC 17065)")))
    text = squash(reader.pages[0].extract_text())
    assert squash("Accreditatie RvA C 123 (ISO/IEC 17065)") in text
    long = make_data(accreditation="Geaccrediteerd door de Raad voor Accreditatie " * 40,
                     subsidiaries=(("87654321", "Dochter B.V."),))
    reader = read_pdf(render_certificate(long))
    assert_one_a4_page(reader)
    assert "…" in reader.pages[0].extract_text()
    without = read_pdf(render_certificate(make_data()))
    assert "Accreditatie" not in without.pages[0].extract_text()
