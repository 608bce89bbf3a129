"""Pushing matches both ways: new suggestions to the enterprise and its brokers, newly listed
patents to the enterprises whose open needs they may solve (and a note to the owner)."""
from __future__ import annotations

import pytest

from matchmaker.catalog.station_links import link_station_client
from matchmaker.jobs.worker import run_until_empty
from matchmaker.matching import matches
from matchmaker.matching.matches import (Reaction, react, refresh_need_matches,
                                         refresh_patent_matches)
from matchmaker.matching.service import (need_profile, needs_for_profile, patent_profile,
                                         patents_for_profile)
from matchmaker.matching.triggers import SKIP_KEY
from matchmaker.models import ListingState, MatchState, NeedState, Notification, OrgKind
from matchmaker.notifications import find_notifications, mark_read, unread_count
from tests.factories import make_need, make_org, make_user

from .helpers import NEED_TEXT, add_corpus, corpus_patent, count, jobs, match_rows, notifications_of


class People:
    """An enterprise with two active users and one inactive, the broker of a station serving it,
    the broker of a station that does not, and a university with one user."""

    def __init__(self, session):
        self.enterprise = make_org(session, OrgKind.ENTERPRISE)
        self.users = [make_user(session, self.enterprise), make_user(session, self.enterprise)]
        self.inactive = make_user(session, self.enterprise, is_active=False)
        serving = make_org(session, OrgKind.STATION)
        link_station_client(session, serving, self.enterprise)
        self.broker = make_user(session, serving)
        elsewhere = make_org(session, OrgKind.STATION)
        link_station_client(session, elsewhere, make_org(session, OrgKind.ENTERPRISE))
        self.other_broker = make_user(session, elsewhere)
        self.uni = make_org(session, OrgKind.UNIVERSITY)
        self.uni_user = make_user(session, self.uni)
        self.outsider = make_user(session, make_org(session, OrgKind.ENTERPRISE))

    @property
    def audience(self):
        return self.users + [self.broker]

    @property
    def bystanders(self):
        return [self.inactive, self.other_broker, self.uni_user, self.outsider]


@pytest.fixture
def people(session):
    session.info[SKIP_KEY] = True    # these tests call the refresh functions themselves
    p = People(session)
    session.commit()
    return p


def need_for(session, people, key, **overrides):
    title, body = NEED_TEXT[key]
    need = make_need(session, people.enterprise, title=title, description=body, **overrides)
    session.commit()
    return need


def test_new_matches_are_pushed_to_the_enterprise_and_its_brokers(runtime, session, people):
    patents = add_corpus(session, people.uni)
    session.commit()
    need = need_for(session, people, "cathode")
    refresh_need_matches(session, runtime.search, need.id)
    session.commit()

    for user in people.audience:
        [note] = notifications_of(session, user)
        assert note.kind == "need_matches"
        assert note.link == f"/matches/need/{need.id}"
        assert need.title[:10] in note.title
        assert patents["cathode"].title[:20] in note.body
        assert unread_count(session, user) == 1
    for user in people.bystanders:
        assert notifications_of(session, user) == []
        assert unread_count(session, user) == 0

    # refreshing again pushes nothing new
    refresh_need_matches(session, runtime.search, need.id)
    session.commit()
    assert all(unread_count(session, u) == 1 for u in people.audience)
    # reading clears the count for that user only
    user = people.users[0]
    assert mark_read(session, user) == 1
    session.commit()
    assert unread_count(session, user) == 0
    assert unread_count(session, people.users[1]) == 1
    rows, total = find_notifications(session, user)
    assert total == 1 and rows[0].read_at is not None


def test_notification_counts_only_new_matches_above_threshold(runtime, session, people,
                                                              monkeypatch):
    add_corpus(session, people.uni)
    session.commit()
    need = need_for(session, people, "cathode")
    ranked = patents_for_profile(session, runtime.search, need_profile(need))
    assert len(ranked) >= 2
    top, second = ranked[0].match.score, ranked[1].match.score
    assert top > second
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", (top + second) / 2)
    refresh_need_matches(session, runtime.search, need.id)
    session.commit()
    [note] = notifications_of(session, people.users[0])
    assert "有 1 项新的专利推荐" in note.title
    assert len(match_rows(session, need.id)) == len(ranked)   # everything is still stored


