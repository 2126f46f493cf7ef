"""What a browser does with a form post: a refused form answers with a redirect to its page
(post/redirect/get, pso.web.session), and the browser loads that page at once."""

from __future__ import annotations

from pso.web.session import REPLY_COOKIE


def refused_redirect(response) -> bool:
    return response.status_code == 303 and bool(response.cookies.get(REPLY_COOKIE))


async def answered(client, response):
    """The page the browser shows after `response` to a form post."""
    if refused_redirect(response):
        return await client.get(response.headers["location"], follow_redirects=False)
    return response
