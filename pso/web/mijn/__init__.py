"""MijnPSO, the company portal (SPEC §7.2): dashboard, applying organisation with its
subsidiaries, the application wizard (steps 1-7, a draft saved at every step), the
scenario panel, the application's status after submission, re-certification and vouchers.

Every rule is a service's (pso.services.portal, certification, organizations, vouchers);
these modules only move values between forms and those services, and show their errors
next to the inputs they concern.
"""

from pso.web.mijn import dashboard, organisation, social_return, vouchers, wizard

ROUTES = [*dashboard.ROUTES, *organisation.ROUTES, *wizard.ROUTES, *vouchers.ROUTES,
          *social_return.ROUTES]
