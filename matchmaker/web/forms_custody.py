"""Forms of the custody pages (parsing only; matchmaker.custody validates)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from ..catalog.patents import PatentInput
from ..custody.agreements import AgreementInput
from ..models import CustodyService, LegalStatus, PatentType, ServiceLogKind, VoucherKind
from .forms import MultiCheckboxField, choices

REDUCTIONS = (("0", "不减缴"), ("85", "减缴 85%（单个符合条件的权利人）"), ("70", "减缴 70%（多个权利人均符合条件）"))


class AgreementForm(FlaskForm):
    counterpart = SelectField("托管方", choices=[], validate_choice=False)
    services = MultiCheckboxField("托管服务", choices=choices(CustodyService.choices()),
                                  validate_choice=False)
    start_date = StringField("开始日期", render_kw={"type": "date"})
    end_date = StringField("结束日期", render_kw={"type": "date"})
    voucher_kind = SelectField("付费方式", choices=choices(VoucherKind.choices()), validate_choice=False)
    fee_wan = StringField("服务费（万元）", render_kw={"inputmode": "decimal", "placeholder": "如 0.6"})
    voucher_no = StringField("券号", render_kw={"maxlength": 60})
    voucher_value_wan = StringField("券面金额（万元）", render_kw={"inputmode": "decimal"})
    note = TextAreaField("说明", render_kw={"rows": 2, "maxlength": 1000})

    def agreement_input(self) -> AgreementInput:
        return AgreementInput(services=list(self.services.data or []),
                              start_date=self.start_date.data or None,
                              end_date=self.end_date.data or None, fee_wan=self.fee_wan.data or "",
                              voucher_kind=self.voucher_kind.data or "none",
                              voucher_no=self.voucher_no.data or "",
                              voucher_value_wan=self.voucher_value_wan.data or "",
                              note=self.note.data or "")


class StepForm(FlaskForm):
    """Confirm / decline / terminate: a note (or reason) and the version the page showed."""

    version = HiddenField()
    note = TextAreaField("说明", render_kw={"rows": 2, "maxlength": 500})


class OwnPatentForm(FlaskForm):
    app_no = StringField("申请号", render_kw={"placeholder": "如 202120123456.7"})
    title = StringField("专利名称", render_kw={"maxlength": 300})
    patent_type = SelectField("专利类型", choices=choices([("", "请选择")] + PatentType.choices()),
                              validate_choice=False)
    filing_date = StringField("申请日", render_kw={"type": "date"})
    grant_date = StringField("授权公告日", render_kw={"type": "date"})
    legal_status = SelectField("法律状态", choices=choices(LegalStatus.choices()), default="valid",
                               validate_choice=False)
    annuity_reduction = SelectField("年费减缴", choices=choices(REDUCTIONS), validate_choice=False)

    def patent_input(self) -> PatentInput:
        return PatentInput(app_no=self.app_no.data or "", title=self.title.data or "",
                           patent_type=self.patent_type.data or "",
                           filing_date=self.filing_date.data or None,
                           grant_date=self.grant_date.data or None,
                           legal_status=self.legal_status.data or "valid")


class PaymentForm(FlaskForm):
    year = HiddenField()
    paid_on = StringField("缴费日期", render_kw={"type": "date"})
    amount_yuan = StringField("实缴金额（元）", render_kw={"inputmode": "numeric"})
    receipt_no = StringField("票据号", render_kw={"maxlength": 60})


class LogForm(FlaskForm):
    enterprise = SelectField("客户", choices=[], validate_choice=False)
    kind = SelectField("类型", choices=choices(ServiceLogKind.choices()), validate_choice=False)
    occurred_on = StringField("日期", render_kw={"type": "date"})
    text = TextAreaField("服务内容", render_kw={"rows": 3, "maxlength": 2000})
