"""The landing page: what the platform is, a few figures, the newest listed patents."""
from __future__ import annotations

from flask import Blueprint, render_template

from ..catalog.needs import count_needs
from ..catalog.patents import find_patents
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
