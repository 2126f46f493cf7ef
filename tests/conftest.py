"""Shared fixtures: the app on SQLite and, when a server answers, on PostgreSQL.

Each backend gets a fresh database migrated once per session; tables are emptied before
every test. PSO_REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure (CI).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso import passwords
from pso.app import create_app
from pso.auth import SYSTEM
from pso.db.engine import make_engine
from pso.db.migrate import upgrade
from pso.db.models import Base
from pso.services import users
from pso.settings import Settings
from tests.browser import tally
from tests.databases import postgres_admin_url, temporary_postgres
from tests.mail_server import mail_server  # noqa: F401  (the real SMTP server fixture)

# Production is the default without PSO_ENV (issue 20.6); the CLI commands and servers the
# tests start run as tests unless a test asks for production itself.
os.environ.setdefault("PSO_ENV", "test")
passwords.configure("test")  # services called straight from tests hash as the test app does


def backends() -> list[str]:
    found = ["sqlite"]
    if postgres_admin_url():
        found.append("postgres")
    elif os.environ.get("PSO_REQUIRE_POSTGRES") == "1":
        raise RuntimeError("PSO_REQUIRE_POSTGRES=1 but no PostgreSQL server answers")
    return found


BACKENDS = backends()

# Markers (pyproject.toml), set at collection so nobody has to remember them (`make test-fast`
# leaves them out): `browser` for tests/browser, `postgres` for a test parametrized with the
# PostgreSQL backend, `slow` for a module that starts servers or processes and for the tests
# in SLOW (seconds each, measured: demo data, password hashing in a loop, PDF worker pools).
PROCESS_STARTERS = {"subprocess", "multiprocessing", "tests.servers", "tests.pg_cluster"}
SLOW = (
    "tests/api/test_pdf_pool_services.py",
    "tests/api/test_rate_limits.py::test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted",
    "tests/api/test_vouchers.py::test_demo_scheme_has_every_status",
    "tests/services/test_accounts_rules.py::test_throttling_",
)


def starts_processes(module: object) -> bool:
    """The test module imported subprocess, multiprocessing, tests.servers (start_server) or
    tests.pg_cluster (a private PostgreSQL)."""
    for value in vars(module).values():
        name = getattr(value, "__name__", None) if isinstance(value, type(os)) else None
        if (name or getattr(value, "__module__", None)) in PROCESS_STARTERS:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_dir = Path(__file__).parent / "browser"
    for item in items:
        path = Path(str(item.fspath))
        if browser_dir in path.parents:
            item.add_marker(pytest.mark.browser)
        params = getattr(item, "callspec", None)
        if params is not None and "postgres" in params.params.values():
            item.add_marker(pytest.mark.postgres)
        module = getattr(item, "module", None)
        if item.nodeid.startswith(SLOW) or (module is not None and starts_processes(module)):
            item.add_marker(pytest.mark.slow)
    unique_node_ids(items)
    longest_first(items)
    tally.collected(config, items)


def unique_node_ids(items: list[pytest.Item]) -> None:
    """schemathesis names its items `test_x[GET /path]` but, with pytest 9.2 (which keeps
    the id in `_id`, where schemathesis sets `_nodeid`), they all get one node id, and
    pytest-xdist schedules by node id (it ran one operation of 84): each gets its name."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1 and item.name != item.nodeid.rsplit("::", 1)[-1]:
            if hasattr(item, "_id"):
                item._id = item.parent.id.child(item.name)
            else:
                item._nodeid = f"{item.parent.nodeid}::{item.name}"


def longest_first(items: list[pytest.Item]) -> None:
    """Browser modules first, then modules with slow tests, then the rest, each module's
    tests together and in their order: pytest-xdist hands modules out in this order, so the
    run does not end with one worker busy on a long module while the other waits."""
    def rank(item: pytest.Item) -> int:
        return 0 if item.get_closest_marker("browser") else (
            1 if item.get_closest_marker("slow") else 2)

    module_rank: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        module_rank[path] = min(module_rank.get(path, 2), rank(item))
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (module_rank[item.nodeid.split("::", 1)[0]], order[id(item)]))


# The accessibility gate's tally (tests/browser/tally.py), summed over pytest-xdist's workers.
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    tally.finish(session, exitstatus)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    tally.node_down(node)


def pytest_terminal_summary(terminalreporter: object) -> None:
    tally.summary(terminalreporter)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


class MigratedUrls(Mapping[str, str]):
    """backend -> the URL of its test database, made and migrated when first asked for, so a
    run of SQLite tests alone does not wait for PostgreSQL."""

    def __init__(self, folder: Path, stack: contextlib.ExitStack) -> None:
        self.folder, self.stack, self.urls = folder, stack, {}

    def __getitem__(self, backend: str) -> str:
        if backend not in BACKENDS:
            raise KeyError(backend)
        if backend not in self.urls:
            # In a thread of its own: the first ask may come from inside a test's event loop,
            # and creating and migrating a database run event loops of their own.
            with ThreadPoolExecutor(1) as thread:
                self.urls[backend] = thread.submit(self._migrated, backend).result()
        return self.urls[backend]

    def _migrated(self, backend: str) -> str:
        url = (
            f"sqlite+aiosqlite:///{self.folder / 'test.sqlite3'}"
            if backend == "sqlite"
            else self.stack.enter_context(temporary_postgres("pso_test"))
        )
        upgrade(url)
        return url

    def __iter__(self) -> Iterator[str]:
        return iter(BACKENDS)

    def __len__(self) -> int:
        return len(BACKENDS)


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mapping[str, str]]:
    with contextlib.ExitStack() as stack:
        yield MigratedUrls(Path(tmp_path_factory.mktemp("db")), stack)


