"""`matchmaker org create|list` and `matchmaker user create|reset-password`, run as a console
script: an organization exists before anyone registers, and a user gets a one-time link."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.catalog import self_service
from matchmaker.catalog.accounts import authenticate
from matchmaker.errors import NotFound
from matchmaker.models import Organization, OrgStatus, User, UserRole
from tests.test_cli import db, env, run  # noqa: F401  (fixtures)

LINK = re.compile(r"http://example\.test/account/set-password/(\S+)")
BASE = {"MATCHMAKER_BASE_URL": "http://example.test"}


def test_org_create_list_and_import_owner(run, db, tmp_path):
    made = run("org", "create", "--kind", "institute", "--name", "新疆测试研究所", "--region", "乌鲁木齐市")
    assert made.returncode == 0, made.stderr
    assert "已创建机构" in made.stdout and "已通过审核" in made.stdout
    again = run("org", "create", "--kind", "institute", "--name", "新疆测试研究所")
    assert again.returncode == 1 and "该机构名称已注册" in again.stderr
    bad = run("org", "create", "--kind", "university", "--name", "某大学", "--region", "火星")
    assert bad.returncode == 1 and "所在地区" in bad.stderr
    wrong_kind = run("org", "create", "--kind", "operator", "--name", "伪运营方")
    assert wrong_kind.returncode == 2
    listed = json.loads(run("org", "list", "--json").stdout)
    assert [(o["name"], o["kind"], o["status"]) for o in listed] == [("新疆测试研究所", "institute", "approved")]
    assert "共 1 个机构" in run("org", "list").stdout
    with Session(db.engine) as s:
        assert s.scalar(select(Organization.status)) == OrgStatus.APPROVED


def test_user_create_prints_a_one_time_link_and_reset_replaces_it(run, db):
    run("org", "create", "--kind", "station", "--name", "天山创新驿站")
    made = run("user", "create", "--org", "天山创新驿站", "--login", "Li@Example.com", "--admin",
               env_overrides=BASE)
    assert made.returncode == 0, made.stderr
    assert "已创建用户 li@example.com（天山创新驿站，管理员）" in made.stdout
    first = LINK.search(made.stdout).group(1)
    now = datetime.now(timezone.utc)
    with Session(db.engine) as s:
        user = s.scalar(select(User))
        assert user.role == UserRole.ADMIN and first not in user.password_hash
        assert self_service.reset_target(s, first, now).id == user.id
    reset = run("user", "reset-password", "li@example.com", env_overrides=BASE)
    assert reset.returncode == 0, reset.stderr
    second = LINK.search(reset.stdout).group(1)
    with Session(db.engine) as s:
        self_service.reset_password(s, second, "station-pass-2026", now)
        s.commit()
        assert authenticate(s, "li@example.com", "station-pass-2026").login == "li@example.com"
        with pytest.raises(NotFound, match="已使用或已过期"):     # replaced by the second
            self_service.reset_target(s, first, now)
    missing = run("user", "reset-password", "nobody@example.com")
    assert missing.returncode == 1 and "未找到用户" in missing.stderr
    dup = run("user", "create", "--org", "天山创新驿站", "--login", "li@example.com")
    assert dup.returncode == 1 and "该登录名已被使用" in dup.stderr
    no_org = run("user", "create", "--org", "不存在的机构", "--login", "x@example.com")
    assert no_org.returncode == 1 and "未找到机构" in no_org.stderr
