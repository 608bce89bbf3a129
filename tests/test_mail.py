"""Optional e-mail through MATCHMAKER_SMTP_URL, against a real SMTP server (aiosmtpd) started
here: invitations and reset links go out at once, notifications through the job queue; without
the setting nothing is sent and the inbox is unchanged."""
from __future__ import annotations

import email
import socket
from email.policy import default as default_policy

import pytest
from sqlalchemy import select

from matchmaker import mail
from matchmaker.catalog.organizations import set_organization_status
from matchmaker.config import Settings
from matchmaker.jobs.worker import run_until_empty
from matchmaker.models import Job, OrgKind, OrgStatus
from matchmaker.runtime import build_runtime
from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_org, make_user

aiosmtpd = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=default_policy)
        msg["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = _free_port()
    controller = aiosmtpd.Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{port}?from=noreply@matchmaker.test"
    yield inbox
    controller.stop()


@pytest.fixture
def mail_runtime(smtp, tmp_path, database_url):
    settings = Settings(instance_dir=tmp_path / "instance", database_url=database_url,
                        secret_key=TEST_SECRET_KEY, testing=True, smtp_url=smtp.url,
                        base_url="https://matchmaker.example.cn").resolved()
    rt = build_runtime(settings)
    yield rt
    rt.dispose()


def _body(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_an_invitation_is_sent_to_the_given_address(smtp, mail_runtime):
    sent = mail.send_invitation(mail_runtime.settings, "zhao@xju.example.com", "新疆测试大学",
                                "https://matchmaker.example.cn/account/join/abc", 7)
    assert sent and len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["X-Rcpt"] == "zhao@xju.example.com" and "noreply@matchmaker.test" in msg["From"]
    assert msg["Subject"] == "邀请您加入新疆测试大学（matchmaker 专利供需对接平台）"
    assert "https://matchmaker.example.cn/account/join/abc" in _body(msg) and "7 天内" in _body(msg)


def test_notifications_are_queued_and_the_worker_mails_them(smtp, mail_runtime):
    with mail_runtime.session_factory() as session:
        op = make_user(session, make_org(session, OrgKind.OPERATOR))
        org = make_org(session, OrgKind.ENTERPRISE, status=OrgStatus.PENDING, name="待审企业有限公司")
        make_user(session, org, login="boss@ent.example.com")
        set_organization_status(session, op, org.id, OrgStatus.REJECTED, reason="资质材料不全")
        session.commit()
        jobs = session.scalars(select(Job).where(Job.kind == "send_mail")).all()
        assert [j.payload["to"] for j in jobs] == ["boss@ent.example.com"]
    assert smtp.messages == []                  # nothing sent in the request itself
    assert run_until_empty(mail_runtime) >= 1
    [msg] = smtp.messages
    assert msg["Subject"] == "机构注册未通过审核" and "原因：资质材料不全" in _body(msg)
    assert "https://matchmaker.example.cn/" in _body(msg)


def test_without_smtp_nothing_is_queued_or_sent(smtp, session):
    op = make_user(session, make_org(session, OrgKind.OPERATOR))
    org = make_org(session, OrgKind.ENTERPRISE, status=OrgStatus.PENDING)
    make_user(session, org, login="boss@ent.example.com")
    set_organization_status(session, op, org.id, OrgStatus.APPROVED)
    session.commit()
    assert session.scalars(select(Job).where(Job.kind == "send_mail")).all() == []
    assert not mail.try_send(Settings(), "a@example.com", "x", "y")
    assert smtp.messages == []


def test_an_unreachable_server_is_logged_not_raised(tmp_path):
    settings = Settings(smtp_url=f"smtp://127.0.0.1:{_free_port()}")
    assert mail.try_send(settings, "a@example.com", "主题", "正文") is False


def test_a_malformed_url_is_a_clear_configuration_error():
    from matchmaker.errors import ConfigError
    with pytest.raises(ConfigError, match="MATCHMAKER_SMTP_URL"):
        mail.SmtpConfig.parse("mail.example.com:25")


def test_the_invite_page_sends_the_link_when_smtp_is_set(smtp, tmp_path, database_url):
    from matchmaker.web import create_app
    from tests.web.helpers import login, post_form, text
    settings = Settings(instance_dir=tmp_path / "instance", database_url=database_url,
                        secret_key=TEST_SECRET_KEY, testing=True, smtp_url=smtp.url).resolved()
    app = create_app(settings)
    try:
        rt = app.extensions["matchmaker"]
        with rt.session_factory() as session:
            admin = make_user(session, make_org(session, OrgKind.UNIVERSITY, name="新疆测试大学"))
            session.commit()
            admin_login = admin.login
        client = app.test_client()
        login(client, admin_login)
        answer = post_form(client, "/account/team/invite", {"role": "member", "email": "zhao@xju.example.com"},
                           token_page="/account/team", follow_redirects=True)
        assert "并已发送到 zhao@xju.example.com" in text(answer)
        [msg] = smtp.messages
        assert "/account/join/" in _body(msg) and msg["X-Rcpt"] == "zhao@xju.example.com"
        link = _body(msg).split("http://localhost", 1)[1].split()[0]   # the address used
        assert client.application.test_client().get(link).status_code == 200
    finally:
        app.extensions["matchmaker"].dispose()
