"""WeasyPrint may load only the project's own assets and data: URLs."""

import os

import pytest

from certificates.pdf import ASSETS_DIR, AssetFetcher, Engine, ForbiddenURL

from .conftest import read_pdf


@pytest.fixture(scope="module")
def fetcher():
    return AssetFetcher()


def test_serves_bundled_font(fetcher):
    response = fetcher.fetch((ASSETS_DIR / "fonts" / "DejaVuSans.ttf").as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # TrueType header


def test_serves_data_url(fetcher):
    assert fetcher.fetch("data:text/plain;base64,UFNP").read() == b"PSO"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/share/x.css",
        ASSETS_DIR.as_uri() + "/../../pyproject.toml",
        ASSETS_DIR.as_uri() + "/%2e%2e/%2e%2e/pyproject.toml",
        ASSETS_DIR.as_uri() + "/fonts",  # a directory, not a file
        ASSETS_DIR.as_uri() + "/does-not-exist.css",
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "gopher://x",
    ],
)
def test_refuses_everything_else(fetcher, url):
    with pytest.raises(ForbiddenURL):
        fetcher.fetch(url)


def test_refuses_symlink_escaping_assets(tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "passwd.css").symlink_to("/etc/passwd")
    with pytest.raises(ForbiddenURL):
        AssetFetcher(assets).fetch((assets / "passwd.css").as_uri())


def test_template_markup_cannot_load_outside_files(tmp_path):
    """Even markup written into a template (not user text) cannot reach files or network."""
    (tmp_path / "assets" / "css").mkdir(parents=True)
    (tmp_path / "assets" / "css" / "base.css").write_text("p { color: black }")
    (tmp_path / "t.html").write_text(
        '<html lang="nl"><title>t</title>'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png">'
        "<p style=\"background: url('../../../../etc/passwd')\">{{ text }}</p></html>"
    )
    engine = Engine(templates_dir=tmp_path)
    refused = []
    original = engine.fetcher.fetch

    def spy(url, headers=None):
        try:
            return original(url, headers)
        except ForbiddenURL:
            refused.append(url)
            raise

    engine.fetcher.fetch = spy
    pdf = engine.render("t.html", {"text": '<img src="file:///etc/passwd">'})
    text = read_pdf(pdf).pages[0].extract_text()
    assert '<img src="file:///etc/passwd">' in text  # user text: escaped, shown as text
    assert "root:" not in text
    assert any(u.startswith("file:///etc/passwd") for u in refused)
    assert "http://127.0.0.1:9/x.png" in refused
    assert os.path.exists("/etc/passwd")  # the refusal was not for lack of a file


def test_default_stylesheets_follow_template_name():
    from certificates.pdf import engine

    eng = engine()
    assert eng.default_stylesheets("certificates/certificate.html") == [
        "base.css",
        "certificate.css",
    ]
    assert (ASSETS_DIR / "css" / "voucher.css").is_file()
    assert eng.default_stylesheets("vouchers/voucher.html") == ["base.css", "voucher.css"]
    # No stylesheet of its own: base.css only (not base.css twice for pdf/base.html).
    assert not (ASSETS_DIR / "css" / "evaluation.css").exists()
    assert eng.default_stylesheets("procurement/evaluation.html") == ["base.css"]
    assert eng.default_stylesheets("pdf/base.html") == ["base.css"]
    with pytest.raises(ValueError):
        eng.stylesheet("../fonts/LICENSE")


def test_warm_up_and_generic_render():
    from certificates.pdf import render_pdf, warm_up

    warm_up()
    pdf = render_pdf("pdf/base.html", {"title": "Proef", "created": "2026-01-01"})
    reader = read_pdf(pdf)
    assert reader.metadata.title == "Proef" and len(reader.pages) == 1


def test_other_pdf_variant():
    from certificates.pdf import render_pdf

    pdf = render_pdf("pdf/base.html", {"title": "Rapport"}, variant="pdf/ua-1")
    xmp = read_pdf(pdf).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfuaid" in xmp


def test_fast_font_subsetting_is_available():
    """Without libharfbuzz-subset0 every render silently takes about 5x longer."""
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "apt-get install libharfbuzz-subset0"
