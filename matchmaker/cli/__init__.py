"""The `matchmaker` command: thin commands over the same services the views call."""
from __future__ import annotations

import sys

import click

from ..errors import MatchmakerError
from .base import cli


def main() -> None:
    """Entry point: domain errors print one clear line and exit 1."""
    from . import (commands_accounts, commands_backup, commands_core,  # noqa: F401  (registers)
                   commands_deals,
                   commands_custody, commands_import, commands_index, commands_match,
                   commands_search, commands_vectors)
    try:
        # Outside standalone mode click *returns* the code of `raise Exit(n)` instead of exiting.
        from ..audit import acting_as
        # The command and its first argument, never an option: `--password=…` would end up in
        # the audit trail.
        words = [a for a in sys.argv[1:3] if not a.startswith("-")]
        with acting_as("命令行：matchmaker " + " ".join(words)):
            code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except MatchmakerError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        if getattr(exc, "errors", None) and len(exc.errors) > 1:
            for field, msg in exc.errors.items():
                click.echo(f"  - {field}: {msg}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("已取消", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


__all__ = ["cli", "main"]