def test_below_threshold_matches_are_stored_but_not_pushed(runtime, session, people, monkeypatch):
    add_corpus(session, people.uni)
    session.commit()
    need = need_for(session, people, "film")
    monkeypatch.setattr(matches, "RECOMMEND_THRESHOLD", 100.01)
    rows = refresh_need_matches(session, runtime.search, need.id)
    session.commit()
    assert rows
    assert count(session, Notification) == 0


def test_need_without_matches_pushes_nothing(runtime, session, people):
    add_corpus(session, people.uni)
    session.commit()
    need = make_need(session, people.enterprise, title="周末看电影吃火锅", description="听音乐唱歌跳舞")
    session.commit()
    assert refresh_need_matches(session, runtime.search, need.id) == []
    session.commit()
    assert count(session, Notification) == 0


def test_boilerplate_overlap_is_not_pushed(runtime, session, people):
    """A hot-pot seasoning need shares only the boilerplate 制备方法 with the film patent. It may
    be stored as a suggestion, but it must not be pushed as a recommendation.

    Today retrieval is normalized to the best hit (weight 0.45), so the best hit of any need
    starts high, perhaps above RECOMMEND_THRESHOLD, however weak the overlap.
    """
    add_corpus(session, people.uni)
    session.commit()
    need = make_need(session, people.enterprise, title="火锅底料配方",
                     description="一种火锅底料的制备方法", industry="农产品加工")
    session.commit()
    rows = refresh_need_matches(session, runtime.search, need.id)
    session.commit()
    assert count(session, Notification) == 0, [(r.patent.title, r.score) for r in rows]


# -- patent side -----------------------------------------------------------------------------

@pytest.fixture
def needs(session, people):
    """Open needs of three enterprises (one closed), created without matching jobs."""
    film_ent = make_org(session, OrgKind.ENTERPRISE)
    film_user = make_user(session, film_ent)
    closed_ent = make_org(session, OrgKind.ENTERPRISE)
    closed_user = make_user(session, closed_ent)
    title, body = NEED_TEXT["cathode"]
    out = dict(
        cathode=make_need(session, people.enterprise, title=title, description=body),
        film=make_need(session, film_ent, title=NEED_TEXT["film"][0], description=NEED_TEXT["film"][1]),
        closed=make_need(session, closed_ent, title=title, description=body, state=NeedState.CLOSED),
        film_user=film_user, closed_user=closed_user)
    session.commit()
    session.info.pop(SKIP_KEY)
    assert jobs(session) == []
    return out


def test_listing_a_patent_notifies_enterprises_with_matching_needs(runtime, session, people, needs):
    patent = corpus_patent(session, people.uni, "cathode", listing_state=ListingState.DRAFT)
    session.commit()
    assert jobs(session) == []                       # a draft is nobody's business yet
    patent.listing_state = ListingState.LISTED
    session.commit()
    [job] = jobs(session)
    assert (job.kind, job.payload) == ("match_patent", {"patent_id": patent.id})

    assert run_until_empty(runtime) == 1
    [job] = jobs(session)
    assert job.state == "done", job.last_error
    session.expire_all()

    for user in people.audience:
        [note] = notifications_of(session, user, "patent_matches")
        assert note.link == f"/matches/need/{needs['cathode'].id}"
        assert note.body == patent.title
    for user in (needs["film_user"], needs["closed_user"], people.inactive, people.other_broker,
                 people.outsider):
        assert notifications_of(session, user) == []
    [owner_note] = notifications_of(session, people.uni_user, "patent_demand")
    assert "有 1 家企业" in owner_note.title
    assert owner_note.link == f"/matches/patent/{patent.id}"
    assert unread_count(session, people.uni_user) == 1

    rows = match_rows(session, needs["cathode"].id)
    assert set(rows) == {patent.id}
    assert rows[patent.id].origin == "patent" and rows[patent.id].state == MatchState.SUGGESTED
    assert match_rows(session, needs["closed"].id) == {}


