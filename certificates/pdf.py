"""Generic HTML-to-PDF rendering: Jinja2 templates from `templates/`, WeasyPrint, PDF/A-3b,
tagged as PDF/UA-1 (structure tree, alternative text from <svg><title>/alt, language from
<html lang>, title shown by viewers).

One engine per process (fonts, parsed stylesheets, compiled templates) is built lazily and
reused, because creating a FontConfiguration and parsing @font-face CSS costs far more
than laying out a one-page document. WeasyPrint/Pango objects are not thread-safe, so
renders are serialised with a lock; `render_pdf_async` runs them in a worker thread.

Security: every resource WeasyPrint wants to load goes through `AssetFetcher`, which only
serves files below `templates/assets/` and `data:` URLs. User text is autoescaped by Jinja2,
so it cannot add elements, styles or URLs in the first place; the fetcher is the second wall.
"""

from __future__ import annotations

import functools
import mimetypes
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .formatting import FILTERS
from .resources import templates_dir

TEMPLATES_DIR = templates_dir()
ASSETS_DIR = TEMPLATES_DIR / "assets"
CSS_DIR = ASSETS_DIR / "css"
PDF_VARIANT = "pdf/a-3b"
BASE_STYLESHEET = "base.css"
# PDF/UA-1 identification in the XMP metadata, with the extension schema PDF/A asks for
# any property outside its predefined schemas (pdfuaid is one).
_PDFUA_XMP = b"""<rdf:Description rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag>
<rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>
"""


def _declare_pdfua(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: add the PDF/UA-1 identification to the PDF/A XMP packet (one
    variant per render is all WeasyPrint writes; the tags themselves come from pdf_tags)."""
    reference = pdf.catalog["Metadata"]
    stream = next(o for o in pdf.objects if getattr(o, "reference", None) == reference)
    packet = b"".join(stream.stream)
    if b"</rdf:RDF>" not in packet:
        raise RuntimeError("unexpected XMP packet from WeasyPrint")
    stream.stream = [packet.replace(b"</rdf:RDF>", _PDFUA_XMP + b"</rdf:RDF>", 1)]


class ForbiddenURL(ValueError):
    """A URL outside the project's own assets; WeasyPrint logs it and skips the resource."""


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint has no type information
    """URL fetcher serving only `data:` URLs and files below `root` (default templates/assets)."""

    def __init__(self, root: Path = ASSETS_DIR):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = Path(root).resolve()
        self._files: dict[Path, bytes] = {}  # assets are immutable while the process runs

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)  # decoded in memory by urllib's DataHandler
        if scheme != "file":
            raise ForbiddenURL(f"only project assets may be loaded, not {url[:100]!r}")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ForbiddenURL(f"remote file URL refused: {url[:100]!r}")
        # resolve() follows "..", symlinks and %2e%2e, so the check sees the real target.
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ForbiddenURL(f"not a project asset: {url[:100]!r}")
        body = self._files.get(path)
        if body is None:
            body = self._files[path] = path.read_bytes()
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body, {"Content-Type": mime})


