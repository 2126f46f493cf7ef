"""Package list for setuptools (the project itself is described in pyproject.toml).

`templates/` (Jinja templates, CSS, fonts, web assets) is not a Python package, but
`pso serve` needs it: a wheel ships it as the data-only package `pso_templates`, found by
certificates/resources.py. Everything else is found by name.
"""

from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(include=["pso*", "scoring*", "certificates*", "sroi*"])

setup(
    packages=[*PACKAGES, "pso_templates"],
    package_dir={"pso_templates": "templates"},
    package_data={
        "": ["*.json", "*.ini", "*.mako", "*.toml", "*.txt.gz"],
        "pso_templates": ["**/*"],
    },
    include_package_data=False,
)
