"""The landing page: what the platform is, a few figures, the newest listed patents."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..catalog.needs import count_needs
from ..catalog.patents import find_patents
from ..catalog.sources import DATASETS, describe_source
from .context import actor, db

bp = Blueprint("home", __name__)

NEWEST = 6


@bp.route("/")
def index():
    """Landing page; logged-in users also get quick links for their role."""
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
