"""Stored matches and the enterprise's reactions: interested, viewed, declined with a reason."""
from __future__ import annotations

import pytest

from matchmaker.catalog.station_links import link_station_client
from matchmaker.errors import NotFound, PermissionDenied, ValidationError
from matchmaker.matching.matches import (Reaction, decline_summary, match_counts, need_matches,
                                         patent_matches, react, recommended, refresh_need_matches,
                                         station_matches)
from matchmaker.models import DeclineReason, MatchState, Need, OrgKind
from tests.factories import make_need, make_org, make_user

from .helpers import NEED_TEXT, add_corpus, corpus_patent, match_rows


class World:
    """Two universities' battery patents, one enterprise with a battery need, and bystanders."""

    def __init__(self, runtime, session):
        self.runtime, self.session = runtime, session
        self.uni = make_org(session, OrgKind.UNIVERSITY)
        self.patents = add_corpus(session, self.uni)
        # a second, slightly different cathode patent so the need has several battery matches
        self.cathode2 = corpus_patent(session, self.uni, "cathode",
                                      title="锂离子电池三元正极材料的包覆改性方法")
        self.enterprise = make_org(session, OrgKind.ENTERPRISE)
        self.user = make_user(session, self.enterprise)
        self.station = make_org(session, OrgKind.STATION)
        link_station_client(session, self.station, self.enterprise)
        self.broker = make_user(session, self.station)
        self.other_enterprise = make_org(session, OrgKind.ENTERPRISE)
        self.stranger = make_user(session, self.other_enterprise)
        self.operator = make_user(session, make_org(session, OrgKind.OPERATOR))
        self.uni_user = make_user(session, self.uni)
        self.other_uni_user = make_user(session, make_org(session, OrgKind.UNIVERSITY))
        title, body = NEED_TEXT["cathode"]
        self.need = make_need(session, self.enterprise, title=title, description=body)
        session.commit()

    def refresh(self):
        rows = refresh_need_matches(self.session, self.runtime.search, self.need.id)
        self.session.commit()
        return rows

    def row_for(self, patent):
        return match_rows(self.session, self.need.id)[patent.id]


@pytest.fixture
def world(runtime, session):
    return World(runtime, session)


def test_refresh_stores_ranked_matches(world):
    rows = world.refresh()
    assert rows, "the need must find patents"
    assert rows[0].patent_id in {world.patents["cathode"].id, world.cathode2.id}
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    stored = match_rows(world.session, world.need.id)
    assert set(stored) == {r.patent_id for r in rows}
    top = stored[rows[0].patent_id]
    assert top.state == MatchState.SUGGESTED and top.origin == "need"
    assert top.breakdown and top.signals and top.matched_terms
    assert top.score == pytest.approx(sum(top.breakdown.values()), abs=0.011)
    # refreshing again is idempotent: same pairs, no duplicates
    again = world.refresh()
    assert sorted(r.patent_id for r in again) == sorted(stored)
    assert len(match_rows(world.session, world.need.id)) == len(stored)


def test_declined_patent_is_never_suggested_again_but_the_row_is_kept(world):
    world.refresh()
    target = world.row_for(world.patents["cathode"])
    declined = react(world.session, world.user, target.id,
                     Reaction(MatchState.DECLINED, DeclineReason.TOO_EXPENSIVE.value, " 太贵了 "))
    world.session.commit()
    assert declined.state == MatchState.DECLINED
    assert declined.decline_reason == DeclineReason.TOO_EXPENSIVE
    assert declined.decline_note == "太贵了"
    assert declined.decided_by_id == world.user.id
    old_score = declined.score

    world.refresh()
    row = world.row_for(world.patents["cathode"])
    assert row.id == target.id
    assert row.state == MatchState.DECLINED
    assert row.decline_reason == DeclineReason.TOO_EXPENSIVE
    assert row.score == old_score
    # declined rows are not counted as recommendations, however strong
    assert recommended(row.confidence)
    assert match_counts(world.session, [world.need.id]).get(world.need.id, 0) == sum(
        1 for m in match_rows(world.session, world.need.id).values()
        if m.state != MatchState.DECLINED and recommended(m.confidence))


def test_declined_pair_stays_out_even_after_the_need_is_edited(world):
    world.refresh()
    target = world.row_for(world.patents["cathode"])
    react(world.session, world.user, target.id, Reaction(MatchState.DECLINED, "not_mature"))
    world.session.commit()
    need = world.session.get(Need, world.need.id)
    need.title = "锂离子电池正极材料"
    world.session.commit()
    world.refresh()
    rows = match_rows(world.session, world.need.id)
    assert rows[world.patents["cathode"].id].state == MatchState.DECLINED


def test_untouched_suggestions_that_drop_out_are_deleted_reactions_stay(world):
    world.refresh()
    interested = world.row_for(world.patents["cathode"])
    react(world.session, world.user, interested.id, Reaction(MatchState.INTERESTED))
    world.session.commit()
    untouched = world.row_for(world.cathode2)
    assert untouched.state == MatchState.SUGGESTED

    need = world.session.get(Need, world.need.id)
    need.title, need.description = NEED_TEXT["film"]
    world.session.commit()
    world.refresh()
    rows = match_rows(world.session, world.need.id)
    assert world.cathode2.id not in rows            # untouched and no longer relevant: gone
    assert rows[world.patents["cathode"].id].state == MatchState.INTERESTED   # kept
    assert world.patents["film"].id in rows


