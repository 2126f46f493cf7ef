"""Where `templates/` (Jinja templates, CSS, fonts, web assets) lives.

In a checkout or an editable install it is the `templates/` folder beside the packages. A
wheel (`pip install .`) ships the same folder as the data-only package `pso_templates`
(pyproject.toml maps it), because site-packages has no project root to look beside.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def templates_dir() -> Path:
    source = Path(__file__).resolve().parent.parent / "templates"
    if (source / "assets" / "css" / "base.css").is_file():
        return source
    import pso_templates  # the installed copy (a namespace package: data only)

    for folder in pso_templates.__path__:
        if (Path(folder) / "assets" / "css" / "base.css").is_file():
            return Path(folder)
    raise RuntimeError("PSO templates not found: reinstall the pso-service package")
