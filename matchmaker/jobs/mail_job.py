"""The `send_mail` job: one queued notification e-mail (a failure is retried like any job)."""
from __future__ import annotations

from .. import mail
from ..runtime import Runtime
from .worker import handler


@handler("send_mail")
def send_mail(rt: Runtime, payload: dict) -> None:
    if not mail.enabled(rt.settings):     # e-mail was switched off after it was queued
        return
    mail.send(rt.settings, payload["to"], payload["subject"], payload["body"])
