"""Flask-WTF forms: CSRF and parsing only; the catalog services do the real validation.

Fields carry no WTForms validators on purpose: a submission goes to the service, and the
service's ValidationError.errors (field -> Chinese message) is put back onto the form fields
with `apply_errors`, so every rule lives in one place.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, HiddenField, PasswordField, RadioField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.widgets import CheckboxInput, ListWidget

try:  # WTForms >= 3.3 deprecates (value, label) tuples in favour of SelectChoice
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None

from ..catalog.needs import NeedInput
from ..catalog.organizations import OrganizationInput
from ..catalog.patents import PatentInput
from ..errors import ValidationError
from ..imports.files import ENCODINGS
from ..licensing.offers import OfferInput
from ..models import (INDUSTRIES, REGIONS, LegalStatus, LicenceType, ListingState, Need, OrgKind,
                      Patent, PatentType, PaymentMode, WantedForm)
from ..params import parse_id

SELF_REGISTER_KINDS = (OrgKind.UNIVERSITY, OrgKind.INSTITUTE, OrgKind.ENTERPRISE, OrgKind.STATION,
                       OrgKind.AGENCY)


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice rendered as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list:
    """Select options from `(value, label)` pairs, in the form this WTForms version prefers."""
    pairs = [(str(value), label) for value, label in pairs]
    if SelectChoice is None:
        return pairs
    return [SelectChoice(value, label) for value, label in pairs]


def _text(value) -> str:
    return "" if value is None else str(value)


def add_error(field, message: str) -> None:
    """Attach a message to a field (WTForms may hold its errors as a tuple)."""
    field.errors = list(field.errors or []) + [message]


def apply_errors(form: FlaskForm, exc: ValidationError,
                 aliases: dict[str, str] | None = None) -> None:
    """Show each service message next to its field; unknown fields go to `form.form_errors`."""
    aliases = aliases or {}
    for key, message in exc.errors.items():
        field = getattr(form, aliases.get(key, key), None)
        if field is not None and hasattr(field, "errors") and key != "csrf_token":
            add_error(field, message)
        else:
            form.form_errors.append(message)


T = TypeVar("T")


def commit_or_show_errors(form: FlaskForm, action: Callable[[], T],
                          aliases: dict[str, str] | None = None) -> tuple[bool, T | None]:
    """Run one service call for a submitted form in the request's transaction: commit on
    success; on ValidationError roll back (nothing half-written) and put the messages next to
    their fields. Returns (succeeded, result)."""
    from .context import db
    try:
        result = action()
    except ValidationError as exc:
        db().rollback()
        apply_errors(form, exc, aliases)
        return False, None
    db().commit()
    return True, result


class LoginForm(FlaskForm):
    """Login name and password; `next` carries where to go afterwards."""

    login = StringField("登录名", render_kw={"autocomplete": "username",
                                            "placeholder": "邮箱或手机号"})
    password = PasswordField("密码", render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class RegisterForm(FlaskForm):
    """Self-registration: the organization and its first (admin) user."""

    kind = RadioField("机构类型", choices=choices((k.value, k.label) for k in SELF_REGISTER_KINDS),
                      default=OrgKind.ENTERPRISE.value, validate_choice=False)
    name = StringField("机构名称", render_kw={"maxlength": 200})
    credit_code = StringField("统一社会信用代码（高校可不填）", render_kw={"maxlength": 24,
                                                             "autocomplete": "off"})
    region = SelectField("所在地区", choices=choices((r, r) for r in REGIONS), default=REGIONS[0],
                         validate_choice=False)
    address = StringField("地址", render_kw={"maxlength": 300})
    contact_name = StringField("联系人", render_kw={"maxlength": 100})
    contact_phone = StringField("联系电话", render_kw={"maxlength": 40, "type": "tel"})
    login = StringField("登录名（邮箱或手机号）", render_kw={"autocomplete": "username"})
    password = PasswordField("密码", render_kw={"autocomplete": "new-password"})
    password_confirm = PasswordField("确认密码", render_kw={"autocomplete": "new-password"})
    display_name = StringField("姓名", render_kw={"maxlength": 100, "autocomplete": "name"})
    station_id = SelectField("服务驿站（企业可选）", choices=[], validate_choice=False)

    def set_stations(self, stations) -> None:
        """Approved stations an enterprise may ask to serve it."""
        self.station_id.choices = choices([("", "暂不选择")] + [(o.id, o.name) for o in stations])

    def station_ref(self) -> int | None:
        """The chosen station (enterprises only), None when none was chosen."""
        if self.kind.data != OrgKind.ENTERPRISE.value:
            return None
        return parse_id(self.station_id.data)

    def organization_input(self) -> OrganizationInput:
        """The organization part of the submission, for accounts.register."""
        return OrganizationInput(
            kind=_text(self.kind.data), name=_text(self.name.data),
            credit_code=_text(self.credit_code.data), region=_text(self.region.data),
            address=_text(self.address.data), contact_name=_text(self.contact_name.data),
            contact_phone=_text(self.contact_phone.data))

    def passwords_match(self) -> bool:
        """The confirmation must repeat the password (a UI-only check the service cannot make)."""
        if (self.password.data or "") == (self.password_confirm.data or ""):
            return True
        add_error(self.password_confirm, "两次输入的密码不一致")
        return False


def _blank_choice(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label)] + choices


class PatentForm(FlaskForm):
    """Every PatentInput field; industry tags as checkboxes."""

    title = StringField("专利名称", render_kw={"maxlength": 300})
    app_no = StringField("申请号", render_kw={"placeholder": "如 201710601862.3",
                                              "autocomplete": "off"})
    pub_no = StringField("公开/授权公告号", render_kw={"maxlength": 40})
    patent_type = SelectField("专利类型", validate_choice=False,
                              choices=choices(_blank_choice("按申请号自动判断", PatentType.choices())))
    legal_status = SelectField("法律状态", choices=choices(LegalStatus.choices()),
                               default=LegalStatus.VALID.value, validate_choice=False)
    filing_date = StringField("申请日", render_kw={"type": "date"})
    grant_date = StringField("授权公告日", render_kw={"type": "date"})
    ipc_codes = StringField("IPC 分类号", render_kw={
        "placeholder": "多个用分号分隔，如 H01M 10/052; H01M 4/58"})
    inventors = StringField("发明人", render_kw={"placeholder": "多个用顿号或逗号分隔"})
    abstract = TextAreaField("摘要", render_kw={"rows": 5})
    first_claim = TextAreaField("首项权利要求", render_kw={"rows": 4})
    industry_tags = MultiCheckboxField("所属行业", choices=choices((i, i) for i in INDUSTRIES),
                                       validate_choice=False)
    readiness = SelectField("技术成熟度", validate_choice=False, choices=choices(_blank_choice(
        "未评估", [(str(n), f"{n} 级") for n in range(1, 10)])))
    scenarios = TextAreaField("应用场景", render_kw={"rows": 3})
    knowhow_included = BooleanField("可提供技术秘密（know-how）和技术支持")
    # Listing is the point of registering; a draft is the exception (not public yet).
    listing_state = SelectField("上架状态", validate_choice=False, default=ListingState.LISTED.value,
                                choices=choices((s.value, s.label) for s in
                                                (ListingState.DRAFT, ListingState.LISTED)))

    def patent_input(self) -> PatentInput:
        """The submission as the service input."""
        return PatentInput(
            title=_text(self.title.data), abstract=_text(self.abstract.data),
            first_claim=_text(self.first_claim.data), app_no=_text(self.app_no.data),
            pub_no=_text(self.pub_no.data), ipc_codes=_text(self.ipc_codes.data),
            patent_type=_text(self.patent_type.data), legal_status=_text(self.legal_status.data),
            filing_date=_text(self.filing_date.data), grant_date=_text(self.grant_date.data),
            inventors=_text(self.inventors.data), industry_tags=list(self.industry_tags.data or []),
            readiness=_text(self.readiness.data), scenarios=_text(self.scenarios.data),
            knowhow_included=bool(self.knowhow_included.data),
            listing_state=_text(self.listing_state.data))

    @staticmethod
    def data_from(patent: Patent) -> dict:
        """Initial form values for editing an existing patent."""
        return {
            "title": patent.title, "app_no": patent.app_no or "", "pub_no": patent.pub_no or "",
            "patent_type": patent.patent_type.value if patent.patent_type else "",
            "legal_status": patent.legal_status.value,
            "filing_date": patent.filing_date.isoformat() if patent.filing_date else "",
            "grant_date": patent.grant_date.isoformat() if patent.grant_date else "",
            "ipc_codes": "; ".join(patent.ipc_codes or []),
            "inventors": "、".join(patent.inventors or []),
            "abstract": patent.abstract, "first_claim": patent.first_claim,
            "industry_tags": list(patent.industry_tags or []),
            "readiness": str(patent.readiness or ""), "scenarios": patent.scenarios,
            "knowhow_included": patent.knowhow_included,
            "listing_state": patent.listing_state.value,
        }

    def allow_current_state(self, state: ListingState) -> None:
        """Offer the patent's current state in the select even when it is withdrawn or archived."""
        offered = {tuple(option)[0] for option in self.listing_state.choices}
        if state.value not in offered:
            self.listing_state.choices = list(self.listing_state.choices) + choices(
                [(state.value, state.label)])


