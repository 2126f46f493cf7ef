"""A non-editable install works: the built wheel, installed into a fresh virtual environment,
gives a `pso serve` that finds its templates, fonts, rulebooks and migrations.

The wheel is built from this checkout without build isolation (the project venv's
setuptools, no network). The fresh venv gets only the wheel; its dependencies come from
the project venv's site-packages through a path file, which, unlike the site-packages
itself, does not run that venv's own .pth files, so the editable install of this checkout
stays invisible. The server runs from a folder outside the checkout. Not skipped anywhere.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import httpx
from pypdf import PdfReader

from tests.servers import ROOT, start_server


def run(*argv: str | Path, cwd: Path | None = None, timeout: float = 120) -> str:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{argv}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_wheel_installs_and_serves_pages_and_pdfs(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "--no-build-isolation",
        "--no-index", "-q", "-w", wheels, cwd=tmp_path, timeout=180)
    [wheel] = wheels.glob("pso_service-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .strip())
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "-q", wheel, cwd=tmp_path)

    # The installed copy, not this checkout, is what runs.
    where = run(python, "-c", "import pso, certificates.resources as r; "
                "print(pso.__file__); print(r.templates_dir())", cwd=tmp_path).split()
    assert all(path.startswith(str(venv)) for path in where), where
    assert Path(where[1], "assets", "fonts", "DejaVuSans.ttf").is_file()

    database = f"sqlite+aiosqlite:///{tmp_path / 'pso.sqlite3'}"
    pso = str(venv / "bin" / "pso")
    command = lambda port: [pso, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with start_server(database, command=command, cwd=tmp_path) as base_url:
        home = httpx.get(f"{base_url}/", timeout=30)
        assert home.status_code == 200 and "Prestatieladder" in home.text
        css = httpx.get(f"{base_url}/static/web/site.css", timeout=30)
        assert css.status_code == 200
        register = httpx.get(f"{base_url}/register", timeout=30)
        assert register.status_code == 200
        number = re.search(r"PSO-\d{4}-\d{6}", register.text).group(0)  # demo data
        pdf = httpx.get(f"{base_url}/api/v1/certificates/{number}/pdf", timeout=30)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
                 for page in PdfReader(io.BytesIO(pdf.content)).pages
                 for font in page["/Resources"]["/Font"].values()}
        assert fonts == {"PSO-Sans", "PSO-Sans-Bold"}, fonts  # the shipped @font-face files
        score = httpx.post(f"{base_url}/api/v1/score", timeout=30, json={
            "period": {"start": "2021-01-01", "end": "2021-12-31"}, "totalFte": "10",
            "quality": {"suitableWork": True, "integration": True, "development": True,
                        "guidance": True}})
        assert score.status_code == 200 and score.json()["rulebook"] == "pso-1.8"