@pytest.mark.parametrize("reason, note", [("", ""), ("bogus", ""), ("NOT_MATURE", ""),
                                          ("other", "x" * 1001)])
def test_decline_needs_a_valid_reason_and_changes_nothing_otherwise(world, reason, note):
    world.refresh()
    target = world.row_for(world.patents["cathode"])
    with pytest.raises(ValidationError):
        react(world.session, world.user, target.id, Reaction(MatchState.DECLINED, reason, note))
    world.session.rollback()
    row = world.row_for(world.patents["cathode"])
    assert row.state == MatchState.SUGGESTED
    assert row.decline_reason is None and row.decline_note == "" and row.decided_by_id is None


def test_suggested_is_not_a_reaction(world):
    world.refresh()
    target = world.row_for(world.patents["cathode"])
    with pytest.raises(ValidationError):
        react(world.session, world.user, target.id, Reaction(MatchState.SUGGESTED))


def test_decline_summary_counts_reasons(world):
    world.refresh()
    rows = sorted(match_rows(world.session, world.need.id).values(), key=lambda m: m.id)
    assert len(rows) >= 3
    reasons = ["not_our_field", "not_our_field", "too_expensive"]
    for row, reason in zip(rows, reasons):
        react(world.session, world.user, row.id, Reaction(MatchState.DECLINED, reason))
    world.session.commit()
    all_rows = list(match_rows(world.session, world.need.id).values())
    summary = decline_summary(all_rows)
    assert summary == {DeclineReason.NOT_OUR_FIELD.label: 2, DeclineReason.TOO_EXPENSIVE.label: 1}
    assert decline_summary([]) == {}


def test_viewing_never_downgrades_a_decision(world):
    world.refresh()
    a = world.row_for(world.patents["cathode"])
    b = world.row_for(world.cathode2)
    assert react(world.session, world.user, a.id, Reaction(MatchState.VIEWED)).state == MatchState.VIEWED
    react(world.session, world.user, a.id, Reaction(MatchState.INTERESTED))
    assert react(world.session, world.user, a.id, Reaction(MatchState.VIEWED)).state == \
        MatchState.INTERESTED
    react(world.session, world.user, b.id, Reaction(MatchState.DECLINED, "other"))
    assert react(world.session, world.user, b.id, Reaction(MatchState.VIEWED)).state == \
        MatchState.DECLINED
    world.session.commit()
    assert world.row_for(world.patents["cathode"]).state == MatchState.INTERESTED
    assert world.row_for(world.cathode2).state == MatchState.DECLINED


def test_requested_match_cannot_be_changed(world):
    world.refresh()
    a = world.row_for(world.patents["cathode"])
    react(world.session, world.user, a.id, Reaction(MatchState.REQUESTED))
    with pytest.raises(PermissionDenied):
        react(world.session, world.user, a.id, Reaction(MatchState.DECLINED, "other"))


def test_broker_of_a_serving_station_may_react(world):
    world.refresh()
    a = world.row_for(world.patents["cathode"])
    assert react(world.session, world.broker, a.id, Reaction(MatchState.INTERESTED)).decided_by_id \
        == world.broker.id


def test_other_enterprise_gets_not_found(world):
    world.refresh()
    a = world.row_for(world.patents["cathode"])
    with pytest.raises(NotFound):
        react(world.session, world.stranger, a.id, Reaction(MatchState.DECLINED, "other"))
    with pytest.raises(NotFound):
        react(world.session, world.operator, a.id, Reaction(MatchState.INTERESTED))
    with pytest.raises(NotFound):
        need_matches(world.session, world.stranger, world.need.id)
    with pytest.raises(NotFound):
        react(world.session, world.user, 999_999, Reaction(MatchState.VIEWED))
    world.session.rollback()
    assert world.row_for(world.patents["cathode"]).state == MatchState.SUGGESTED


def test_need_matches_for_the_enterprise_its_broker_and_operators(world):
    rows = world.refresh()
    for actor in (world.user, world.broker, world.operator):
        need, listed = need_matches(world.session, actor, world.need.id)
        assert need.id == world.need.id
        assert [m.id for m in listed] == [m.id for m in rows]
    with pytest.raises(NotFound):
        need_matches(world.session, world.user, 999_999)


def test_patent_matches_only_for_the_owner_and_operators(world):
    world.refresh()
    patent = world.patents["cathode"]
    for actor in (world.uni_user, world.operator):
        got, rows = patent_matches(world.session, actor, patent.id)
        assert got.id == patent.id and [m.need_id for m in rows] == [world.need.id]
    for actor in (world.other_uni_user, world.user, world.stranger):
        with pytest.raises(NotFound):
            patent_matches(world.session, actor, patent.id)


def test_station_matches_cover_only_its_clients(world):
    other_need = make_need(world.session, world.other_enterprise, title=NEED_TEXT["film"][0],
                           description=NEED_TEXT["film"][1])
    world.session.commit()
    world.refresh()
    refresh_need_matches(world.session, world.runtime.search, other_need.id)
    world.session.commit()
    rows = station_matches(world.session, world.broker)
    assert rows and {m.need_id for m in rows} == {world.need.id}
    assert station_matches(world.session, world.broker, min_score=101) == []
    with pytest.raises(PermissionDenied):
        station_matches(world.session, world.user)
