"""One root exception; web, API and CLI translate these in one place each."""
from __future__ import annotations

from typing import Mapping


class MatchmakerError(Exception):
    """Base of every domain error; `message` is shown to users (Simplified Chinese)."""

    status = 400

    def __init__(self, message: str = "操作失败"):
        super().__init__(message)
        self.message = message


class ValidationError(MatchmakerError):
    """Bad input, with per-field messages so forms can show them next to the field."""

    status = 422

    def __init__(self, errors: Mapping[str, str] | str, message: str = "提交的数据有误，请检查标出的字段"):
        if isinstance(errors, str):
            errors = {"__all__": errors}
        self.errors = dict(errors)
        super().__init__(message if len(self.errors) != 1 else next(iter(self.errors.values())))


class ConfigError(MatchmakerError):
    """A setting the app refuses to run with (the message names the variable and the fix)."""


class NotFound(MatchmakerError):
    status = 404

    def __init__(self, message: str = "未找到该记录"):
        super().__init__(message)


class PermissionDenied(MatchmakerError):
    status = 403

    def __init__(self, message: str = "无权执行此操作"):
        super().__init__(message)


class Conflict(MatchmakerError):
    """The request clashes with existing data (duplicate number, stale version, ...)."""

    status = 409


class InvalidTransition(MatchmakerError):
    status = 409
