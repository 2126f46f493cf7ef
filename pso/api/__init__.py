"""HTTP API controllers. Each capability adds its module to ROUTE_MODULES."""

from __future__ import annotations

import importlib

ROUTE_MODULES = [
    "pso.api.health",
    "pso.api.score",
    "pso.api.organizations",
    "pso.api.audit_events",
    "pso.api.vouchers",
    "pso.api.bodies",
    "pso.api.assessments",
    "pso.api.documents",
    "pso.api.certificates",
    "pso.api.procurement",
    "pso.api.tenders",
    "pso.api.social_return",
    "pso.api.social_return_settlement",
    "pso.web.register",
    "pso.web.vouchers",
    "pso.api.uploads",
    "pso.api.portal",
    "pso.web.home",
    "pso.web.calculator",
    "pso.web.calculator_draft",
    "pso.web.tender",
    "pso.web.municipality",
    "pso.web.inkoop",
    "pso.web.account",
    "pso.web.beheer",
    "pso.web.mijn",
    "pso.web.beoordeling",
]


def route_handlers() -> list[object]:
    handlers: list[object] = []
    for name in ROUTE_MODULES:
        handlers.extend(importlib.import_module(name).ROUTES)
    return handlers
