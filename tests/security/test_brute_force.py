"""Brute force (issue 11, item 4): 70 wrong passwords for one account from 7 addresses in 11 s,
then the right one worked, because login limits were per client address only.

Now each account has an exponential back-off (free failures, then 2 s, 4 s, … up to a cap) that
never locks anyone out for good: the wait ends, and the owner's own browser (device cookie)
keeps its own count. Registration is throttled per address.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from matchmaker import clock
from matchmaker.catalog import login_throttle
from matchmaker.catalog.login_throttle import Policy, account_key, begin_attempt, succeeded
from matchmaker.models import LoginThrottle, OrgKind
from tests.factories import PASSWORD, make_org, make_user, valid_credit_code
from tests.web.helpers import login, post_form, text

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
LOCKED = "该账号登录失败次数过多"


@pytest.fixture
def frozen(monkeypatch):
    """The back-off's clock, stopped at T0 (`frozen.move(seconds)` moves it)."""
    class Frozen:
        now = T0

        def move(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)
    f = Frozen()
    monkeypatch.setattr(login_throttle, "wall_clock", lambda: f.now)
    return f


@pytest.fixture
def owner(session, fast_hashing):
    user = make_user(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    return user


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, login_name: str, password: str = "wrong-pass-1"):
    return post_form(client, "/login", {"login": login_name, "password": password})


def wait_of(response) -> int:
    """The wait the refusal names ("请 N 秒后再试"; the Retry-After header says at least as
    long, merged with the address limit's own window)."""
    import re
    seconds = int(re.search(LOCKED + r"，请 (\d+) 秒后再试", text(response)).group(1))
    assert int(response.headers["Retry-After"]) >= seconds - 1
    return seconds


def logged_in(client) -> bool:
    return client.get("/patents/mine").status_code == 200


def test_guesses_from_many_addresses_lock_the_account_until_the_wait_is_over(app, owner, frozen):
    checked = refused = 0
    for a in range(7):                       # the attack of the issue: 7 addresses × 10 guesses
        client = from_address(app, f"203.0.113.{a + 1}")
        for _ in range(10):
            response = attempt(client, owner.login)
            if response.status_code == 429:
                assert LOCKED in text(response) and int(response.headers["Retry-After"]) >= 1
                refused += 1
            else:
                assert response.status_code == 200 and "登录名或密码错误" in text(response)
                checked += 1
    assert checked == 6 and refused == 64     # 5 free failures, the 6th starts the back-off

    right = from_address(app, "198.51.100.9")
    response = attempt(right, owner.login, PASSWORD)
    assert response.status_code == 429 and LOCKED in text(response)
    assert not logged_in(right)

    frozen.move(wait_of(response))                 # not forever: the wait ends
    assert attempt(right, owner.login, PASSWORD).status_code == 302
    assert logged_in(right)


def test_each_further_failure_doubles_the_wait_up_to_the_cap(app, owner, frozen):
    waits, checked = [], 0
    for n in range(40):                          # a new address each time: not the address limit
        response = attempt(from_address(app, f"203.0.113.{n + 1}"), owner.login)
        if response.status_code == 429:
            waits.append(wait_of(response))
            frozen.move(waits[-1])               # wait exactly as long as told
        else:
            checked += 1
        if len(waits) == 11:
            break
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert waits[-1] == app.extensions["matchmaker"].settings.login_max_delay_seconds
    assert checked == 5 + len(waits)             # after each wait, one more guess is checked


def test_the_owners_own_browser_is_never_locked_out(app, owner, frozen):
    """A stranger's guesses block the account; the browser that logged in before (device
    cookie) still logs in at once, and gets its own back-off when it guesses wrong."""
    mine = from_address(app, "192.0.2.10")
    assert login(mine, owner.login).status_code == 302
    assert mine.get_cookie("mm_device", path="/login") is not None
    post_form(mine, "/logout", {}, token_page="/")
    attacker = from_address(app, "203.0.113.66")
    for _ in range(10):
        attempt(attacker, owner.login)
    assert attempt(from_address(app, "198.51.100.1"), owner.login, PASSWORD).status_code == 429
    assert attempt(mine, owner.login, PASSWORD).status_code == 302
    assert logged_in(mine)
    post_form(mine, "/logout", {}, token_page="/")
    codes = [attempt(mine, owner.login).status_code for _ in range(7)]
    assert codes == [200] * 6 + [429]          # the device cookie is no free pass either


