"""/beheer: the admin portal. The dashboard with live figures, certifying bodies
(/beheer/instellingen), applying organisations (/beheer/organisaties), the audit log
(/beheer/audit) and the first account of any party (/beheer/accounts). Every page is for
admins with TOTP only; every rule is the services' that the API uses too."""

from pso.web.beheer import accounts, audit, bodies, dashboard, organisations

ROUTES = [*dashboard.ROUTES, *bodies.ROUTES, *organisations.ROUTES, *audit.ROUTES,
          *accounts.ROUTES]
