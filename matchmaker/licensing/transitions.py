"""The deal state machine, written as a table: (from, to) → who may do it and what it needs.

Parties: `owner` (the patent owner's staff), `enterprise` (the licensee's own staff), `broker`
(staff of a station serving the enterprise), `operator`, and `system` (`matchmaker tick`).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models import DealState as S

OWNER, ENTERPRISE, BROKER, OPERATOR, SYSTEM = "owner", "enterprise", "broker", "operator", "system"


@dataclass(frozen=True)
class Transition:
    label: str                       # the button
    parties: frozenset[str]
    needs_value: bool = False        # contract value (paid licence, transfer)
    starts_free: bool = False        # starts the free period (offer must have one)


def _t(label: str, *parties: str, **kw) -> Transition:
    return Transition(label, frozenset(parties), **kw)


TRANSITIONS: dict[tuple[S, S], Transition] = {
    (S.REQUESTED, S.NEGOTIATING): _t("开始洽谈", OWNER, BROKER, OPERATOR),
    (S.REQUESTED, S.DECLINED): _t("拒绝申请", OWNER, OPERATOR),
    (S.REQUESTED, S.TERMINATED): _t("撤回申请", ENTERPRISE, BROKER, OPERATOR),
    (S.NEGOTIATING, S.FREE_ACTIVE): _t("开始免费许可", OWNER, BROKER, OPERATOR, starts_free=True),
    (S.NEGOTIATING, S.CONVERTED): _t("直接签订有偿许可", OWNER, BROKER, OPERATOR, needs_value=True),
    (S.NEGOTIATING, S.TRANSFERRED): _t("签订转让合同", OWNER, BROKER, OPERATOR, needs_value=True),
    (S.NEGOTIATING, S.DECLINED): _t("拒绝", OWNER, OPERATOR),
    (S.NEGOTIATING, S.TERMINATED): _t("放弃", ENTERPRISE, BROKER, OPERATOR),
    (S.FREE_ACTIVE, S.CONVERSION_DUE): _t("免费期结束，进入转化", OWNER, BROKER, OPERATOR, SYSTEM),
    (S.FREE_ACTIVE, S.CONVERTED): _t("提前转为有偿许可", OWNER, BROKER, OPERATOR, needs_value=True),
    (S.FREE_ACTIVE, S.TRANSFERRED): _t("提前转为转让", OWNER, BROKER, OPERATOR, needs_value=True),
    (S.FREE_ACTIVE, S.TERMINATED): _t("终止许可", OWNER, ENTERPRISE, BROKER, OPERATOR),
    (S.CONVERSION_DUE, S.CONVERTED): _t("转为有偿许可", OWNER, BROKER, OPERATOR, needs_value=True),
    (S.CONVERSION_DUE, S.TRANSFERRED): _t("转为转让", OWNER, BROKER, OPERATOR, needs_value=True),
    (S.CONVERSION_DUE, S.LAPSED): _t("不再转化", OWNER, ENTERPRISE, BROKER, OPERATOR),
    (S.CONVERSION_DUE, S.TERMINATED): _t("终止", OWNER, OPERATOR),
    (S.CONVERTED, S.TERMINATED): _t("终止有偿许可", OWNER, OPERATOR, SYSTEM),   # system: term over
}

TERMINAL = frozenset({S.DECLINED, S.LAPSED, S.TERMINATED, S.TRANSFERRED})
OPEN_STATES = frozenset(S) - TERMINAL - {S.CONVERTED}
# Licences count from the first of these (KPI "licences per year").
LICENCE_GRANTED = frozenset({S.FREE_ACTIVE, S.CONVERTED})
PAID = frozenset({S.CONVERTED, S.TRANSFERRED})
PIPELINE = (S.REQUESTED, S.NEGOTIATING, S.FREE_ACTIVE, S.CONVERSION_DUE, S.CONVERTED,
            S.TRANSFERRED, S.LAPSED, S.DECLINED, S.TERMINATED)


# A licence that runs by itself (a free period, a paid licence): nobody has to act on it.
RUNNING = frozenset({S.FREE_ACTIVE, S.CONVERTED})
GIVING_UP = frozenset({S.DECLINED, S.TERMINATED})


def waiting_states(party: str) -> frozenset[S]:
    """States in which a deal waits for `party`: it has a step other than giving up the deal.

    The owner and the broker move a request on, sign, and record the conversion; the enterprise
    decides at the end of the free period whether to convert (a withdrawal is no decision
    anybody waits for).

    >>> sorted(s.value for s in waiting_states(OWNER)), sorted(s.value for s in waiting_states(ENTERPRISE))
    (['conversion_due', 'negotiating', 'requested'], ['conversion_due'])
    """
    return frozenset(frm for (frm, to), t in TRANSITIONS.items()
                     if party in t.parties and frm not in RUNNING and to not in GIVING_UP)


def allowed(from_state: S, to_state: S) -> Transition | None:
    return TRANSITIONS.get((from_state, to_state))


def next_steps(from_state: S, parties: set[str]) -> list[tuple[S, Transition]]:
    """The transitions these parties may take from `from_state`, in table order."""
    return [(to, t) for (frm, to), t in TRANSITIONS.items()
            if frm == from_state and t.parties & parties and parties != {SYSTEM}
            and not (t.parties == {SYSTEM})]
