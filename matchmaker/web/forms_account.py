"""Forms of the account, team and one-time-link pages (parsing only; the services validate)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField

from ..models import UserRole
from .forms import add_error, choices


class ProfileForm(FlaskForm):
    display_name = StringField("姓名", render_kw={"maxlength": 100, "autocomplete": "name"})
    email = StringField("接收通知的邮箱", render_kw={"maxlength": 200, "type": "email",
                                                   "autocomplete": "email"})


class NewPasswordFields:
    """A new password typed twice (the confirmation is a UI check the service cannot make)."""

    def passwords_match(self) -> bool:
        if (self.password.data or "") == (self.password_confirm.data or ""):
            return True
        add_error(self.password_confirm, "两次输入的密码不一致")
        return False


class PasswordChangeForm(FlaskForm, NewPasswordFields):
    current_password = PasswordField("当前密码", render_kw={"autocomplete": "current-password"})
    password = PasswordField("新密码", render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField("确认新密码", render_kw={"autocomplete": "new-password"})


class SetPasswordForm(FlaskForm, NewPasswordFields):
    password = PasswordField("新密码", render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField("确认新密码", render_kw={"autocomplete": "new-password"})


class JoinForm(FlaskForm, NewPasswordFields):
    """The invitee creates an account in the inviting organization."""

    login = StringField("登录名（邮箱或手机号）", render_kw={"autocomplete": "username"})
    display_name = StringField("姓名", render_kw={"maxlength": 100, "autocomplete": "name"})
    password = PasswordField("密码", render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField("确认密码", render_kw={"autocomplete": "new-password"})


class InviteForm(FlaskForm):
    role = SelectField("角色", choices=choices(UserRole.choices()), default=UserRole.MEMBER.value,
                       validate_choice=False)
    email = StringField("对方邮箱（选填；配置了邮件服务时发送邀请）",
                        render_kw={"maxlength": 200, "type": "email"})


class PlainForm(FlaskForm):
    """A button that only needs the CSRF token."""
