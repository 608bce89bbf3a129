"""Only offerable patents and open needs ever come out of the matcher."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from matchmaker.matching import matches
from matchmaker.matching.engine import MatchOptions, match_to_needs, match_to_patents
from matchmaker.matching.matches import refresh_need_matches, refresh_patent_matches
from matchmaker.matching.profile import build_profile
from matchmaker.matching.service import needs_for_profile, patent_profile
from matchmaker.models import LegalStatus, ListingState, Match, NeedState, OrgKind
from tests.factories import make_need, make_org

from .helpers import NEED_TEXT, corpus_patent, count, match_rows

TODAY = date.today()
HIDDEN = {
    "draft": dict(listing_state=ListingState.DRAFT),
    "withdrawn": dict(listing_state=ListingState.WITHDRAWN),
    "archived": dict(listing_state=ListingState.ARCHIVED),
    "lapsed": dict(legal_status=LegalStatus.LAPSED),
    "pending": dict(legal_status=LegalStatus.PENDING),
    "expired": dict(expiry_date=TODAY - timedelta(days=1)),
}


@pytest.fixture
def cathodes(session):
    """Identical cathode patents: two offerable, the rest hidden for one reason each."""
    uni = make_org(session, OrgKind.UNIVERSITY)
    made = {"valid": corpus_patent(session, uni, "cathode"),
            "unknown_status": corpus_patent(session, uni, "cathode", legal_status=LegalStatus.UNKNOWN),
            "expires_today": corpus_patent(session, uni, "cathode", expiry_date=TODAY),
            "no_expiry": corpus_patent(session, uni, "cathode", expiry_date=None)}
    for name, overrides in HIDDEN.items():
        made[name] = corpus_patent(session, uni, "cathode", **overrides)
    session.commit()
    return {k: p.id for k, p in made.items()}


def cathode_need_profile():
    return build_profile(*NEED_TEXT["cathode"])


def test_hidden_patents_are_never_returned(runtime, cathodes):
    result = match_to_patents(runtime.search, cathode_need_profile(), MatchOptions(top=100),
                              today=TODAY)
    ids = {m.doc_id for m in result}
    assert ids == {cathodes[k] for k in ("valid", "unknown_status", "expires_today", "no_expiry")}


@pytest.mark.parametrize("reason", sorted(HIDDEN))
def test_hidden_patent_is_not_stored_as_a_match(runtime, session, cathodes, reason):
    need = make_need(session, make_org(session), title=NEED_TEXT["cathode"][0],
                     description=NEED_TEXT["cathode"][1])
    session.commit()
    rows = refresh_need_matches(session, runtime.search, need.id, today=TODAY)
    stored = {m.patent_id for m in rows}
    assert cathodes["valid"] in stored
    assert cathodes[reason] not in stored


def test_expiry_is_relative_to_today(runtime, cathodes):
    later = TODAY + timedelta(days=1)
    ids = {m.doc_id for m in match_to_patents(runtime.search, cathode_need_profile(), today=later)}
    assert cathodes["expires_today"] not in ids
    assert cathodes["valid"] in ids


def test_excluded_id_is_skipped(runtime, cathodes):
    excluded = cathodes["valid"]
    result = match_to_patents(runtime.search, cathode_need_profile(), MatchOptions(top=100),
                              today=TODAY, exclude={excluded})
    ids = [m.doc_id for m in result]
    assert excluded not in ids
    assert len(ids) == 3


def test_exclude_does_not_shrink_the_list_below_top(runtime, cathodes):
    """Excluded ids are fetched on top of K, so `top` results still come back."""
    result = match_to_patents(runtime.search, cathode_need_profile(),
                              MatchOptions(top=2, candidates=2), today=TODAY,
                              exclude={cathodes["valid"], cathodes["unknown_status"]})
    assert len(result) == 2


def test_exclusion_provider_keeps_a_patent_out_of_need_matches(runtime, session, cathodes):
    need = make_need(session, make_org(session), title=NEED_TEXT["cathode"][0],
                     description=NEED_TEXT["cathode"][1])
    session.commit()
    refresh_need_matches(session, runtime.search, need.id, today=TODAY)
    session.commit()
    assert cathodes["valid"] in match_rows(session, need.id)
    calls = []

    def licensed_exclusively(s):
        calls.append(s)
        return {cathodes["valid"]}

    matches.EXCLUSION_PROVIDERS.append(licensed_exclusively)
    try:
        rows = refresh_need_matches(session, runtime.search, need.id, today=TODAY)
        session.commit()
    finally:
        matches.EXCLUSION_PROVIDERS.remove(licensed_exclusively)
    assert calls and calls[0] is session
    assert cathodes["valid"] not in {m.patent_id for m in rows}
    # the untouched suggestion it had is removed, the others stay
    stored = match_rows(session, need.id)
    assert cathodes["valid"] not in stored
    assert cathodes["unknown_status"] in stored
    # and with the provider gone it comes back
    refresh_need_matches(session, runtime.search, need.id, today=TODAY)
    session.commit()
    assert cathodes["valid"] in match_rows(session, need.id)


def test_exclusion_provider_keeps_a_patent_from_being_pushed_to_needs(runtime, session):
    """A patent a provider rules out (e.g. exclusively licensed) must not be offered from the
    patent side either: refresh_patent_matches should store and push nothing for it."""
    uni = make_org(session, OrgKind.UNIVERSITY)
    patent = corpus_patent(session, uni, "cathode")
    make_need(session, make_org(session), title=NEED_TEXT["cathode"][0],
              description=NEED_TEXT["cathode"][1])
    session.commit()

    def licensed_exclusively(s):
        return {patent.id}

    matches.EXCLUSION_PROVIDERS.append(licensed_exclusively)
    try:
        out = refresh_patent_matches(session, runtime.search, patent.id, today=TODAY)
        session.flush()
        stored = count(session, Match, Match.patent_id == patent.id)
    finally:
        matches.EXCLUSION_PROVIDERS.remove(licensed_exclusively)
        session.rollback()
    assert out == [] and stored == 0


# -- needs -----------------------------------------------------------------------------------

@pytest.fixture
def cathode_needs(session):
    ent = make_org(session)
    title, body = NEED_TEXT["cathode"]
    made = {"open": make_need(session, ent, title=title, description=body),
            "open_no_expiry": make_need(session, ent, title=title, description=body, valid_until=None),
            "open_expires_today": make_need(session, ent, title=title, description=body,
                                            valid_until=TODAY),
            "open_but_past": make_need(session, ent, title=title, description=body,
                                       valid_until=TODAY - timedelta(days=1))}
    for state in (NeedState.CLOSED, NeedState.EXPIRED, NeedState.SOLVED, NeedState.MATCHED):
        made[state.value] = make_need(session, ent, title=title, description=body, state=state)
    session.commit()
    return {k: n.id for k, n in made.items()}


def test_only_open_unexpired_needs_are_returned(runtime, session, cathode_needs):
    uni = make_org(session, OrgKind.UNIVERSITY)
    patent = corpus_patent(session, uni, "cathode")
    session.commit()
    profile = patent_profile(patent)
    ids = {m.doc_id for m in match_to_needs(runtime.search, profile, MatchOptions(top=100),
                                            today=TODAY)}
    assert ids == {cathode_needs[k] for k in ("open", "open_no_expiry", "open_expires_today")}
    loaded = needs_for_profile(session, runtime.search, profile, MatchOptions(top=100), today=TODAY,
                               exclude={cathode_needs["open"]})
    assert {nm.need.id for nm in loaded} == {cathode_needs["open_no_expiry"],
                                             cathode_needs["open_expires_today"]}


def test_closing_a_need_removes_it_from_matching(runtime, session, cathode_needs):
    from matchmaker.models import Need
    need = session.get(Need, cathode_needs["open"])
    need.state = NeedState.CLOSED
    session.commit()
    patent = corpus_patent(session, make_org(session, OrgKind.UNIVERSITY), "cathode")
    session.commit()
    ids = {m.doc_id for m in match_to_needs(runtime.search, patent_profile(patent),
                                            MatchOptions(top=100), today=TODAY)}
    assert cathode_needs["open"] not in ids
    assert refresh_need_matches(session, runtime.search, cathode_needs["open"]) == []
