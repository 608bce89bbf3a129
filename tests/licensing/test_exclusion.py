"""Matching leaves out patents under an exclusive or sole licence in force."""
from __future__ import annotations

import pytest

from matchmaker import licensing
from matchmaker.matching import matches
from matchmaker.models import DealState as S
from tests.factories import make_need, make_patent
from tests.licensing.helpers import deal_in, make_offer, step


def provider():
    assert licensing._exclusively_licensed in matches.EXCLUSION_PROVIDERS
    return licensing._exclusively_licensed


def test_install_registers_the_provider_once(runtime):
    # build_runtime (the `runtime` fixture) installs it; installing again adds nothing
    licensing.install()
    licensing.install()
    assert matches.EXCLUSION_PROVIDERS.count(licensing._exclusively_licensed) == 1


@pytest.mark.parametrize("ltype", ["exclusive", "sole"])
@pytest.mark.parametrize("state", [S.FREE_ACTIVE, S.CONVERSION_DUE, S.CONVERTED])
def test_exclusive_or_sole_licence_in_force_excludes_the_patent(session, world, ltype, state):
    deal_in(session, world, state, offer=make_offer(session, world, licence_type=ltype))
    free = make_patent(session, world.university)
    session.commit()
    excluded = provider()(session)
    assert excluded == {world.patent.id}
    assert free.id not in excluded
    need = make_need(session, world.outsider_ent)
    assert world.patent.id in matches._excluded_patents(session, need.id)


@pytest.mark.parametrize("state", [S.REQUESTED, S.NEGOTIATING, S.TRANSFERRED, S.TERMINATED,
                                   S.LAPSED, S.DECLINED])
def test_exclusive_deal_not_in_force_does_not_exclude(session, world, state):
    deal_in(session, world, state, offer=make_offer(session, world, licence_type="exclusive"))
    assert provider()(session) == set()


@pytest.mark.parametrize("ltype, extra", [
    ("ordinary", {}),
    ("open", dict(fee_standard="每年 1 万元", payment_method="转账")),
])
def test_other_licences_in_force_do_not_exclude(session, world, ltype, extra):
    deal_in(session, world, S.CONVERTED, offer=make_offer(session, world, licence_type=ltype, **extra))
    assert provider()(session) == set()


def test_exclusion_ends_with_the_licence(session, world):
    deal = deal_in(session, world, S.CONVERTED,
                   offer=make_offer(session, world, licence_type="exclusive"))
    assert provider()(session) == {world.patent.id}
    step(session, world.owner, deal, S.TERMINATED)
    assert provider()(session) == set()