class NeedForm(FlaskForm):
    """Every NeedInput field plus the enterprise a broker posts for."""

    enterprise_id = SelectField("需求企业", choices=[], validate_choice=False)
    title = StringField("需求标题", render_kw={"maxlength": 200})
    description = TextAreaField("需求描述", render_kw={
        "rows": 6, "placeholder": "描述遇到的技术问题、现有方案的不足、期望达到的指标等"})
    industry = SelectField("所属行业", choices=choices((i, i) for i in INDUSTRIES), default="其他",
                           validate_choice=False)
    region = SelectField("所在地区", validate_choice=False, choices=choices(
        _blank_choice("与企业所在地相同", [(r, r) for r in REGIONS])))
    budget_min_wan = StringField("预算下限（万元）", render_kw={"inputmode": "numeric"})
    budget_max_wan = StringField("预算上限（万元）", render_kw={"inputmode": "numeric"})
    wanted_forms = MultiCheckboxField("合作方式", choices=choices(WantedForm.choices()),
                                      default=[WantedForm.LICENCE.value], validate_choice=False)
    valid_until = StringField("有效期至", render_kw={"type": "date"})

    def need_input(self) -> NeedInput:
        """The submission as the service input."""
        return NeedInput(
            title=_text(self.title.data), description=_text(self.description.data),
            industry=_text(self.industry.data), region=_text(self.region.data),
            budget_min_wan=_text(self.budget_min_wan.data),
            budget_max_wan=_text(self.budget_max_wan.data),
            wanted_forms=list(self.wanted_forms.data or []),
            valid_until=_text(self.valid_until.data))

    def set_enterprises(self, enterprises) -> None:
        """Fill the enterprise select (a broker picks one of the enterprises its station serves)."""
        self.enterprise_id.choices = choices((o.id, o.name) for o in enterprises)

    def enterprise_ref(self) -> int | None:
        """The chosen enterprise id, or None (with a field message) when missing or malformed."""
        chosen = parse_id(self.enterprise_id.data)
        if chosen is None:
            add_error(self.enterprise_id, "请选择需求企业")
        return chosen

    @staticmethod
    def data_from(need: Need) -> dict:
        """Initial form values for editing an existing need."""
        return {
            "enterprise_id": str(need.enterprise_id), "title": need.title,
            "description": need.description, "industry": need.industry, "region": need.region,
            "budget_min_wan": _text(need.budget_min_wan),
            "budget_max_wan": _text(need.budget_max_wan),
            "wanted_forms": list(need.wanted_forms or []),
            "valid_until": need.valid_until.isoformat() if need.valid_until else "",
        }


