"""`make mutate [MODULES=pso/jobs/lease.py ...]`: mutation testing (cosmic-ray) of the modules
that protect people and money, each against the tests that cover it. Slow: not in CI; run it
before resolving an issue that touches one of these modules (docs/testing.md).

cosmic-ray changes the module on disk one mutant at a time and puts it back; do not edit
the worktree while it runs, and check `git status` afterwards. Sessions are kept in
.mutate/ so an interrupted run continues where it stopped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PYTEST = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:randomly"

# module -> the tests that cover it (keep these small: every mutant runs them).
MODULES: dict[str, list[str]] = {
    "pso/jobs/lease.py": ["tests/services/test_claims.py", "tests/jobs/test_jobs.py"],
    "pso/mail/outbox.py": ["tests/services/test_claims.py", "tests/mail"],
    "pso/services/accounts.py": ["tests/services/test_accounts_rules.py",
                                 "tests/web/test_accounts.py"],
    "pso/services/access.py": ["tests/api/test_route_protection.py", "tests/api/test_auth.py"],
    "pso/services/register.py": ["tests/services/test_workbench_rules.py",
                                 "tests/api/test_register_search.py",
                                 "tests/api/test_certification.py"],
    "pso/services/certification.py": ["tests/services/test_workbench_rules.py",
                                      "tests/api/test_review.py",
                                      "tests/api/test_certification.py"],
    "pso/services/documents.py": ["tests/services/test_workbench_rules.py",
                                  "tests/api/test_documents.py"],
    "pso/services/vouchers.py": ["tests/api/test_vouchers.py",
                                 "tests/api/test_voucher_requests.py"],
    "pso/services/monitoring.py": ["tests/services/test_monitoring_rules.py",
                                   "tests/api/test_contract_monitoring.py"],
    "scoring/fast.py": ["tests/scoring/test_fast_path.py",
                        "tests/scoring/test_fast_path_model.py"],
    "pso/procurement": ["tests/api/test_procurement_calc.py",
                        "tests/api/test_procurement_tenders.py"],
}

CONFIG = """[cosmic-ray]
module-path = "{module}"
timeout = {timeout}
excluded-modules = []
test-command = "{command}"

[cosmic-ray.distributor]
name = "local"
"""


def run(module: str, timeout: float = 300.0) -> None:
    work = ROOT / ".mutate"
    work.mkdir(exist_ok=True)
    name = module.replace("/", "_").removesuffix(".py")
    config, session = work / f"{name}.toml", work / f"{name}.sqlite"
    config.write_text(CONFIG.format(module=module, timeout=timeout,
                                    command=f"{PYTEST} {' '.join(MODULES[module])}"))
    if not session.exists():
        subprocess.run([BIN / "cosmic-ray", "init", config, session], cwd=ROOT, check=True)
    subprocess.run([BIN / "cosmic-ray", "exec", config, session], cwd=ROOT, check=True)
    subprocess.run([BIN / "cr-report", session, "--show-pending"], cwd=ROOT, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", module], cwd=ROOT, check=False,
                           capture_output=True, text=True).stdout
    if dirty:
        sys.exit(f"{module} differs from git after the run; check it (git diff {module})")


def main(argv: list[str]) -> None:
    chosen = argv or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        sys.exit(f"unknown module(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
    for module in chosen:
        run(module)


if __name__ == "__main__":
    main(sys.argv[1:])
