"""The deal state machine, written as a table: (from, to) → who may take (or propose) the step,
whose agreement it needs, and what it needs.

Parties: `owner` (the patent owner's staff: the licensor), `enterprise` (the licensee's own
staff), `broker` (staff of a station serving the enterprise), `operator`, and `system`
(`matchmaker tick`). Brokers and operators facilitate: they may propose a step that binds the
licensor or the licensee, but only those parties' own staff can agree to it (`consent`).

Open licences (开放许可): the licensor published its terms, so a request meeting them cannot be
declined, and the licence takes effect when the licensee records its written notice and payment;
the published terms stand for the licensor's agreement (`published_terms`).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..models import DealState as S
from ..models import LicenceType

OWNER, ENTERPRISE, BROKER, OPERATOR, SYSTEM = "owner", "enterprise", "broker", "operator", "system"
# The two sides of a contract; the other parties only facilitate.
SIDES = (OWNER, ENTERPRISE)
SIDE_LABELS = {OWNER: "许可方", ENTERPRISE: "被许可方"}


@dataclass(frozen=True)
class Transition:
    label: str                       # the button
    parties: frozenset[str]          # who may take the step, or propose it when it needs consent
    needs_value: bool = False        # contract value (paid licence, transfer)
    starts_free: bool = False        # starts the free period (offer must have one)
    consent: frozenset[str] = frozenset()   # sides whose own staff must agree (OWNER, ENTERPRISE)
    published_terms: bool = False    # an open licence's published terms are the licensor's consent
    open_only: bool = False          # only for open licences: the licensee's notice (and payment)
    declines: bool = False           # refuses the request: never for an open licence

    def applies_to(self, licence_type: LicenceType) -> bool:
        """Whether the row exists for a deal of this licence type."""
        is_open = licence_type == LicenceType.OPEN
        return not (self.open_only and not is_open) and not (self.declines and is_open)

    def consent_for(self, licence_type: LicenceType) -> frozenset[str]:
        """The sides that must agree for a deal of this licence type."""
        if self.published_terms and licence_type == LicenceType.OPEN:
            return self.consent - {OWNER}
        return self.consent


def _t(label: str, *parties: str, **kw) -> Transition:
    if "consent" in kw:
        kw["consent"] = frozenset(kw["consent"])
    return Transition(label, frozenset(parties), **kw)


LICENSOR_ONLY = (OWNER,)
BOTH = (OWNER, ENTERPRISE)
PROPOSERS = (OWNER, ENTERPRISE, BROKER, OPERATOR)

TRANSITIONS: dict[tuple[S, S], Transition] = {
    (S.REQUESTED, S.NEGOTIATING): _t("开始洽谈", OWNER, BROKER, OPERATOR),
    (S.REQUESTED, S.FREE_ACTIVE): _t("递交书面通知，开始免费许可", ENTERPRISE, BROKER,
                                     starts_free=True, open_only=True),
    (S.REQUESTED, S.CONVERTED): _t("递交书面通知并付费", ENTERPRISE, BROKER, needs_value=True,
                                   open_only=True, consent=(ENTERPRISE,)),
    (S.REQUESTED, S.DECLINED): _t("拒绝申请", OWNER, OPERATOR, declines=True),
    (S.REQUESTED, S.TERMINATED): _t("撤回申请", ENTERPRISE, BROKER, OPERATOR),
    (S.NEGOTIATING, S.FREE_ACTIVE): _t("开始免费许可", *PROPOSERS, starts_free=True,
                                       consent=LICENSOR_ONLY, published_terms=True),
    (S.NEGOTIATING, S.CONVERTED): _t("直接签订有偿许可", *PROPOSERS, needs_value=True,
                                     consent=BOTH, published_terms=True),
    (S.NEGOTIATING, S.TRANSFERRED): _t("签订转让合同", *PROPOSERS, needs_value=True, consent=BOTH),
    (S.NEGOTIATING, S.DECLINED): _t("拒绝", OWNER, OPERATOR, declines=True),
    (S.NEGOTIATING, S.TERMINATED): _t("放弃", ENTERPRISE, BROKER, OPERATOR),
    (S.FREE_ACTIVE, S.CONVERSION_DUE): _t("免费期结束，进入转化", OWNER, BROKER, OPERATOR, SYSTEM),
    (S.FREE_ACTIVE, S.CONVERTED): _t("提前转为有偿许可", *PROPOSERS, needs_value=True,
                                     consent=BOTH, published_terms=True),
    (S.FREE_ACTIVE, S.TRANSFERRED): _t("提前转为转让", *PROPOSERS, needs_value=True, consent=BOTH),
    (S.FREE_ACTIVE, S.TERMINATED): _t("终止许可", OWNER, ENTERPRISE, BROKER, OPERATOR),
    (S.CONVERSION_DUE, S.CONVERTED): _t("转为有偿许可", *PROPOSERS, needs_value=True,
                                        consent=BOTH, published_terms=True),
    (S.CONVERSION_DUE, S.TRANSFERRED): _t("转为转让", *PROPOSERS, needs_value=True, consent=BOTH),
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
    """States in which a deal waits for `party`: it has a step other than giving up the deal
    (a withdrawal is no decision anybody waits for). The 工作台 uses it for brokers, who move
    deals on; licensor and licensee wait on proposals to confirm (licensing/consent.py).

    >>> sorted(s.value for s in waiting_states(BROKER))
    ['conversion_due', 'negotiating', 'requested']
    """
    return frozenset(frm for (frm, to), t in TRANSITIONS.items()
                     if party in t.parties and frm not in RUNNING and to not in GIVING_UP)


def allowed(from_state: S, to_state: S) -> Transition | None:
    return TRANSITIONS.get((from_state, to_state))


def next_steps(from_state: S, parties: set[str], licence_type: LicenceType | None = None
               ) -> list[tuple[S, Transition]]:
    """The transitions these parties may take (or propose) from `from_state`, in table order;
    with a licence type, only the rows that exist for it."""
    return [(to, t) for (frm, to), t in TRANSITIONS.items()
            if frm == from_state and t.parties & parties and parties != {SYSTEM}
            and not (t.parties == {SYSTEM})
            and (licence_type is None or t.applies_to(licence_type))]
