"""init, demo, serve and create-operator."""
from __future__ import annotations

import click

from ..catalog.accounts import create_user
from ..catalog.organizations import find_organization_by_name
from ..demo.logins import demo_logins, format_logins, reset_demo_passwords
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
                click.echo("演示数据已存在，跳过加载。演示账号：")
                for line in format_logins(demo_logins(session)):
                    click.echo(line)
                click.echo("密码只在首次加载时显示；忘记了可以设置新密码：.venv/bin/matchmaker demo-logins --reset")
                return
    total = sum(1 for _ in _gz_lines(DATA_DIR / "patents.jsonl.gz"))
    with rt.transaction() as session, click.progressbar(length=total, label="导入演示专利") as bar:
        result = load_demo(session, password=password, progress=bar.update)
    rep = result.patents
    click.echo(f"演示数据已加载：专利 {rep.created} 条（拒绝 {len(rep.rejected)} 条），需求 {result.needs} 条，"
               f"预先编码的语义向量 {result.vectors} 条")
    with rt.session_factory() as session:
        logins = demo_logins(session, {login: pw for login, pw, _org in result.credentials})
    click.echo("演示账号（角色、登录名、密码、机构；密码只显示这一次，"
               "之后可用 matchmaker demo-logins --reset 设置新密码）：")
    for line in format_logins(logins):
        click.echo(line)


@cli.command("demo-logins")
@click.option("--reset", is_flag=True, help="Set new passwords for every demo account and print them.")
@click.option("--password", help="With --reset: give every demo account this password.")
@pass_state
def demo_logins_cmd(state: State, reset: bool, password: str | None) -> None:
    """Print the demo accounts with their roles; --reset sets and prints new passwords."""
    if password and not reset:
        raise click.UsageError("--password 只能与 --reset 一起使用")
    with state.runtime.transaction() as session:
        logins = reset_demo_passwords(session, password) if reset else demo_logins(session)
    if not logins:
        raise click.ClickException("没有演示账号：先运行 matchmaker demo 加载演示数据")
    click.echo("演示账号的新密码（只显示这一次）：" if reset else
               "演示账号（密码已加密保存，无法再显示；需要时用 --reset 设置新密码）：")
    for line in format_logins(logins):
        click.echo(line)


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
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--debug", is_flag=True, help="Flask debug mode with reloader (development only).")
@click.option("--no-worker", is_flag=True, help="Do not run background jobs in this process.")
@pass_state
def serve_cmd(state: State, host: str, port: int, debug: bool, no_worker: bool) -> None:
    """Serve the web app (development server; see README for production).

    The embedded setup runs the job worker in a thread of this process; production runs
    `matchmaker worker` separately and passes --no-worker. The port is taken before anything
    is announced, so a busy port is one clear message instead of "running" and a traceback;
    each request is one readable console line.
    """
    import errno

    from werkzeug.serving import make_server

    from ..jobs.worker import start_background
    from ..web import create_app
    from ..web.request_log import configure_logging
    # Werkzeug reports a busy port in English and exits: find out first.
    _check_port(host, port)
    upgrade(state.runtime.engine)
    configure_logging(readable=True)
    app = create_app(state.runtime.settings)
    if debug:   # the reloader serves from a child process
        click.echo(f"matchmaker 正在运行（调试模式）：http://{host}:{port}/")
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    try:
        server = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit) as exc:   # taken in the meantime
        raise click.ClickException(_port_message(host, port, exc if isinstance(exc, OSError)
                                                 else OSError(errno.EADDRINUSE, "in use"))) from None
    if not no_worker:
        start_background(app.extensions["matchmaker"])
    click.echo(f"matchmaker 正在运行：http://{host}:{port}/ （按 Ctrl+C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("已停止")


def _port_message(host: str, port: int, exc: OSError) -> str:
    import errno
    if exc.errno == errno.EADDRINUSE:
        return (f"端口 {port} 已被占用（可能 matchmaker 已在运行，或有其他程序在用这个端口）。"
                f"请换一个端口，例如：scripts/start --port {port + 1 if port < 65535 else 8000}")
    if exc.errno == errno.EACCES:
        return f"没有权限使用端口 {port}：1024 以下的端口需要管理员权限，请换一个端口，例如 --port 5000"
    return f"无法在 {host}:{port} 上启动：{exc.strerror or exc}"


def _check_port(host: str, port: int) -> None:
    import socket
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(_port_message(host, port, exc)) from None


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

