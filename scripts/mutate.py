"""`make mutate [MODULES=pso/jobs/lease.py ...] [SAMPLE=n]`: mutation testing (cosmic-ray) of
the modules that protect people and money, each against the fast tests that cover it. Slow:
not in CI; run it before resolving an issue that touches one of these modules
(docs/testing.md).

Per module: the tree is copied to .mutate/tree (cosmic-ray edits the copy, never the
worktree); the tests run once with a line tracer to time them and to see which lines they
run; the session keeps the selective operator set, drops mutants in annotations (never
evaluated: `from __future__ import annotations`), records mutants on lines the tests never
run as survivors without running them, and with SAMPLE=n runs a fixed random sample of n of
the rest. Sessions are kept in .mutate/ so an interrupted run continues where it stopped.

Each mutant also gets a stable key (its file, operator, line and span text, column, and
ordinal among equal keys): cosmic-ray's job ids are random per session and its positions
move when lines are added, so the sample is drawn from the keys, and AGAIN=1 after a source
edit starts a new session and carries the killed results over by key."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import random
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from cosmic_ray.work_db import WorkDB, WorkResultStorage, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutate"
TREE = WORK / "tree"
BIN = Path(sys.executable).parent
PYTEST = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -p no:randomly"

# module -> the fast tests that cover it (SQLite only, no browser): every mutant runs them.
MODULES: dict[str, str] = {
    "pso/jobs/lease.py": "tests/services/test_claims.py tests/jobs/test_lease.py tests/jobs/test_jobs.py -k 'not postgres or insert_loses'",
    "pso/mail/outbox.py": "tests/services/test_claims.py tests/mail/test_outbox_rules.py tests/mail/test_outbox.py"
    " -k 'not postgres or claiming_at_once'",
    "scoring/fast.py": "tests/scoring/test_fast_path_edges.py tests/scoring/test_fast_path.py tests/scoring/test_fast_path_model.py",
    "pso/services/access.py": "tests/services/test_access_named_party.py"
    " tests/services/test_access_matrix.py tests/services/test_access_parity.py"
    " -k 'not postgres'",
    "pso/procurement": "tests/procurement tests/api/test_procurement_calc.py tests/api/test_procurement_public.py -k 'not postgres'",
    "pso/services/accounts.py": "tests/services/test_accounts_rules.py tests/web/test_account_safety.py"
    " tests/web/test_accounts.py -k 'not postgres or concurrent_uses'",
    "pso/services/documents.py": "tests/services/test_documents_rules.py"
    " tests/services/test_workbench_rules.py tests/api/test_documents.py"
    " -k 'not postgres or documents_rules'",
    "pso/services/vouchers.py": "tests/services/test_voucher_rules.py tests/api/test_vouchers.py"
    " tests/api/test_voucher_requests.py -k 'not postgres or concurrent_applications or does_not_wait'",
    "pso/services/monitoring.py": "tests/services/test_monitoring_rules.py tests/api/test_contract_monitoring.py -k 'not postgres'",
    "pso/services/register.py": "tests/services/test_register_rules.py tests/services/test_workbench_rules.py"
    " tests/api/test_register_search.py tests/api/test_register_search_cost.py"
    " tests/api/test_verification_read.py"
    " -k 'not postgres or export_starts or one_round_trip or does_not_wait or valid_first"
    " or place_filter'",
    "pso/services/certification.py": "tests/services/test_certification_rules.py"
    " tests/services/test_workbench_rules.py tests/api/test_certification.py tests/api/test_review.py"
    " -k 'not postgres or certification_rules'",
}

# The selective operator set: the sufficient relational replacements of Kaminski, Ammann
# and Offutt (2011) (`==` -> `<=`/`>=`, `<` -> `<=`/`!=`, ... each subsumes the others),
# `is`/`is not`, the arithmetic inverses, and the logical, constant, negation, exception,
# loop and decorator operators. The other replacements (`+` -> `<<`, `==` -> `is`, ...)
# mostly crash at once and would multiply the run time.
KEEP = re.compile(
    r"core/(ReplaceComparisonOperator_(Eq_(LtE|GtE)|NotEq_(Lt|Gt)|Lt_(LtE|NotEq)|LtE_(Lt|Eq)"
    r"|Gt_(GtE|NotEq)|GtE_(Gt|Eq)|Is_IsNot|IsNot_Is)"
    r"|ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul|FloorDiv_Div|Mod_FloorDiv"
    r"|Pow_Mul|BitOr_BitAnd|BitAnd_BitOr)"
    r"|ReplaceUnaryOperator_Delete_(Not|USub)|AddNot|ReplaceAndWithOr|ReplaceOrWithAnd"
    r"|ReplaceTrueWithFalse|ReplaceFalseWithTrue|NumberReplacer|ExceptionReplacer"
    r"|ZeroIterationForLoop|ReplaceBreakWithContinue|ReplaceContinueWithBreak|RemoveDecorator)$"
)

CONFIG = """[cosmic-ray]
module-path = "{module}"
timeout = {timeout}
excluded-modules = []
test-command = "{command}"