def test_a_forged_or_foreign_device_cookie_is_ignored(app, owner, frozen, session, fast_hashing):
    other = make_user(session, make_org(session, OrgKind.UNIVERSITY))
    session.commit()
    attacker = from_address(app, "203.0.113.77")
    assert login(attacker, other.login).status_code == 302      # a genuine cookie, for *its* account
    post_form(attacker, "/logout", {}, token_page="/")
    codes = [attempt(attacker, owner.login).status_code for _ in range(7)]
    assert codes == [200] * 6 + [429]           # counted on the owner's account
    forger = from_address(app, "203.0.113.78")
    forger.set_cookie("mm_device", "eyJhIjoiMSJ9.forged.signature", path="/login")
    assert attempt(forger, owner.login).status_code == 429


def test_unknown_logins_get_the_same_answers(app, frozen, owner):
    """Nothing tells a guessed login that exists from one that does not."""
    client = from_address(app, "203.0.113.90")
    unknown = [attempt(client, "nobody@example.com").status_code for _ in range(7)]
    client = from_address(app, "203.0.113.91")
    known = [attempt(client, owner.login).status_code for _ in range(7)]
    assert unknown == known == [200] * 6 + [429]


def test_parallel_guesses_cannot_share_one_slot(runtime):
    """Sixteen attempts at the same instant, each in its own session and thread: exactly the
    free ones and the one that starts the back-off are let through."""
    policy, key, allowed = Policy(free=3), account_key("target@example.com"), []
    barrier = threading.Barrier(16)

    def guess() -> None:
        with runtime.session_factory() as s:
            barrier.wait(timeout=30)
            verdict = begin_attempt(s, key, policy, T0)
            s.commit()
            allowed.append(verdict.allowed)
    threads = [threading.Thread(target=guess) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(allowed) == [False] * 12 + [True] * 4


def test_the_counter_resets_on_success_and_old_counters_are_pruned(session):
    policy, key = Policy(free=1), account_key("Someone@Example.com ")
    assert key == account_key("someone@example.com")
    assert begin_attempt(session, key, policy, T0).allowed
    assert begin_attempt(session, key, policy, T0).allowed          # the 2nd starts the wait
    assert begin_attempt(session, key, policy, T0) == login_throttle.Verdict(False, 2)
    succeeded(session, key)
    assert begin_attempt(session, key, policy, T0).allowed
    session.commit()
    assert login_throttle.prune(session, T0 + timedelta(hours=23)) == 0
    assert login_throttle.prune(session, T0 + timedelta(days=2)) == 1
    assert session.query(LoginThrottle).count() == 0


# -- registration -------------------------------------------------------------------------------

def registration(n: int, **overrides) -> dict:
    data = {"kind": "enterprise", "name": f"注册节流测试企业{n}有限公司",
            "credit_code": valid_credit_code(880000 + n), "region": "乌鲁木齐市", "address": "",
            "contact_name": "张三", "contact_phone": "13800000000",
            "login": f"reg{n}@example.com", "password": "Tq8-ruby-lake", "password_confirm": "Tq8-ruby-lake",
            "display_name": "张三"}
    data.update(overrides)
    return data


def test_registrations_are_throttled_per_address(app, fast_hashing):
    limit = int(app.extensions["matchmaker"].settings.register_rate_limit.split()[0])
    client = from_address(app, "203.0.113.200")
    # a form sent back with field errors costs nothing
    assert post_form(client, "/register", registration(0, credit_code="")).status_code == 200
    for n in range(1, limit + 1):
        assert post_form(client, "/register", registration(n)).status_code == 302, n
    refused = post_form(client, "/register", registration(limit + 1))
    assert refused.status_code == 429 and "操作过于频繁" in text(refused)
    other = from_address(app, "203.0.113.201")
    assert post_form(other, "/register", registration(limit + 2)).status_code == 302


def test_the_wait_runs_on_real_time_even_with_a_pinned_business_date(monkeypatch):
    """MATCHMAKER_TODAY stops the business clock at one instant; a wait measured on it would
    never end, locking the account for good."""
    from datetime import datetime as real_datetime
    monkeypatch.setenv("MATCHMAKER_TODAY", "2020-01-01")
    assert clock.now().year == 2020
    assert abs(login_throttle.wall_clock() - real_datetime.now(timezone.utc)) < timedelta(minutes=1)
