"""The organizer's page of one event (kept apart from the routes: it assembles the most)."""
from __future__ import annotations

from flask import render_template

from .. import clock
from ..events import pairs as pr
from ..events import programme as pg
from ..events.figures import event_figures
from ..models import Event, RegistrationState
from ..profiles import service as profiles
from .context import actor, db
from .forms_events import CancelForm, PairForm


def invite_candidates(event: Event) -> list[tuple]:
    """Enterprises the organizer may invite (an operator: all; a station: its clients) that
    are not registered or invited yet, priority enterprises (small, start-up, COVID-hit) first,
    then those in the event's region."""
    taken = {r.organization_id for r in event.registrations if r.state != RegistrationState.CANCELLED}
    year = clock.today().year
    rows = [(o, p) for o, p in profiles.find_enterprises(db(), actor(), profiles.ProfileFilter(), year=year)
            if o.id not in taken]
    rows.sort(key=lambda op: (not profiles.is_priority(op[1], year), op[0].region != event.region,
                              op[0].name))
    return [(o, p, profiles.priority_reasons(p, year)) for o, p in rows[:200]]


def manage_page(event: Event):
    patents, needs = pg.suggestions(db(), event) if event.state in pg.EDITABLE else ([], [])
    more = pg.theme_patents(db(), event, exclude=[s.patent.id for s in patents]) \
        if event.state in pg.EDITABLE else []
    figures = event_figures(db(), [event], as_of=clock.today())[event.id]
    pairs = pr.pair_rows(db(), event)
    return render_template("events/manage.html", event=event, suggested_patents=patents,
                           suggested_needs=needs, theme_patents=more, pairs=pairs, figures=figures,
                           candidates=invite_candidates(event), pair_form=PairForm(formdata=None),
                           cancel_form=CancelForm(formdata=None, version=str(event.version)),
                           today=clock.today())