[cosmic-ray.distributor]
name = "local"
"""

TRACER = """
import json, os, sys, threading
_want = tuple(os.path.abspath(p) for p in os.environ["MUTATE_FILES"].split(os.pathsep))
_seen = set()
def _local(frame, event, arg):
    if event == "line":
        _seen.add((frame.f_code.co_filename, frame.f_lineno))
    return _local
def _global(frame, event, arg):
    if frame.f_code.co_filename.startswith(_want):
        _seen.add((frame.f_code.co_filename, frame.f_lineno))
        return _local
    return None
sys.settrace(_global)
threading.settrace(_global)
def pytest_unconfigure(config):
    sys.settrace(None)
    threading.settrace(None)
    with open(os.environ["MUTATE_LINES"], "w") as out:
        json.dump(sorted(_seen), out)
"""


class Unmeasured(Exception):
    pass


def copy_tree() -> None:
    """Mutate a copy: the worktree stays usable (and correct) while a run goes on."""
    subprocess.run(
        [
            "rsync",
            "-a",
            "--delete",
            "--exclude",
            ".git",
            "--exclude",
            ".venv",
            "--exclude",
            ".mutate",
            "--exclude",
            "__pycache__",
            "--exclude",
            ".hypothesis",
            "--exclude",
            "test-artifacts",
            f"{ROOT}/",
            f"{TREE}/",
        ],
        check=True,
    )


def traced_run(module: str, tests: str, lines: Path) -> float:
    """Run the tests once, unmutated, with a line tracer; answer their duration."""
    (WORK / "mutate_tracer.py").write_text(TRACER)
    files = [str(TREE / p) for p in sources(module)]
    env = dict(
        os.environ,
        MUTATE_FILES=os.pathsep.join(files),
        MUTATE_LINES=str(lines),
        PYTHONPATH=f"{TREE}{os.pathsep}{WORK}",
    )
    start = time.monotonic()
    done = subprocess.run(
        shlex.split(f"{PYTEST} -p mutate_tracer {tests}"), cwd=TREE, env=env, check=False
    )
    if done.returncode != 0:
        raise Unmeasured(f"{module}: its tests fail without a mutant; fix them first")
    return time.monotonic() - start


def sources(module: str) -> list[str]:
    path = ROOT / module
    if path.is_dir():
        return [str(p.relative_to(ROOT)) for p in sorted(path.rglob("*.py"))]
    return [module]


def annotation_spans(tree: ast.AST) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Annotations of functions and of local/module names: never evaluated here. Class-level
    annotations are left in (msgspec, dataclasses and SQLAlchemy do read those)."""
    nodes: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            nodes += [a.annotation for a in every if a is not None and a.annotation]
            if node.returns:
                nodes.append(node.returns)
            nodes += [s.annotation for s in ast.walk(node) if isinstance(s, ast.AnnAssign)]
    if isinstance(tree, ast.Module):
        nodes += [s.annotation for s in tree.body if isinstance(s, ast.AnnAssign)]
    return [((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)) for n in nodes]


def in_binop(tree: ast.AST, start: tuple[int, int]) -> bool:
    return any(
        isinstance(node, ast.BinOp | ast.AugAssign)
        and (node.lineno, node.col_offset) <= start <= (node.end_lineno, node.end_col_offset)
        for node in ast.walk(tree)
    )


def statement_lines(tree: ast.AST, row: int) -> range:
    """The lines of the innermost statement holding `row` (of a compound one: its header)."""
    inner = None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.stmt | ast.excepthandler)
            and node.lineno <= row <= node.end_lineno
            and (inner is None or node.end_lineno - node.lineno <= inner.end_lineno - inner.lineno)
        ):
            inner = node
    if inner is None:
        return range(row, row + 1)
    body = getattr(inner, "body", None)
    end = inner.end_lineno
    if isinstance(body, list) and body and body[0].lineno > inner.lineno:
        end = body[0].lineno - 1
    return range(inner.lineno, end + 1)


