"""The FastAPI application factory: ``create_app(settings)`` wires store, auth and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine
from starlette.types import ASGIApp

from insurable import __version__
from insurable.api import problems
from insurable.api.assessing import AssessorPool, assess_here
from insurable.api.guard import InputGuard
from insurable.api.headers import SecurityHeaders
from insurable.api.problems import ERROR_RESPONSES
from insurable.api.routes import (
    answers,
    assessments,
    audit,
    auth,
    me,
    offers,
    organisations,
    scans,
    supplier_requests,
    suppliers,
    users,
)
from insurable.api.schemas import Health
from insurable.api.security import RateLimiter
from insurable.api.settings import Settings
from insurable.catalog.loader import Catalog, load_catalog
from insurable.store.db import make_engine, make_sessionmaker, upgrade
from insurable.web import install as install_web

PREFIX = "/api/v1"
Assessor = Callable[[Any, Catalog], Any]


class Service(FastAPI):
    """The service's application: :class:`SecurityHeaders` wraps the whole middleware stack, Starlette's
    error middleware included, so that a 500 answer carries the security headers and ``no-store``."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), trusted_proxies=self.state.settings.trusted_proxies)


def _default_assessor(org: Any, catalog: Catalog, evidence: Any = None) -> Any:
    return assess_here(org, catalog, evidence)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    catalog: Callable[[], Catalog] | None = None,
    assessor: Assessor | None = None,
    migrate: bool = True,
) -> FastAPI:
    """Build the service. Tests pass their own engine, catalogue and assessor; ``serve`` passes none."""
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    # The packaged catalogue's assessment runs in worker processes (insurable.api.assessing); a
    # catalogue or assessor given by the caller (tests, own catalogues) runs in this process.
    pool = (
        AssessorPool(settings.assess_workers)
        if assessor is None and catalog is None and settings.assess_workers
        else None
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            pool.start()
        try:
            yield
        finally:
            if pool is not None:
                pool.close()

    app = Service(
        lifespan=lifespan,
        title="insurable",
        version=__version__,
        description="Cyber insurability as a service: questionnaire drafts, assessments, shares, audit. "
        "All figures are indicative.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # the Swagger page would load its scripts from a CDN; the schema is enough
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.catalog = catalog or cache(load_catalog)
    app.state.assessor = assessor or pool or _default_assessor
    app.state.login_limiter = RateLimiter(settings.login_rate, settings.login_window_seconds)
    problems.install(app)
    app.add_middleware(InputGuard, max_body_bytes=settings.max_body_bytes)  # SecurityHeaders wraps it (Service)

    api = APIRouter(prefix=PREFIX, responses=ERROR_RESPONSES)

    @api.get("/health", response_model=Health, tags=["health"])
    def health() -> Health:
        """Liveness check; needs no login."""
        return Health(status="ok", version=__version__)

    for module in (auth, me, users, organisations, answers, assessments, audit, offers, suppliers, supplier_requests):
        api.include_router(module.router)
    api.include_router(scans.router)  # outside-in scans (issue 16)
    app.include_router(api)
    install_web(app)  # the web app (docs/web.md): pages, static files, HTML error pages
    return app
