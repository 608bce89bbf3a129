"""Matching as the application uses it: ORM objects in, ORM objects with scores out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Need, Patent
from ..search.backend import SearchBackend
from ..semantic.store import NEED, PATENT, VectorStore
from .engine import MatchOptions, ScoredMatch, match_to_needs, match_to_patents
from .profile import Profile, build_profile

MIN_QUERY_CHARS = 2
# Background members a matching job encodes when they lack vectors (about 0.1 s each).
BACKGROUND_TOP_UP = 16


@dataclass(frozen=True)
class PatentMatch:
    patent: Patent
    match: ScoredMatch


@dataclass(frozen=True)
class NeedMatch:
    need: Need
    match: ScoredMatch


def need_profile(need: Need) -> Profile:
    return build_profile(need.title, need.description, industries=[need.industry])


def patent_profile(patent: Patent) -> Profile:
    return build_profile(patent.title, f"{patent.abstract} {patent.first_claim}",
                         industries=patent.industry_tags,
                         ipc_subclasses=[e.subclass for e in patent.ipc_entries])


def need_similarity(session: Session, vectors: VectorStore | None, need: Need):
    """Patents → their similarity by meaning to `need` (None: no semantic stage)."""
    return _stored_similarity(session, vectors, NEED, need.id, PATENT)


def patent_similarity(session: Session, vectors: VectorStore | None, patent: Patent):
    """Needs → their similarity by meaning to `patent`: the same number as the need's side."""
    return _stored_similarity(session, vectors, PATENT, patent.id, NEED)


def text_similarity(session: Session, vectors: VectorStore | None, title: str, text: str):
    """The same for a free text that is not a stored need (`matchmaker match`)."""
    if vectors is None:
        return None
    return vectors.similarity(session, PATENT, vectors.text_vector(title, text),
                              vectors.background(session))


def _stored_similarity(session: Session, vectors: VectorStore | None, kind: str, object_id: int,
                       against: str):
    """For a matching job, which also encodes a few missing members of the background sample
    (BACKGROUND_TOP_UP), so a catalog encoded only on demand gets a background over time."""
    if vectors is None:
        return None
    return vectors.similarity(session, against, vectors.vectors(session, kind, [object_id]).get(object_id),
                              vectors.background(session, top_up=BACKGROUND_TOP_UP))


def patents_for_profile(session: Session, backend: SearchBackend, profile: Profile,
                        options: MatchOptions = MatchOptions(), *, today: date | None = None,
                        exclude: set[int] = frozenset(), similarity=None) -> list[PatentMatch]:
    """Ranked eligible patents for a need profile, loaded from the database in rank order."""
    ranked = match_to_patents(backend, profile, options, today=today, exclude=exclude,
                              similarity=similarity)
    rows = _by_id(session, Patent, [m.doc_id for m in ranked], selectinload(Patent.owner))
    return [PatentMatch(rows[m.doc_id], m) for m in ranked if m.doc_id in rows]


def needs_for_profile(session: Session, backend: SearchBackend, profile: Profile,
                      options: MatchOptions = MatchOptions(), *, today: date | None = None,
                      exclude: set[int] = frozenset(), similarity=None) -> list[NeedMatch]:
    """Ranked open needs for a patent profile."""
    ranked = match_to_needs(backend, profile, options, today=today, exclude=exclude,
                            similarity=similarity)
    rows = _by_id(session, Need, [m.doc_id for m in ranked], selectinload(Need.enterprise))
    return [NeedMatch(rows[m.doc_id], m) for m in ranked if m.doc_id in rows]


def _by_id(session: Session, model, ids: list[int], option) -> dict:
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(model).where(model.id.in_(ids)).options(option))}