def stable_keys(session: Path) -> dict[str, str]:
    """job -> a key that outlives the session and lines added elsewhere (cosmic-ray's job ids
    are random per `init`, its positions are line numbers): the file, the operator, the
    line's code (less a pragma added to it), the mutated text, its column, and the ordinal
    among equal keys (NumberReplacer makes two mutants of each number)."""
    with use_db(str(session)) as db:
        specs = sorted(
            (str(s.module_path), tuple(s.start_pos), s.occurrence, item.job_id, s)
            for item in db.work_items
            for s in item.mutations
        )
    texts: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    count: dict[str, int] = {}
    for *_, job, spec in specs:
        path = str(spec.module_path)
        lines = texts.setdefault(path, (TREE / path).read_text().splitlines())
        (row, col), (end_row, end_col) = spec.start_pos, spec.end_pos
        span = lines[row - 1 : end_row]
        span[-1] = span[-1][:end_col]
        span[0] = span[0][col:]
        code = lines[row - 1].partition("# pragma: no mutate")[0].strip()
        base = [path, spec.operator_name, code, "\n".join(span), col]
        equal = json.dumps(base)
        count[equal] = count.get(equal, -1) + 1  # in source order: 0, 1, ...
        keys[job] = json.dumps([*base, count[equal]])
    return keys


def source_hash(module: str) -> str:
    digest = hashlib.sha256()
    for path in sources(module):
        digest.update((TREE / path).read_bytes())
    return digest.hexdigest()


def prepare(
    session: Path, lines: Path, keys: dict[str, str], sample: int | list[str] | None
) -> list[str] | None:
    """Mark what is not run: operators outside the set, annotations, (with a sample: its size,
    or the keys drawn before) the mutants outside it, and unreached lines. Runs right after
    `cosmic-ray init`, and on the survivors again with AGAIN=1. Answers the sample's keys."""
    seen = {(f, n) for f, n in json.loads(lines.read_text())}
    trees: dict[str, ast.AST] = {}
    kept: dict[str, bool] = {}  # job -> whether a test runs its line
    with use_db(str(session)) as db:
        for item in db.pending_work_items:
            (spec,) = item.mutations
            path = str(spec.module_path)
            tree = trees.setdefault(path, ast.parse((TREE / path).read_text()))
            start, end = tuple(spec.start_pos), tuple(spec.end_pos)
            if not KEEP.match(spec.operator_name):
                skip(db, item.job_id, "operator outside the selective set")
            elif any(a <= start and end <= b for a, b in annotation_spans(tree)):
                skip(db, item.job_id, "annotation (never evaluated)")
            elif marked_equivalent(TREE / path, start[0], spec.operator_name):
                skip(db, item.job_id, "marked equivalent in the code (pragma: no mutate)")
            elif "BinaryOperator" in spec.operator_name and not in_binop(tree, start):
                skip(db, item.job_id, "the `*` of keyword-only arguments (not an operator)")
            else:
                lines_of = statement_lines(tree, start[0])
                kept[item.job_id] = any((str(TREE / path), n) in seen for n in lines_of)
        # Drawn from the sorted keys, not the job ids: the same source, the same sample.
        drawn = sorted(keys[job] for job in kept)
        if isinstance(sample, int):
            drawn = sorted(random.Random(27).sample(drawn, min(sample, len(drawn))))
        elif isinstance(sample, list):  # AGAIN=1 in a new session: the first run's sample
            drawn = sorted(set(drawn) & set(sample))
        chosen = set(drawn)
        for job, reached in kept.items():
            if keys[job] not in chosen:
                skip(db, job, "outside the sample")
            elif not reached:
                result = WorkResult(
                    worker_outcome=WorkerOutcome.NORMAL,
                    test_outcome=TestOutcome.SURVIVED,
                    output="not run: no test reaches this line",
                )
                db.set_result(job, result)
    return drawn if sample is not None else None


def marked_equivalent(path: Path, row: int, operator: str) -> bool:
    """`# pragma: no mutate: Eq_GtE, ... (why)` on the line or in a comment line right above
    it: those operators' mutants there are equivalent (docs/testing.md says more); without
    names, every mutant of the line."""
    lines = path.read_text().splitlines()
    above = lines[row - 2].strip() if row > 1 else ""
    line = lines[row - 1] + (above if above.startswith("#") else "")
    _, found, names = line.partition("pragma: no mutate")
    if not found:
        return False
    names = names.lstrip(":").split("(")[0].strip()  # a reason may follow in brackets
    return not names or any(operator.endswith(n.strip()) for n in names.split(","))


def skip(db: WorkDB, job: str, why: str) -> None:
    db.set_result(job, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=f"skipped: {why}"))


