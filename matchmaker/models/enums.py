"""Enumerations stored as short strings, with the Chinese labels the UI shows."""
from __future__ import annotations

import enum


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a Chinese label for display."""

    @property
    def label(self) -> str:
        return LABELS.get((type(self), self.value), self.value)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class OrgKind(LabelledEnum):
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    ENTERPRISE = "enterprise"
    STATION = "station"
    OPERATOR = "operator"
    AGENCY = "agency"             # 知识产权服务机构: keeps SMEs' own patents in custody

    @property
    def is_supplier(self) -> bool:
        """Universities and institutes hold the patents the platform wants to wake up."""
        return self in (OrgKind.UNIVERSITY, OrgKind.INSTITUTE)


class OrgStatus(LabelledEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"
    REJECTED = "rejected"       # the registration was not approved (the reason is kept)


class UserRole(LabelledEnum):
    ADMIN = "admin"
    MEMBER = "member"


class PatentType(LabelledEnum):
    INVENTION = "invention"
    UTILITY = "utility"
    DESIGN = "design"


class LegalStatus(LabelledEnum):
    PENDING = "pending"
    VALID = "valid"
    LAPSED = "lapsed"
    UNKNOWN = "unknown"


class ListingState(LabelledEnum):
    DRAFT = "draft"
    LISTED = "listed"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


class NeedState(LabelledEnum):
    OPEN = "open"
    MATCHED = "matched"
    SOLVED = "solved"
    CLOSED = "closed"
    EXPIRED = "expired"


class WantedForm(LabelledEnum):
    LICENCE = "licence"
    TRANSFER = "transfer"
    JOINT = "joint"


# Keyed by (enum class, value): members of different str-enums with the same value (OrgStatus.PENDING
# and LegalStatus.PENDING are both "pending") compare and hash equal, so members cannot be the keys.
class MatchState(LabelledEnum):
    SUGGESTED = "suggested"
    VIEWED = "viewed"
    INTERESTED = "interested"
    DECLINED = "declined"
    REQUESTED = "requested"   # a licence was asked for (the deal flow takes over)


class DeclineReason(LabelledEnum):
    NOT_MATURE = "not_mature"
    TOO_EXPENSIVE = "too_expensive"
    NOT_OUR_FIELD = "not_our_field"
    ALREADY_SOLVED = "already_solved"
    OTHER = "other"


class ImportKind(LabelledEnum):
    PATENTS = "patents"
    NEEDS = "needs"


class ImportState(LabelledEnum):
    PREVIEWED = "previewed"
    APPLIED = "applied"
    CANCELLED = "cancelled"


class LicenceType(LabelledEnum):
    ORDINARY = "ordinary"       # 普通许可
    SOLE = "sole"               # 排他许可
    EXCLUSIVE = "exclusive"     # 独占许可
    OPEN = "open"               # 开放许可 (only ordinary licences may follow)
    TRANSFER = "transfer"       # 转让: ownership changes, not a licence

    @property
    def is_exclusive_kind(self) -> bool:
        """Exclusive and sole licences shut everybody else out while in force."""
        return self in (LicenceType.SOLE, LicenceType.EXCLUSIVE)


class PaymentMode(LabelledEnum):
    LUMP_SUM = "lump_sum"
    ROYALTY_SALES = "royalty_sales"
    ROYALTY_PROFIT = "royalty_profit"
    ENTRY_PLUS_ROYALTY = "entry_plus_royalty"
    TRANSFER_PRICE = "transfer_price"


class OfferState(LabelledEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class DealState(LabelledEnum):
    REQUESTED = "requested"
    NEGOTIATING = "negotiating"
    FREE_ACTIVE = "free_active"
    CONVERSION_DUE = "conversion_due"
    CONVERTED = "converted"
    TRANSFERRED = "transferred"
    DECLINED = "declined"
    LAPSED = "lapsed"           # the free period ended without conversion
    TERMINATED = "terminated"


class TokenKind(LabelledEnum):
    """What a one-time link is for."""

    INVITE = "invite"           # join an organization
    RESET = "reset"             # set a new password


class LinkState(LabelledEnum):
    """A station–enterprise link (创新驿站服务企业)."""

    PROPOSED = "proposed"       # one side asked; the other has to confirm
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"     # the asking side took the request back
    ENDED = "ended"             # unlinked by either side or the operator


class CustodyService(LabelledEnum):
    """What a custody agreement covers (the plan: basic service plus differentiated ones)."""

    ANNUITY = "annuity"
    STATUS_WATCH = "status_watch"
    INFRINGEMENT_WATCH = "infringement_watch"
    FILING = "filing"
    NAVIGATION = "navigation"
    STRATEGY = "strategy"


class AgreementState(LabelledEnum):
    PROPOSED = "proposed"       # one side asked; the other has to confirm
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"             # its end date passed (or a renewal took over)
    TERMINATED = "terminated"   # ended early by either side, with a reason


class VoucherKind(LabelledEnum):
    NONE = "none"
    INNOVATION = "innovation"   # 创新券
    SERVICE = "service"         # 服务券


class ServiceLogKind(LabelledEnum):
    VISIT = "visit"
    ADVICE = "advice"
    FILING = "filing"
    PAYMENT = "payment"
    OTHER = "other"


LABELS: dict[tuple[type, str], str] = {(type(member), member.value): text for member, text in (
    (OrgKind.UNIVERSITY, "高校"), (OrgKind.INSTITUTE, "科研院所"), (OrgKind.ENTERPRISE, "企业"),
    (OrgKind.STATION, "创新驿站"), (OrgKind.OPERATOR, "运营方"), (OrgKind.AGENCY, "知识产权服务机构"),
    (CustodyService.ANNUITY, "年费管理"), (CustodyService.STATUS_WATCH, "法律状态监控"),
    (CustodyService.INFRINGEMENT_WATCH, "侵权与竞争对手监控"), (CustodyService.FILING, "专利申请代理"),
    (CustodyService.NAVIGATION, "专利导航"), (CustodyService.STRATEGY, "知识产权战略与布局"),
    (AgreementState.PROPOSED, "待确认"), (AgreementState.ACTIVE, "托管中"),
    (AgreementState.DECLINED, "已拒绝"), (AgreementState.ENDED, "已到期"),
    (AgreementState.TERMINATED, "已终止"),
    (VoucherKind.NONE, "自费"), (VoucherKind.INNOVATION, "创新券"), (VoucherKind.SERVICE, "服务券"),
    (ServiceLogKind.VISIT, "走访"), (ServiceLogKind.ADVICE, "咨询建议"),
    (ServiceLogKind.FILING, "文件递交"), (ServiceLogKind.PAYMENT, "代缴年费"),
    (ServiceLogKind.OTHER, "其他"),
    (TokenKind.INVITE, "成员邀请"), (TokenKind.RESET, "重设密码"),
    (LinkState.PROPOSED, "待确认"), (LinkState.ACTIVE, "服务中"), (LinkState.DECLINED, "已拒绝"),
    (LinkState.WITHDRAWN, "已撤回"), (LinkState.ENDED, "已解除"),
    (OrgStatus.PENDING, "待审核"), (OrgStatus.APPROVED, "已通过"), (OrgStatus.SUSPENDED, "已停用"),
    (OrgStatus.REJECTED, "未通过"),
    (UserRole.ADMIN, "管理员"), (UserRole.MEMBER, "成员"),
    (PatentType.INVENTION, "发明"), (PatentType.UTILITY, "实用新型"), (PatentType.DESIGN, "外观设计"),
    (LegalStatus.PENDING, "审中"), (LegalStatus.VALID, "有效"), (LegalStatus.LAPSED, "失效"),
    (LegalStatus.UNKNOWN, "未知"),
    (ListingState.DRAFT, "草稿"), (ListingState.LISTED, "已上架"), (ListingState.WITHDRAWN, "已撤回"),
    (ListingState.ARCHIVED, "已归档"),
    (NeedState.OPEN, "征集中"), (NeedState.MATCHED, "已匹配"), (NeedState.SOLVED, "已解决"),
    (NeedState.CLOSED, "已关闭"), (NeedState.EXPIRED, "已过期"),
    (WantedForm.LICENCE, "许可"), (WantedForm.TRANSFER, "转让"), (WantedForm.JOINT, "合作开发"),
    (MatchState.SUGGESTED, "新推荐"), (MatchState.VIEWED, "已查看"), (MatchState.INTERESTED, "感兴趣"),
    (MatchState.DECLINED, "不感兴趣"), (MatchState.REQUESTED, "已申请许可"),
    (DeclineReason.NOT_MATURE, "技术不够成熟"), (DeclineReason.TOO_EXPENSIVE, "价格过高"),
    (DeclineReason.NOT_OUR_FIELD, "不属于我们的领域"), (DeclineReason.ALREADY_SOLVED, "问题已经解决"),
    (DeclineReason.OTHER, "其他原因"),
    (ImportKind.PATENTS, "专利"), (ImportKind.NEEDS, "技术需求"),
    (ImportState.PREVIEWED, "待确认"), (ImportState.APPLIED, "已导入"),
    (ImportState.CANCELLED, "已取消"),
    (LicenceType.ORDINARY, "普通许可"), (LicenceType.SOLE, "排他许可"),
    (LicenceType.EXCLUSIVE, "独占许可"), (LicenceType.OPEN, "开放许可"), (LicenceType.TRANSFER, "转让"),
    (PaymentMode.LUMP_SUM, "一次性付费"), (PaymentMode.ROYALTY_SALES, "按净销售额提成"),
    (PaymentMode.ROYALTY_PROFIT, "按利润提成"), (PaymentMode.ENTRY_PLUS_ROYALTY, "入门费+提成"),
    (PaymentMode.TRANSFER_PRICE, "转让价款"),
    (OfferState.ACTIVE, "有效"), (OfferState.WITHDRAWN, "已撤回"),
    (DealState.REQUESTED, "已申请"), (DealState.NEGOTIATING, "洽谈中"),
    (DealState.FREE_ACTIVE, "免费许可期"), (DealState.CONVERSION_DUE, "待转化"),
    (DealState.CONVERTED, "已转为有偿许可"), (DealState.TRANSFERRED, "已转让"),
    (DealState.DECLINED, "已拒绝"), (DealState.LAPSED, "免费期满未转化"),
    (DealState.TERMINATED, "已终止"),
)}

XINJIANG_REGIONS: tuple[str, ...] = (
    "乌鲁木齐市", "克拉玛依市", "吐鲁番市", "哈密市", "昌吉回族自治州", "博尔塔拉蒙古自治州",
    "巴音郭楞蒙古自治州", "阿克苏地区", "克孜勒苏柯尔克孜自治州", "喀什地区", "和田地区",
    "伊犁哈萨克自治州", "塔城地区", "阿勒泰地区", "石河子市", "阿拉尔市", "图木舒克市",
    "五家渠市", "北屯市", "铁门关市", "双河市", "可克达拉市", "昆玉市", "胡杨河市", "新星市",
    "白杨市",
)
OTHER_REGION = "其他"
REGIONS: tuple[str, ...] = XINJIANG_REGIONS + (OTHER_REGION,)

# Priority industries named in the regional IP plans (domain.md §1).
INDUSTRIES: tuple[str, ...] = (
    "新能源", "新材料", "高端装备", "生物医药", "信息技术", "节能环保", "石油化工", "农业机械",
    "节水农业", "纺织服装", "农产品加工", "煤化工", "其他",
)