TABLES = [t.name for t in reversed(Base.metadata.sorted_tables)]  # children first
# Every id sequence that was used goes back to its start, as TRUNCATE ... RESTART IDENTITY
# would do (all of them belong to a table's id column).
RESTART_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
FROM pg_sequences WHERE last_value IS NOT NULL
"""


async def empty_tables(url: str) -> None:
    """Every table empty, ids restarting. One DELETE per table: TRUNCATE of all tables took
    1.6 s per test on PostgreSQL (it makes new files for each), DELETE of the few tables a
    test wrote takes milliseconds."""
    if url.startswith("sqlite"):
        # The stdlib driver, in one transaction: no engine and no thread hand-offs.
        path = url.split(":///", 1)[1]
        with contextlib.closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as db:
            db.executescript(
                f"BEGIN IMMEDIATE; {' '.join(f'DELETE FROM {n};' for n in TABLES)} COMMIT;"
            )
        return
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            probe = " UNION ALL ".join(
                f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM {n})" for n in TABLES
            )
            filled = set((await conn.execute(text(probe))).scalars())
            for name in TABLES:
                if name in filled:
                    await conn.execute(text(f"DELETE FROM {name}"))
            await conn.execute(text(RESTART_SEQUENCES))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def database_url(backend: str, migrated_urls: Mapping[str, str]) -> str:
    url = migrated_urls[backend]
    await empty_tables(url)
    return url


@pytest.fixture(scope="session")
def settings_per_url() -> dict[str, Settings]:
    return {}


@pytest.fixture
def settings(database_url: str, settings_per_url: dict[str, Settings]) -> Settings:
    """One Settings object per backend for the whole run (its secret key too), so the app
    built for it can be shared."""
    if database_url not in settings_per_url:
        settings_per_url[database_url] = Settings.from_env(
            {"PSO_ENV": "test", "PSO_DATABASE_URL": database_url, "PSO_RATE_LIMIT": "0"}
        )
    return settings_per_url[database_url]


# Building the app (registering ~400 routes) costs more than most tests: apps are kept per
# Settings and shared. Each test still runs the app's start-up and shut-down (its own test
# client, cookies and event loop; the engine's connections are closed at shut-down), so only
# the route table is shared. A test that changes it (app.register) gets its app discarded.
_APPS: dict[Settings, object] = {}
_KEPT_APPS = 4  # a module that builds new Settings per test must not keep every app alive


def shared_app(settings: Settings):
    app = _APPS.pop(settings, None) or create_app(settings)
    _APPS[settings] = app  # the most recently used last
    while len(_APPS) > _KEPT_APPS:
        del _APPS[next(iter(_APPS))]
    return app


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient]:
    app = shared_app(settings)
    routes = len(app.routes)
    try:
        async with AsyncTestClient(app=app) as test_client:
            yield test_client
    finally:
        if len(app.routes) != routes:
            _APPS.pop(settings, None)


@pytest.fixture
async def session_maker(database_url: str):
    engine = make_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
def make_token(session_maker):
    """make_token(role, kvk=..., municipality_code=...) -> Authorization headers.

    make_token("auditor", body="CODE", name="Ans") makes a person (account) of that
    certifying body (created when new) and returns their personal token;
    make_token("company", kvk=K, person=True, email=...) a person of that company."""

    async def make(
        role: str,
        *,
        body: str | None = None,
        name: str | None = None,
        person: bool = False,
        email: str | None = None,
        **kwargs: str,
    ) -> dict[str, str]:
        async with session_maker() as session, session.begin():
            if body is None and not person:
                _, token = await users.add(session, SYSTEM, role, name or f"test {role}", **kwargs)
            else:
                token = await person_token(session, role, body or kwargs.get("kvk"), name, email)
        return {"Authorization": f"Bearer {token}"}

    return make


async def person_token(
    session, role: str, code: str | None, name: str | None, email: str | None = None
) -> str:
    import secrets

    from pso.services import accounts, bodies

    kind, code = accounts.party_key(role, code)
    if kind == "certifying_body":
        party = await bodies.find(session, code)
        if party is None:
            await bodies.create(session, SYSTEM, code=code, name=f"Instelling {code}")
            party = await bodies.find(session, code)
    else:
        party = await accounts.ensure_party(session, kind, code)
    email = email or f"{secrets.token_hex(4)}@{code.lower()}.example.nl"
    account = await accounts.create_account(
        session, SYSTEM, email=email, name=name or f"{role} {code}", role=role, party=party
    )
    _, token = await accounts.create_token(session, account, "test")
    return token


async def count_rows(session_maker, table: str) -> int:
    async with session_maker() as session:
        return (await session.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()


@pytest.fixture
def fixed_today():
    """fixed_today(date(2026, 3, 1)) makes pso.clock.today() answer that day in this process
    (the in-process app, services, jobs) until the test ends. Servers in other processes
    take PSO_TODAY in their environment instead."""
    from pso import clock

    previous = clock.fixed_day()
    yield clock.fix
    clock.fix(previous)