def report(module: str, session: Path) -> None:
    counts = dict.fromkeys(
        ("killed", "survived", "not run", "incompetent", "skipped", "pending"), 0
    )
    survivors = []
    with use_db(str(session)) as db:
        results = dict(db.results)
        for item in db.work_items:
            result = results.get(item.job_id)
            if result is None:
                counts["pending"] += 1
            elif result.worker_outcome == WorkerOutcome.SKIPPED:
                counts["skipped"] += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                unreached = (result.output or "").startswith("not run")
                counts["not run" if unreached else "survived"] += 1
                (spec,) = item.mutations
                survivors.append(
                    f"{spec.module_path}:{spec.start_pos[0]} {spec.operator_name}"
                    f" {item.job_id}{' (not run)' if unreached else ''}"
                )
            elif result.test_outcome == TestOutcome.INCOMPETENT:
                counts["incompetent"] += 1  # cosmic-ray could not make it: not in the score
            else:
                counts["killed"] += 1
    measured = counts["killed"] + counts["survived"] + counts["not run"]
    score = f"{100 * counts['killed'] / measured:.0f} %" if measured else "-"
    print(
        f"\n{module}: {score} killed of {measured} measured; "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    print("\n".join(f"  survived: {s}" for s in survivors))


def again(session: Path, lines: Path) -> None:
    """After adding tests, the source unchanged: run the survivors once more (those not run
    too, when the new tests reach their lines now)."""
    with use_db(str(session)) as db:
        for job, result in list(db.results):
            if result.test_outcome == TestOutcome.SURVIVED:
                _clear(db, job)
    prepare(session, lines, stable_keys(session), None)


def _clear(db: WorkDB, job: str) -> None:
    with db._session_maker.begin() as session:  # cosmic-ray has no call to forget a result
        session.query(WorkResultStorage).filter_by(job_id=job).delete()


def run(module: str, sample: int | list[str] | None, retry: bool) -> None:
    WORK.mkdir(exist_ok=True)
    copy_tree()
    name = module.replace("/", "_").removesuffix(".py")
    config, session = WORK / f"{name}.toml", WORK / f"{name}.sqlite"
    lines, state = WORK / f"{name}.lines.json", WORK / f"{name}.state.json"
    if not session.exists() or retry:
        took = traced_run(module, MODULES[module], lines)
        timeout = max(60.0, round(3 * took))
        config.write_text(
            CONFIG.format(
                module=module,
                timeout=timeout,
                command=f"{PYTEST} {MODULES[module]}".replace('"', '\\"'),
            )
        )
    carried: dict[str, WorkResult] = {}
    if session.exists() and retry and state.exists():
        before = json.loads(state.read_text())
        if before["source"] != source_hash(module):
            # The session's positions are line numbers of the old source: start a new
            # session on the same sample and carry the killed results over by key.
            with use_db(str(session)) as db:
                carried = {
                    before["keys"][job]: result
                    for job, result in db.results
                    if result.worker_outcome != WorkerOutcome.SKIPPED
                    and result.test_outcome != TestOutcome.SURVIVED  # killed or incompetent
                }
            sample = before["sample"]
            session.unlink()
    elif session.exists() and retry:
        print(f"{module}: a session without a state file: AGAIN=1 reads its line numbers")
    if not session.exists():
        subprocess.run([BIN / "cosmic-ray", "init", config, session], cwd=TREE, check=True)
        keys = stable_keys(session)
        drawn = prepare(session, lines, keys, sample)
        state.write_text(json.dumps({"source": source_hash(module), "sample": drawn, "keys": keys}))
        if drawn is not None:
            print(f"{module}: the sample's keys:", *drawn, sep="\n  ")
        if carried:
            carry(session, keys, carried)
    elif retry:
        again(session, lines)
    subprocess.run(
        [BIN / "cosmic-ray", "exec", config, session],
        cwd=TREE,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(TREE)),
    )
    report(module, session)


def carry(session: Path, keys: dict[str, str], results: dict[str, WorkResult]) -> None:
    """Give the new session's mutants still to run the old session's killed results (those
    now marked or unreached were judged by `prepare` already)."""
    with use_db(str(session)) as db:
        pending = [item.job_id for item in db.pending_work_items if keys[item.job_id] in results]
        for job in pending:
            db.set_result(job, results[keys[job]])
    print(f"the source changed: a new session; {len(pending)} killed results carried over by key")


def main(argv: list[str]) -> None:
    chosen = argv or list(MODULES)
    unknown = [m for m in chosen if m not in MODULES]
    if unknown:
        sys.exit(f"unknown module(s): {', '.join(unknown)}; known: {', '.join(MODULES)}")
    sample = int(os.environ["SAMPLE"]) if os.environ.get("SAMPLE") else None
    failed = []
    for module in chosen:
        try:
            run(module, sample, retry=os.environ.get("AGAIN") == "1")
        except Unmeasured as error:  # go on with the other modules
            print(error, file=sys.stderr)
            failed.append(module)
    if failed:
        sys.exit(f"not measured: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
