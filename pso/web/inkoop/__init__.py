"""/inkoop: the procurement portal for signed-in procurement accounts (SPEC §7.4).

Stored tenders of the buyer's organisation (create with deadline and policy, bids by form or
CSV import, the evaluation with ranking, notes and register facts, CSV and PDF), the award
and contract monitoring, and the SROI calculator. Every rule is the services' (tenders,
monitoring, procurement); this package turns forms into their calls and problems into pages.
"""

from pso.web.inkoop import social_return, social_return_settlement
from pso.web.inkoop.pages import ROUTES as PAGES

ROUTES = [*PAGES, *social_return.ROUTES, *social_return_settlement.ROUTES]

__all__ = ["ROUTES"]
