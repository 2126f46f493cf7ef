"""Mail (SPEC §7.5): Dutch text+HTML mails from templates/mail/, queued in an outbox table
inside the caller's transaction and delivered by a sender through a real SMTP server.

    await queue_mail(session, to="a@b.nl", template="certificate_expiry", context={...})
    await send_pending(session_maker, settings)   # what the background sender does

See pso.mail.render for the template format, pso.mail.outbox for the table's life cycle
and pso.mail.sender for delivery, back-off and the background task.
"""

from __future__ import annotations

from pso.mail.outbox import configure, public_url, queue_mail, valid_address
from pso.mail.render import MailTemplateError, RenderedMail, render
from pso.mail.sender import MailSender, SendReport, send_pending, smtp_target

__all__ = [
    "MailSender",
    "MailTemplateError",
    "RenderedMail",
    "SendReport",
    "configure",
    "public_url",
    "queue_mail",
    "render",
    "send_pending",
    "smtp_target",
    "valid_address",
]