class ImportUploadForm(FlaskForm):
    """A file to preview; needs also name the enterprise (brokers pick one of their clients)."""

    file = FileField("导入文件")
    encoding = SelectField("CSV 文件编码", choices=choices(ENCODINGS.items()), default="auto",
                           validate_choice=False)
    list_valid = BooleanField("有效专利导入后直接上架", default=True)
    enterprise_id = SelectField("需求企业", choices=[], validate_choice=False)

    def set_enterprises(self, enterprises) -> None:
        self.enterprise_id.choices = choices((o.id, o.name) for o in enterprises)

    def enterprise_ref(self) -> int | None:
        return parse_id(self.enterprise_id.data)


class OfferForm(FlaskForm):
    """Licence offer terms (amounts in 万元)."""

    licence_type = SelectField("许可类型", choices=choices(LicenceType.choices()),
                               default=LicenceType.ORDINARY.value, validate_choice=False)
    free_months = StringField("免费许可期（月）", default="6", render_kw={"inputmode": "numeric"})
    payment_mode = SelectField("免费期后的付费方式", choices=choices(PaymentMode.choices()),
                               default=PaymentMode.LUMP_SUM.value, validate_choice=False)
    lump_sum_wan = StringField("一次性许可费（万元）", render_kw={"inputmode": "decimal"})
    entry_fee_wan = StringField("入门费（万元）", render_kw={"inputmode": "decimal"})
    royalty_pct = StringField("提成比例（%）", render_kw={"inputmode": "decimal"})
    transfer_price_wan = StringField("转让价款（万元）", render_kw={"inputmode": "decimal"})
    term_months = StringField("许可期限（月）", default="36", render_kw={"inputmode": "numeric"})
    territory = StringField("许可地域", default="中国大陆")
    field_of_use = StringField("许可领域")
    knowhow_included = BooleanField("附带技术秘密（know-how）")
    support_included = BooleanField("提供技术支持")
    fee_standard = TextAreaField("许可费标准（开放许可须公布）", render_kw={"rows": 2})
    payment_method = StringField("支付方式（开放许可须公布）")
    note = TextAreaField("补充说明", render_kw={"rows": 2})

    def offer_input(self) -> OfferInput:
        return OfferInput(**{name: (getattr(self, name).data if name in ("knowhow_included", "support_included")
                                    else _text(getattr(self, name).data))
                             for name in OfferInput.__dataclass_fields__})