def test_weak_needs_are_neither_stored_nor_pushed_from_the_patent_side(runtime, session, people,
                                                                         needs):
    patent = corpus_patent(session, people.uni, "cathode")
    session.commit()
    scored = {nm.need.id: nm.match.score
              for nm in needs_for_profile(session, runtime.search, patent_profile(patent))}
    weak = [nid for nid, s in scored.items() if s < matches.RECOMMEND_THRESHOLD]
    assert needs["cathode"].id in scored and weak, scored
    out = refresh_patent_matches(session, runtime.search, patent.id)
    session.commit()
    assert [m.need_id for m in out] == [needs["cathode"].id]
    for nid in weak:
        assert match_rows(session, nid) == {}


def test_patent_refresh_does_not_renotify_or_revive_declined(runtime, session, people, needs):
    patent = corpus_patent(session, people.uni, "cathode")
    session.commit()
    run_until_empty(runtime)
    session.expire_all()
    [row] = match_rows(session, needs["cathode"].id).values()
    react(session, people.users[0], row.id, Reaction(MatchState.DECLINED, "not_mature"))
    session.commit()
    before = {u.id: unread_count(session, u) for u in people.audience}
    refresh_patent_matches(session, runtime.search, patent.id)
    session.commit()
    assert {u.id: unread_count(session, u) for u in people.audience} == before
    assert match_rows(session, needs["cathode"].id)[patent.id].state == MatchState.DECLINED


def test_declining_the_best_need_does_not_promote_a_weak_one(runtime, session, people, needs):
    """The film need is a weak match for a cathode patent (below the threshold, so not pushed).
    Once the cathode need declined the patent, the film need must stay weak; today it becomes
    the best remaining hit, its retrieval is re-normalized to 1.0 and it is pushed."""
    patent = corpus_patent(session, people.uni, "cathode")
    session.commit()
    run_until_empty(runtime)
    session.expire_all()
    assert match_rows(session, needs["film"].id) == {}
    [row] = match_rows(session, needs["cathode"].id).values()
    react(session, people.users[0], row.id, Reaction(MatchState.DECLINED, "not_mature"))
    session.commit()
    out = refresh_patent_matches(session, runtime.search, patent.id)
    session.commit()
    assert [(m.need_id, m.score) for m in out] == []
    assert notifications_of(session, needs["film_user"]) == []


def test_owner_is_told_once_not_on_every_refresh(runtime, session, people, needs):
    patent = corpus_patent(session, people.uni, "cathode")
    session.commit()
    for _ in range(2):
        refresh_patent_matches(session, runtime.search, patent.id)
        session.commit()
    assert len(notifications_of(session, people.users[0], "patent_matches")) == 1
    assert len(notifications_of(session, people.uni_user, "patent_demand")) == 1


def test_unlisted_patent_refresh_does_nothing(runtime, session, people, needs):
    patent = corpus_patent(session, people.uni, "cathode", listing_state=ListingState.WITHDRAWN)
    session.commit()
    assert refresh_patent_matches(session, runtime.search, patent.id) == []
    assert refresh_patent_matches(session, runtime.search, 999_999) == []
    assert count(session, Notification) == 0


def test_owner_is_told_how_many_enterprises_not_needs(runtime, session, people, needs):
    """Two matching needs of the same enterprise are one interested enterprise."""
    title, body = NEED_TEXT["cathode"]
    make_need(session, people.enterprise, title="动力电池正极材料包覆改性", description=body)
    session.commit()
    patent = corpus_patent(session, people.uni, "cathode")
    session.commit()
    out = refresh_patent_matches(session, runtime.search, patent.id)
    session.commit()
    assert len({m.need_id for m in out}) == 2
    [owner_note] = notifications_of(session, people.uni_user, "patent_demand")
    assert "有 1 家企业" in owner_note.title, owner_note.title
