"""The app factory: everything configurable comes from the Settings passed in."""

from __future__ import annotations

import logging

import anyio
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.pydantic import PydanticPlugin
from sqlalchemy.ext.asyncio import async_sessionmaker

from pso import clock, passwords
from pso.api import (
    assessments,
    audit_events,
    bodies,
    certificates,
    documents,
    health,
    organizations,
    portal,
    procurement,
    score,
    social_return,
    social_return_documents,
    social_return_settlement,
    tenders,
    uploads,
    vouchers,
)
from pso.api.paging import ApiResponse
from pso.auth import AuthMiddleware
from pso.db.engine import make_engine, make_sqlite_reader
from pso.db.probe import DatabaseProbe
from pso.errors import EXCEPTION_HANDLERS
from pso.files import parse_pool, pdf_pool
from pso.http.content_type import JsonBodyMiddleware
from pso.http.middleware import Cors, headers_middleware, public_operations
from pso.http.openapi import openapi_config
from pso.http.proxy import proxy_headers_middleware
from pso.http.ratelimit import make_limiter, rate_limit_middleware
from pso.http.transaction import provide_db
from pso.mail import outbox as mail_outbox
from pso.settings import Settings, parse_trusted
from pso.web import (
    account,
    beheer,
    beoordeling,
    calculator,
    calculator_draft,
    dev_mail,
    home,
    inkoop,
    mijn,
    municipality,
    register,
    tender,
)
from pso.web import (
    vouchers as web_vouchers,
)
from pso.web.csrf import FormTokenMiddleware
from pso.web.setup import static_router, template_config

# Every controller module, in the order of the OpenAPI document and the router.
ROUTE_MODULES = [
    health,
    score,
    organizations,
    audit_events,
    vouchers,
    bodies,
    assessments,
    documents,
    certificates,
    procurement,
    tenders,
    social_return,
    social_return_documents,
    social_return_settlement,
    register,
    web_vouchers,
    uploads,
    portal,
    home,
    calculator,
    calculator_draft,
    tender,
    municipality,
    inkoop,
    account,
    beheer,
    mijn,
    beoordeling,
]


def route_handlers() -> list[object]:
    return [handler for module in ROUTE_MODULES for handler in module.ROUTES]


def _pdf_hooks(settings: Settings) -> tuple[object, object]:
    async def start() -> None:
        parse_pool.configure(settings.parse_workers or 0)
        pdf_pool.configure(settings.pdf_workers, settings.pdf_renders_per_worker,
                           settings.pdf_timeout)
        if settings.pdf_workers == 0 and settings.env != "test":
            # Fonts and stylesheets load once per process, off the event loop, before the
            # first certificate is issued (pool workers warm themselves up). Not under
            # PSO_ENV=test: test apps and servers start hundreds of times and most render no
            # PDF; the first render there loads WeasyPrint, fonts and stylesheets itself.
            await anyio.to_thread.run_sync(pdf_pool.warm_up)

    async def stop() -> None:
        await anyio.to_thread.run_sync(pdf_pool.shutdown)
        await anyio.to_thread.run_sync(parse_pool.shutdown)

    return start, stop


def _clock_and_mail_hooks(settings: Settings) -> tuple[object, object]:
    async def start() -> None:
        mail_outbox.configure(settings.public_url)
        passwords.configure(settings.env)
        if settings.today is not None:  # PSO_TODAY (development and tests only)
            clock.fix(settings.today)

    async def stop() -> None:
        if settings.today is not None:
            clock.fix(None)

    return start, stop


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    engine = make_engine(settings.database_url)
    session_maker = async_sessionmaker(engine, expire_on_commit=False)
    sqlite_reader = make_sqlite_reader(settings.database_url)
    limiter = make_limiter(settings.rate_limit, settings.redis_url)
    start_pdf, stop_pdf = _pdf_hooks(settings)
    start_clock, stop_clock = _clock_and_mail_hooks(settings)
    # /dev/mail shows the outbox in development and tests; in production it does not exist.
    dev_routes = dev_mail.ROUTES if settings.is_development else []
    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_maker=session_maker,
        set_default_exception_handler=False,
        create_all=False,
    )
    app = Litestar(
        route_handlers=[*route_handlers(), *dev_routes, static_router()],
        template_config=template_config(),
        plugins=[SQLAlchemyPlugin(config=db_config), PydanticPlugin(prefer_alias=True)],
        middleware=[AuthMiddleware(session_maker), JsonBodyMiddleware(), FormTokenMiddleware()],
        # `db`: one transaction per request, for every handler that names it.
        dependencies={"db": Provide(provide_db)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        response_class=ApiResponse,  # the Link header of paged lists
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(settings.public_url),
        state=State({"settings": settings, "session_maker": session_maker, "engine": engine,
                     "sqlite_reader": sqlite_reader, "db_config": db_config,
                     "database_probe": DatabaseProbe(engine, sqlite_reader)}),
        on_startup=[start_clock, start_pdf],
        on_shutdown=[engine.dispose, stop_pdf, stop_clock, *([limiter.close] if limiter else []),
                     *([sqlite_reader.dispose] if sqlite_reader else [])],
        debug=False,
    )
    handler = app.asgi_handler
    if limiter is not None:  # before auth and database: refusing must stay cheap
        handler = rate_limit_middleware(handler, limiter)
    if settings.trusted_proxies:  # the real client, before the limiter picks its key
        handler = proxy_headers_middleware(handler, parse_trusted(settings.trusted_proxies))
    # Outermost wrapper, so 404/405 (and 429) answers get the headers too.
    app.asgi_handler = headers_middleware(
        handler, cors=Cors(settings.cors_origins, public_operations(app.routes)),
        hsts=settings.public_url.startswith("https://"))
    return app
