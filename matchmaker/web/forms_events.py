"""Forms of the enterprise-profile, event and indicator pages (parsing only; the services
validate and their messages are put back next to the fields)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from ..models import INDUSTRIES
from ..models.profile import Sector
from ..profiles.service import ProfileInput
from .forms import choices


class ProfileForm(FlaskForm):
    industry = SelectField("所属行业", choices=choices((i, i) for i in INDUSTRIES), validate_choice=False)
    sector = SelectField("划型行业（国家中小企业划型标准）", choices=choices(Sector.choices()),
                         validate_choice=False)
    employees = StringField("从业人员（人）", render_kw={"inputmode": "numeric"})
    revenue_wan = StringField("上年营业收入（万元）", render_kw={"inputmode": "numeric"})
    founded_year = StringField("成立年份", render_kw={"inputmode": "numeric", "placeholder": "如 2019"})
    district = StringField("所在区（县）", render_kw={"list": "district-options", "maxlength": 32})
    specialized = BooleanField("专精特新企业")
    high_tech = BooleanField("高新技术企业")
    covid_affected = BooleanField("受新冠肺炎疫情影响较大")

    def profile_input(self) -> ProfileInput:
        return ProfileInput(sector=self.sector.data or "", employees=self.employees.data or "",
                            revenue_wan=self.revenue_wan.data or "",
                            founded_year=self.founded_year.data or "",
                            specialized=bool(self.specialized.data), high_tech=bool(self.high_tech.data),
                            covid_affected=bool(self.covid_affected.data),
                            district=self.district.data or "", industry=self.industry.data or "")
