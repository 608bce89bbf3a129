"""The landing page for visitors (what the platform is, a few figures, the newest listed
patents) and the 工作台 for logged-in users (what waits for them)."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..catalog.needs import count_needs
from ..catalog.patents import find_patents
from ..catalog.sources import DATASETS, describe_source
from .. import clock
from ..db import utcnow
from ..workbench import build_workbench
from .context import actor, db

bp = Blueprint("home", __name__)

NEWEST = 6


@bp.route("/")
def index():
    """The 工作台 for logged-in users; the landing page for visitors."""
    if actor() is not None:
        bench = build_workbench(db(), actor(), today=clock.today(), now=utcnow())
        return render_template("home/workbench.html", bench=bench, user=actor())
    # Figures are the public ones (actor None): listed patents only, whoever is looking.
    newest, listed_total = find_patents(db(), None, page=1, per_page=NEWEST)
    return render_template("home/index.html", newest=newest, listed_total=listed_total,
                           open_needs=count_needs(db()), user=actor())


@bp.route("/data-sources")
def data_sources():
    """Where the listed patents and needs come from: one note per public data set."""
    return render_template("home/data_sources.html", datasets=DATASETS)


@bp.app_template_global("source_label")
def source_label(source: str | None):
    """A record's `source` in words (see catalog.sources), for the 信息来源 lines."""
    return describe_source(source)
