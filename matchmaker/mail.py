"""Optional e-mail through MATCHMAKER_SMTP_URL; the in-app inbox stays the default.

`smtp://[user:password@]host[:port][?from=addr&starttls=1]` (or `smtps://` for TLS from the
start). One-time links (invitations, resets) are sent at once and never stored in clear: if the
server is unreachable the link is still shown to whoever issued it. Notifications go through
the job queue (`send_mail` jobs), so a slow mail server never slows a page down.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import parse_qs, unquote, urlsplit

from .config import Settings
from .errors import ConfigError

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
SENDER_NAME = "matchmaker 专利供需对接平台"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str = ""
    password: str = ""
    sender: str = "matchmaker@localhost"
    tls: bool = False           # smtps: TLS from the start
    starttls: bool = False

    @classmethod
    def parse(cls, url: str) -> "SmtpConfig":
        """
        >>> SmtpConfig.parse("smtp://u:p%40ss@mail.example.com:2525?from=noreply@example.com&starttls=1")
        SmtpConfig(host='mail.example.com', port=2525, user='u', password='p@ss', sender='noreply@example.com', tls=False, starttls=True)
        """
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError("MATCHMAKER_SMTP_URL 应形如 smtp://用户名:密码@主机:端口?from=发件地址")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if tls else 25),
                   user=unquote(parts.username or ""), password=unquote(parts.password or ""),
                   sender=query.get("from", ["matchmaker@" + parts.hostname])[0], tls=tls,
                   starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"))


def enabled(settings: Settings) -> bool:
    return bool(settings.smtp_url)


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message (raises OSError / smtplib.SMTPException on failure)."""
    config = SmtpConfig.parse(settings.smtp_url)
    message = EmailMessage()
    message["From"] = formataddr((SENDER_NAME, config.sender))
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if config.tls:
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
    with client:
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
        if config.user:
            client.login(config.user, config.password)
        client.send_message(message)


def try_send(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send when e-mail is set up and there is an address; a failure is logged, not raised
    (the caller shows the link or keeps the in-app notice). Returns whether it was sent."""
    if not enabled(settings) or not to:
        return False
    try:
        send(settings, to, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to %s failed: %s", to.split("@")[-1], exc)
        return False
    return True


def send_invitation(settings: Settings, email: str, organization: str, link: str,
                    days: int) -> bool:
    return try_send(settings, email, f"邀请您加入{organization}（matchmaker 专利供需对接平台）",
                    f"您好：\n\n{organization}邀请您加入 matchmaker 专利供需对接平台。请在 {days} 天内打开"
                    f"下面的链接设置账号（链接只能使用一次）：\n\n{link}\n\n如果您不认识发件机构，请忽略本邮件。")


def send_reset(settings: Settings, email: str, link: str, hours: int) -> bool:
    return try_send(settings, email, "重设密码（matchmaker 专利供需对接平台）",
                    f"您好：\n\n平台运营方为您的账号签发了重设密码链接。请在 {hours} 小时内打开下面的链接设置"
                    f"新密码（链接只能使用一次）：\n\n{link}\n\n如果您没有申请重设密码，请联系平台运营方。")
