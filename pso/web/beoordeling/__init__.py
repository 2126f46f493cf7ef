"""/beoordeling: the auditor workbench (SPEC §7.3). Queue, review page with corrections,
information requests and the decision, and certificate management. Only turns forms into
calls of pso.services.certification / register / documents and their answers into pages."""

from pso.web.beoordeling.certificates import ROUTES as CERTIFICATE_ROUTES
from pso.web.beoordeling.review import ROUTES as REVIEW_ROUTES

ROUTES = [*REVIEW_ROUTES, *CERTIFICATE_ROUTES]