class Engine:
    """Reusable rendering state: fonts, parsed stylesheets, Jinja2 environment."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR):
        self.fetcher = AssetFetcher(templates_dir / "assets")
        self.base_url = (templates_dir / "assets").resolve().as_uri() + "/"
        self.css_dir = templates_dir / "assets" / "css"
        self.font_config = FontConfiguration()
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=True,  # every template, whatever its extension
            undefined=jinja2.StrictUndefined,
            auto_reload=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(FILTERS)
        self._stylesheets: dict[str, CSS] = {}
        self.lock = threading.RLock()

    def stylesheet(self, name: str) -> CSS:
        """Parse `assets/css/<name>` once; its @font-face fonts load into our FontConfiguration."""
        css = self._stylesheets.get(name)
        if css is None:
            path = (self.css_dir / name).resolve()
            if not path.is_relative_to(self.css_dir.resolve()):
                raise ValueError(f"stylesheet outside assets/css: {name}")
            css = CSS(
                string=path.read_text(encoding="utf-8"),
                base_url=path.as_uri(),
                url_fetcher=self.fetcher,
                font_config=self.font_config,
            )
            self._stylesheets[name] = css
        return css

    def default_stylesheets(self, template_name: str) -> list[str]:
        """base.css plus `<template stem>.css` when it exists (certificate.html -> certificate.css)."""
        names = [BASE_STYLESHEET]
        own = Path(template_name).with_suffix(".css").name
        if own != BASE_STYLESHEET and (self.css_dir / own).is_file():
            names.append(own)
        return names

    def render_html(self, template_name: str, context: Mapping[str, Any]) -> str:
        return self.env.get_template(template_name).render(context)

    def write_pdf(self, html: str, stylesheets: Sequence[str], variant: str = PDF_VARIANT) -> bytes:
        with self.lock:
            document = HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
            pdf: bytes = document.write_pdf(
                stylesheets=[self.stylesheet(name) for name in stylesheets],
                font_config=self.font_config,
                pdf_variant=variant,
                # The variant's default identifier is an MD5 of the content: same input,
                # same bytes, so a stored SHA-256 can be re-checked by re-rendering.
                pdf_identifier=True,
                presentational_hints=False,
                # PDF/UA-1 on top of PDF/A-3b: tagged, DisplayDocTitle, /Lang.
                pdf_tags=True,
                finisher=_declare_pdfua if variant == PDF_VARIANT else None,
            )
            return pdf

    def layout(
        self,
        template_name: str,
        context: Mapping[str, Any],
        stylesheets: Sequence[str] | None = None,
    ) -> Any:
        """The laid-out WeasyPrint Document (pages and boxes), for checks without a PDF."""
        html = HTML(
            string=self.render_html(template_name, context),
            base_url=self.base_url,
            url_fetcher=self.fetcher,
        )
        sheets = stylesheets or self.default_stylesheets(template_name)
        with self.lock:
            return html.render(
                stylesheets=[self.stylesheet(name) for name in sheets],
                font_config=self.font_config,
            )

    def render(
        self,
        template_name: str,
        context: Mapping[str, Any],
        stylesheets: Sequence[str] | None = None,
        variant: str = PDF_VARIANT,
    ) -> bytes:
        html = self.render_html(template_name, context)
        sheets = stylesheets or self.default_stylesheets(template_name)
        return self.write_pdf(html, sheets, variant)


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The process-wide engine, created on first use."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = Engine()
    return _engine


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    stylesheets: Sequence[str] | None = None,
    variant: str = PDF_VARIANT,
) -> bytes:
    """Render `templates/<template_name>` with `context` to PDF bytes (PDF/A-3b by default).

    Stylesheets are names under templates/assets/css/, parsed once per process; by default
    base.css plus the one named after the template. Templates set the document language,
    title and (for reproducible bytes) dcterms.created themselves, see templates/pdf/base.html.
    `variant` is a WeasyPrint PDF variant, e.g. "pdf/ua-1" for a tagged, accessible report
    (tagging costs about 15-20 ms more per certificate-sized page).
    """
    return engine().render(template_name, context, stylesheets, variant)


async def render_pdf_async(
    template_name: str,
    context: Mapping[str, Any],
    *,
    stylesheets: Sequence[str] | None = None,
    variant: str = PDF_VARIANT,
) -> bytes:
    """`render_pdf` in a worker thread, so the event loop keeps serving requests."""
    import anyio.to_thread

    call = functools.partial(
        render_pdf, template_name, context, stylesheets=stylesheets, variant=variant
    )
    return await anyio.to_thread.run_sync(call)


def warm_up(stylesheets: Sequence[str] | None = None) -> None:
    """Load fonts, parse stylesheets (default: all of assets/css) and render one tiny page,
    so the first real request does not pay for it (call at app start-up, e.g. in a thread)."""
    eng = engine()
    names = stylesheets or sorted(path.name for path in eng.css_dir.glob("*.css"))
    with eng.lock:
        for name in names:
            eng.stylesheet(name)
    eng.write_pdf('<html lang="nl"><title>warm-up</title><p>PSO</p></html>', [BASE_STYLESHEET])
