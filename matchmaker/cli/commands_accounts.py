"""org create / list and user create / reset-password: what an operator does on the server
before anyone has registered (e.g. so `import patents --owner` has an owner)."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta

import click
from sqlalchemy import select

from .. import clock
from ..catalog.accounts import create_user
from ..catalog.organizations import (OrganizationInput, create_organization, find_organizations,
                                     resolve_organization)
from ..catalog.self_service import issue_reset
from ..errors import NotFound
from ..models import OrgKind, OrgStatus, User, UserRole
from .base import State, cli, pass_state

KINDS = ("university", "institute", "enterprise", "station")


@cli.group("org")
def org_group() -> None:
    """Organizations (机构)."""


@org_group.command("create")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--name", required=True, help="Full name (unique).")
@click.option("--region", default="其他", show_default=True, help="One of the regions the app knows.")
@click.option("--credit-code", default="", help="统一社会信用代码 (optional here).")
@pass_state
def org_create(state: State, kind: str, name: str, region: str, credit_code: str) -> None:
    """Create an approved organization (the command line is trusted: no review needed)."""
    with state.runtime.transaction() as session:
        org = create_organization(session, OrganizationInput(kind=kind, name=name, region=region,
                                                             credit_code=credit_code),
                                  status=OrgStatus.APPROVED, source="cli", trusted=True)
        click.echo(f"已创建机构 #{org.id} {org.name}（{org.kind.label}，{org.region}，已通过审核）")


@org_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
@click.option("--kind", type=click.Choice(KINDS + ("operator", "agency")))
@pass_state
def org_list(state: State, as_json: bool, kind: str | None) -> None:
    """Every organization with its kind, status and number of users."""
    with state.runtime.session_factory() as session:
        rows, _total = find_organizations(session, kind=OrgKind(kind) if kind else None,
                                          per_page=1_000_000)
        items = [{"id": o.id, "name": o.name, "kind": o.kind.value, "status": o.status.value,
                  "region": o.region, "users": sum(1 for u in o.users if u.is_active)}
                 for o in sorted(rows, key=lambda o: o.id)]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for i in items:
        click.echo(f"{i['id']:>6}  {OrgKind(i['kind']).label:<8} {OrgStatus(i['status']).label:<4} "
                   f"用户 {i['users']:<3} {i['name']}")
    click.echo(f"共 {len(items)} 个机构")


@cli.group("user")
def user_group() -> None:
    """User accounts (用户)."""


def _link(state: State, token: str) -> str:
    return f"{state.runtime.settings.link_base}/account/set-password/{token}"


@user_group.command("create")
@click.option("--org", "org_ref", required=True, help="Organization name or id.")
@click.option("--login", required=True, help="E-mail or mobile number.")
@click.option("--name", "display_name", default="", help="Display name (default: the login).")
@click.option("--admin", is_flag=True, help="Make the user an admin of the organization.")
@pass_state
def user_create(state: State, org_ref: str, login: str, display_name: str, admin: bool) -> None:
    """Create a user and print a one-time link to set the password (nobody else knows it)."""
    settings = state.runtime.settings
    with state.runtime.transaction() as session:
        org = resolve_organization(session, org_ref)
        # an unguessable password nobody is told: the user sets their own through the link
        user = create_user(session, org, login, secrets.token_urlsafe(24) + "a1",
                           display_name or login.split("@")[0],
                           role=UserRole.ADMIN if admin else UserRole.MEMBER)
        _user, token = issue_reset(session, None, user.id, now=clock.now(),
                                   lifetime=timedelta(days=settings.invitation_days))
        click.echo(f"已创建用户 {user.login}（{org.name}，{user.role.label}）")
        if org.status != OrgStatus.APPROVED:
            click.echo(f"注意：机构“{org.name}”{org.status.label}，审核通过后才能登录", err=True)
    click.echo(f"设置密码链接（只显示这一次，{settings.invitation_days} 天内有效）：")
    click.echo(_link(state, token))


@user_group.command("reset-password")
@click.argument("login")
@pass_state
def user_reset(state: State, login: str) -> None:
    """Print a one-time link to set a new password (earlier links stop working)."""
    from ..catalog.validation import normalize_login
    settings = state.runtime.settings
    with state.runtime.transaction() as session:
        user = session.scalar(select(User).where(User.login == normalize_login(login)))
        if user is None:
            raise NotFound(f"未找到用户：{login}")
        _user, token = issue_reset(session, None, user.id, now=clock.now(),
                                   lifetime=timedelta(hours=settings.reset_link_hours))
    click.echo(f"{user.login}（{user.organization.name}）的重设密码链接"
               f"（只显示这一次，{settings.reset_link_hours} 小时内有效）：")
    click.echo(_link(state, token))
