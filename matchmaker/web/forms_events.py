"""Forms of the enterprise-profile, event and indicator pages (parsing only; the services
validate and their messages are put back next to the fields)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from ..events.registration import RegistrationInput
from ..events.service import EventInput
from ..models import INDUSTRIES, REGIONS, EventKind, PairOutcome
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


class EventForm(FlaskForm):
    kind = SelectField("活动类型", choices=choices(EventKind.choices()), validate_choice=False)
    title = StringField("活动名称", render_kw={"maxlength": 200})
    theme = TextAreaField("活动主题与议程", render_kw={"rows": 4, "maxlength": 4000})
    industry = SelectField("主题行业", choices=choices([("", "不限")] + [(i, i) for i in INDUSTRIES]),
                           validate_choice=False)
    ipc = StringField("主题 IPC", render_kw={"maxlength": 4, "placeholder": "如 H01M"})
    event_date = StringField("活动日期", render_kw={"type": "date"})
    time_text = StringField("时间", render_kw={"maxlength": 40, "placeholder": "如 14:00–17:00"})
    region = SelectField("举办地区", choices=choices((r, r) for r in REGIONS), validate_choice=False)
    district = StringField("区（县）", render_kw={"list": "district-options", "maxlength": 32})
    place = StringField("地点", render_kw={"maxlength": 200})
    online_url = StringField("线上链接", render_kw={"maxlength": 300, "type": "url"})
    capacity = StringField("容纳人数", render_kw={"inputmode": "numeric"})
    seats_per_org = StringField("每家单位名额", render_kw={"inputmode": "numeric"}, default="3")
    version = HiddenField()

    def event_input(self) -> EventInput:
        return EventInput(**{name: (getattr(self, name).data or "")
                             for name in EventInput.__dataclass_fields__})

    @staticmethod
    def data_from(event) -> dict:
        return {name: (getattr(event, name).value if hasattr(getattr(event, name), "value")
                       else "" if getattr(event, name) is None else str(getattr(event, name)))
                for name in EventInput.__dataclass_fields__} | {"version": str(event.version)}


class RegistrationForm(FlaskForm):
    enterprise_id = SelectField("报名企业", choices=[], validate_choice=False)
    seats = StringField("参会人数", render_kw={"inputmode": "numeric"}, default="1")
    contact = StringField("联系人及电话", render_kw={"maxlength": 100})
    note = TextAreaField("备注", render_kw={"rows": 2, "maxlength": 500})

    def registration_input(self) -> RegistrationInput:
        return RegistrationInput(seats=self.seats.data or "", contact=self.contact.data or "",
                                 note=self.note.data or "")


class PairForm(FlaskForm):
    patent_id = HiddenField()
    enterprise_id = HiddenField()
    outcome = SelectField("对接结果", choices=choices([(o.value, o.label) for o in PairOutcome
                                                   if o != PairOutcome.DEAL]), validate_choice=False)
    note = StringField("跟进记录", render_kw={"maxlength": 1000})
    follow_up_on = StringField("下次跟进", render_kw={"type": "date"})


class CancelForm(FlaskForm):
    version = HiddenField()
    reason = StringField("取消原因", render_kw={"maxlength": 500})
