"""Forms of the station–enterprise link pages (parsing only; catalog.station_links validates)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField


class LinkRequestForm(FlaskForm):
    """A station asks to serve an enterprise, or an enterprise asks a station."""

    counterpart = SelectField("机构", choices=[], validate_choice=False)
    note = TextAreaField("说明", render_kw={"rows": 2, "maxlength": 500})


class OperatorLinkForm(FlaskForm):
    """The operator links a station and an enterprise directly."""

    station_id = SelectField("创新驿站", choices=[], validate_choice=False)
    enterprise_id = SelectField("企业", choices=[], validate_choice=False)
    note = TextAreaField("说明", render_kw={"rows": 2, "maxlength": 500})


class LinkActionForm(FlaskForm):
    """Confirm / decline / withdraw / end: the version the page showed and a note (reason)."""

    version = HiddenField()
    note = TextAreaField("说明", render_kw={"rows": 2, "maxlength": 500})
