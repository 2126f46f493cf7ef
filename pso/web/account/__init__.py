"""Pages for people with an account (SPEC §7.1): signing in and out, passwords, the
second factor, own sessions and API tokens, inviting colleagues."""

from pso.web.account import settings, signin

ROUTES = [*signin.ROUTES, *settings.ROUTES]
