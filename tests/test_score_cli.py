"""`pso score FILE.json`, run as a user would run it (spec §6.2; in this process:
tests/cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

from pso.api.score import EXAMPLE
from tests.cli import CliResult, run_cli


def run(*args: str, stdin: str | None = None) -> CliResult:
    return run_cli("score", *args, stdin=stdin)


def test_prints_the_score(tmp_path: Path) -> None:
    path = tmp_path / "opgave.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["rulebook"] == "pso-2.1" and out["rung"] in {"trede1", "trede2", "trede3"}
    assert out["explanation"]


def test_reads_stdin() -> None:
    result = run("-", stdin=json.dumps(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "totalPct" in json.loads(result.stdout)


def test_bad_input_exits_2_with_problem(tmp_path: Path) -> None:
    path = tmp_path / "fout.json"
    path.write_text(json.dumps({**EXAMPLE, "totalFte": "NaN", "fullTimeHoursPerWeek": 60}),
                    encoding="utf-8")
    result = run(str(path))
    assert result.returncode == 2
    problem = json.loads(result.stdout)
    assert problem["status"] == 400 and problem["type"] == "urn:pso:problem:invalid-input"
    assert {p["name"] for p in problem["invalidParams"]} == {"totalFte", "fullTimeHoursPerWeek"}


def test_not_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "fout.json"
    path.write_bytes(b"\x00\xffgeen json")
    result = run(str(path))
    assert result.returncode == 2
    assert json.loads(result.stdout)["invalidParams"][0]["name"] == "body"


def test_unreadable_file_exits_2_with_problem(tmp_path: Path) -> None:
    for target in (tmp_path / "bestaat-niet.json", tmp_path):
        result = run(str(target))
        assert result.returncode == 2
        problem = json.loads(result.stdout)
        assert problem["invalidParams"][0]["name"] == "file"