class DealRequestForm(FlaskForm):
    """Request a licence under an offer; brokers pick the client, anyone may link a need."""

    enterprise_id = SelectField("申请企业", choices=[], validate_choice=False)
    need_id = SelectField("对应的技术需求", choices=[], validate_choice=False)
    note = TextAreaField("留言", render_kw={"rows": 2, "placeholder": "介绍企业的应用场景和希望的许可方式"})
    event_id = HiddenField()     # the roadshow / matchmaking event the request comes from

    def ref(self, name: str) -> int | None:
        return parse_id(getattr(self, name).data)


class DealStepForm(FlaskForm):
    """One transition button; `version` is what the user saw (optimistic locking)."""

    to_state = HiddenField()
    version = HiddenField()
    note = TextAreaField("备注", render_kw={"rows": 2})
    contract_value_wan = StringField("合同金额（万元）", render_kw={"inputmode": "decimal"})
    start_date = StringField("生效日期", render_kw={"type": "date"})


class ProposalForm(FlaskForm):
    """Confirm, disagree with or withdraw a proposed deal step."""

    version = HiddenField()
    note = TextAreaField("说明", render_kw={"rows": 2, "maxlength": 2000})


class FilingForm(FlaskForm):
    version = HiddenField()
    recordal_no = StringField("备案号")
    recordal_date = StringField("备案日期", render_kw={"type": "date"})
    contract_reg_no = StringField("技术合同登记号")

    @staticmethod
    def data_from(deal) -> dict:
        """What is recorded, so saving the form again keeps it (a blank field keeps it too)."""
        return {"version": str(deal.version), "recordal_no": deal.recordal_no,
                "recordal_date": deal.recordal_date.isoformat() if deal.recordal_date else "",
                "contract_reg_no": deal.contract_reg_no}


class ReassignForm(FlaskForm):
    """Operator: move a patent to the organization that really owns it (audited)."""

    new_owner = StringField("新的专利权人（机构名称或编号）", render_kw={"maxlength": 200})
    reason = TextAreaField("变更原因（记入操作记录）", render_kw={"rows": 2, "maxlength": 500})


class FollowUpForm(FlaskForm):
    body = TextAreaField("跟进记录", render_kw={"rows": 2, "maxlength": 2000})
