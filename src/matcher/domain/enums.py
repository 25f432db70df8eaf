"""Closed vocabularies of the domain. Values are stable strings used in scenario files and the API."""

from __future__ import annotations

from enum import StrEnum


class CenterLevel(StrEnum):
    """Level of a center in the tree (上下贯通: escalation goes to the parent)."""

    CITY = "city"  # 市级 (e.g. Jinzhou city platform)
    DISTRICT = "district"  # 区/县级矛盾纠纷多元调处中心
    STREET = "street"  # 街道/镇 分中心
    COMMUNITY = "community"  # 社区调处站 / 村调解室

    @property
    def depth(self) -> int:
        return _LEVEL_DEPTH[self]


_LEVEL_DEPTH = {
    CenterLevel.CITY: 0,
    CenterLevel.DISTRICT: 1,
    CenterLevel.STREET: 2,
    CenterLevel.COMMUNITY: 3,
}


class Role(StrEnum):
    """What an expert is, and what a case asks for in one seat of its team."""

    MEDIATOR = "mediator"  # 专职人民调解员: ordinary disputes
    INDUSTRY_MEDIATOR = "industry_mediator"  # 行业调解员: industry disputes of their industry
    LAWYER = "lawyer"  # 律师
    COUNSELOR = "counselor"  # 心理咨询师
    SOCIAL_WORKER = "social_worker"  # 社工
    VOLUNTEER = "volunteer"  # 义工
    JUDGE = "judge"  # 法官 (rotating 轮驻 / stationed 常驻 / on call 随驻)
    NOTARY = "notary"  # 公证员
    ARBITRATOR = "arbitrator"  # 劳动仲裁员
    POLICE = "police"  # 警调联动
    GRID_WORKER = "grid_worker"  # 网格员
    LEGAL_LITERATE = "legal_literate"  # 法律明白人
    LEGAL_AID = "legal_aid"  # 法律援助
    WOMENS_FEDERATION = "womens_federation"  # 妇联


class Category(StrEnum):
    """Dispute categories seen in the source reports."""

    MARRIAGE_FAMILY = "marriage_family"  # 婚恋家庭 / 家事
    NEIGHBOR = "neighbor"  # 邻里
    LABOR = "labor"  # 劳动争议
    PROPERTY_MANAGEMENT = "property_management"  # 物业
    EDUCATION = "education"  # 教育
    COMMERCIAL = "commercial"  # 商事
    MEDICAL = "medical"  # 医患
    INTELLECTUAL_PROPERTY = "intellectual_property"  # 知产
    ROAD_TRAFFIC = "road_traffic"  # 道交
    LAND = "land"  # 土地权属
    DEBT = "debt"  # 债务/经济往来
    OTHER = "other"


#: Bao'an's six professional (industry) platforms: "industry disputes go to industry mediators".
INDUSTRY_CATEGORIES: frozenset[Category] = frozenset(
    {
        Category.COMMERCIAL,
        Category.MEDICAL,
        Category.INTELLECTUAL_PROPERTY,
        Category.MARRIAGE_FAMILY,
        Category.ROAD_TRAFFIC,
        Category.LABOR,
    }
)


class HalfDay(StrEnum):
    """Sessions and judge rotations are planned in half-days."""

    AM = "am"
    PM = "pm"


class RiskLevel(StrEnum):
    """Risk pre-assessment (风险预判). HIGH covers 民转刑 risk in family disputes."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 0, "medium": 1, "high": 2}[self.value]


class Qualification(StrEnum):
    """Formal powers an expert holds beyond their role."""

    JUDICIAL_CONFIRMATION = "judicial_confirmation"  # 司法确认
    PRE_LITIGATION_MEDIATION = "pre_litigation_mediation"  # 诉前调解
    NOTARIZATION = "notarization"  # 公证
    LABOR_ARBITRATION = "labor_arbitration"  # 劳动仲裁
