"""Process entry points for the fault tests (importable, so the "spawn" context can run them).

Each process builds its own runtime from the pickled settings: separate engines, connections
and sessions, real commits, as two web or worker processes of one deployment.
"""
from __future__ import annotations

import dataclasses
import os
from datetime import date


def race_transitions(settings, plan: list[tuple[int, int, int, str, str]], today: date,
                     barrier, results) -> None:
    """For each (deal_id, version seen, acting user id, target state, contract value): load
    the deal, wait for the other process to have loaded it too, then transition with that
    version and commit.
    Reports [(deal_id, "won" | "conflict:<message>" | "error:<...>")] on `results`."""
    from matchmaker.errors import Conflict
    from matchmaker.licensing.deals import StepInput, transition
    from matchmaker.models import Deal, DealState, User
    from matchmaker.runtime import build_runtime

    rt = build_runtime(dataclasses.replace(settings, index_on_commit=False))
    outcomes: list[tuple[int, str]] = []
    try:
        for deal_id, version, user_id, to_state, value in plan:
            with rt.session_factory() as session:
                actor = session.get(User, user_id)
                deal = session.get(Deal, deal_id)
                _ = (actor.organization.kind, deal.patent.owner_id, deal.offer_id)
                seen = deal.version
                barrier.wait(timeout=60)            # both hold the same version now
                if seen != version:
                    outcomes.append((deal_id, f"error:saw version {seen}, expected {version}"))
                    continue
                try:
                    transition(session, actor, deal_id, DealState(to_state),
                               expected_version=version,
                               step=StepInput(contract_value_wan=value), today=today)
                    session.commit()
                    outcomes.append((deal_id, "won"))
                except Conflict as exc:
                    session.rollback()
                    outcomes.append((deal_id, f"conflict:{exc.message}"))
                except Exception as exc:  # reported, so the test shows what went wrong
                    session.rollback()
                    outcomes.append((deal_id, f"error:{type(exc).__name__}: {exc}"))
    finally:
        results.put((os.getpid(), outcomes))
        rt.dispose()
