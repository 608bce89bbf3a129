"""The `send_mail` job: one queued notification e-mail (a failure is retried like any job).
`runtime.build_runtime` registers HANDLERS with the worker."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import mail

if TYPE_CHECKING:
    from ..runtime import Runtime


def send_mail(rt: Runtime, payload: dict) -> None:
    if not mail.enabled(rt.settings):     # e-mail was switched off after it was queued
        return
    mail.send(rt.settings, payload["to"], payload["subject"], payload["body"])


HANDLERS = {"send_mail": send_mail}
