"""init, demo, serve and create-operator."""
from __future__ import annotations

import click

from ..catalog.accounts import create_user
from ..catalog.organizations import find_organization_by_name
from ..migrate import current_revision, upgrade
from ..models import Organization, OrgKind, OrgStatus, UserRole
from .base import State, cli, pass_state


@cli.command("init")
@pass_state
def init_cmd(state: State) -> None:
    """Create the database or upgrade it to the latest schema."""
    rt = state.runtime
    before = current_revision(rt.engine)
    upgrade(rt.engine)
    after = current_revision(rt.engine)
    url = rt.engine.url.render_as_string(hide_password=True)
    click.echo(f"数据库已就绪：{url}（版本 {before or '空'} → {after}）")


@cli.command("demo")
@click.option("--password", help="Give every demo user this password instead of random ones.")
@click.option("--skip-if-loaded", is_flag=True, help="Do nothing (exit 0) when demo data exists.")
@pass_state
def demo_cmd(state: State, password: str | None, skip_if_loaded: bool) -> None:
    """Load demo organizations, users, real patents and real needs (once)."""
    from ..demo.loader import DATA_DIR, demo_loaded, load_demo
    rt = state.runtime
    upgrade(rt.engine)
    if skip_if_loaded:
        with rt.session_factory() as session:
            if demo_loaded(session):
                click.echo("演示数据已存在，跳过加载（演示账号密码在首次加载时显示）。")
                return
    total = sum(1 for _ in _gz_lines(DATA_DIR / "patents.jsonl.gz"))
    with rt.transaction() as session, click.progressbar(length=total, label="导入演示专利") as bar:
        result = load_demo(session, password=password, progress=bar.update)
    rep = result.patents
    click.echo(f"演示数据已加载：专利 {rep.created} 条（拒绝 {len(rep.rejected)} 条），需求 {result.needs} 条")
    click.echo("演示账号（密码只显示这一次，请妥善保存）：")
    for login, pw, org in result.credentials:
        click.echo(f"  {login:<34} {pw:<16} {org}")


def _gz_lines(path):
    import gzip
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        yield from (line for line in fh if line.strip())


@cli.command("create-operator")
@click.option("--org", "org_name", default="知识产权运营服务平台", show_default=True,
              help="Operator organization name (created when missing).")
@click.option("--login", required=True, help="E-mail or mobile number.")
@click.option("--name", "display_name", default="平台管理员", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@pass_state
def create_operator_cmd(state: State, org_name: str, login: str, display_name: str,
                        password: str) -> None:
    """Create an operator account (operators approve organizations and watch KPIs)."""
    with state.runtime.transaction() as session:
        org = find_organization_by_name(session, org_name)
        if org is None:
            org = _operator_org(session, org_name)
        elif org.kind != OrgKind.OPERATOR:
            raise click.ClickException(f"机构“{org_name}”不是运营方")
        user = create_user(session, org, login, password, display_name, role=UserRole.ADMIN)
        click.echo(f"已创建运营方账号 {user.login}（{org.name}）")


def _operator_org(session, name: str):
    """The platform's own organization, created from the trusted CLI without a credit code."""
    org = Organization(kind=OrgKind.OPERATOR, name=name, region="乌鲁木齐市",
                       status=OrgStatus.APPROVED, source="cli")
    session.add(org)
    session.flush()
    return org


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Flask debug mode with reloader (development only).")
@click.option("--no-worker", is_flag=True, help="Do not run background jobs in this process.")
@pass_state
def serve_cmd(state: State, host: str, port: int, debug: bool, no_worker: bool) -> None:
    """Serve the web app (development server; see README for production).

    The embedded setup runs the job worker in a thread of this process; production runs
    `matchmaker worker` separately and passes --no-worker.
    """
    from ..jobs.worker import start_background
    from ..web import create_app
    upgrade(state.runtime.engine)
    app = create_app(state.runtime.settings)
    if not no_worker:
        start_background(app.extensions["matchmaker"])
    click.echo(f"matchmaker 正在运行：http://{host}:{port}/")
    app.run(host=host, port=port, debug=debug, use_reloader=debug)


@cli.command("serve-prod")
@click.option("--bind", default="127.0.0.1:8000", show_default=True,
              help="Address to listen on (put a reverse proxy in front; see README).")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--timeout", default=60, show_default=True, type=int, help="Worker timeout (s).")
@click.option("--access-log", is_flag=True, help="Also write gunicorn's access log.")
@pass_state
def serve_prod_cmd(state: State, bind: str, workers: int, threads: int, timeout: int,
                   access_log: bool) -> None:
    """Serve with gunicorn (several processes). Run `matchmaker worker` (the index writer and
    job runner) and `matchmaker tick` (cron) as separate processes."""
    from ..web.wsgi import run
    upgrade(state.runtime.engine)
    state.runtime.dispose()
    click.echo(f"matchmaker（生产模式，{workers} 个进程）：http://{bind}/", err=True)
    run(bind, workers, threads, timeout, access_log)

