"""The click group and the runtime every command shares (settings from MATCHMAKER_* variables)."""
from __future__ import annotations

import click

from ..config import Settings
from ..runtime import Runtime, build_runtime


class State:
    """Lazily built runtime, so `--help` never touches the database."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = build_runtime(Settings.from_env())
        return self._runtime


@click.group(help="matchmaker 专利供需对接平台命令行工具")
@click.pass_context
def cli(ctx: click.Context) -> None:
    ctx.obj = State()


pass_state = click.make_pass_decorator(State)
