"""The words the demo data is made of: the two demo vendors, places, company names, people.

Every list comes in the tenant's language; a ``Localized`` pair is (Chinese, English).
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import NamedTuple

from tenancy.models import Tenant

DEMO_PASSWORD = "Qudao-Demo-2026"
DEFAULT_PARTNERS_PER_TENANT = 100
SEED = 20260331


class Localized(NamedTuple):
    zh: str
    en: str

    def pick(self, language: str) -> str:
        return self.zh if language == Tenant.Language.ZH_HANS else self.en


@dataclasses.dataclass(frozen=True)
class Person:
    email: str
    full_name: Localized


@dataclasses.dataclass(frozen=True)
class FeaturedPartner:
    """A partner with a fixed identity: the one the demo's partner-side logins belong to."""

    brand: Localized
    city: str  # a key of CITIES
    suffix: Localized
    kind: str
    tier: str
    tier_path: tuple[tuple[str, int], ...]  # (tier code, years ago) from the first tier on
    years_joined: int
    tax_id: str
    people: dict[str, Person]  # role -> person


@dataclasses.dataclass(frozen=True)
class TenantSpec:
    slug: str
    name: str
    language: str
    currency: str
    timezone: str
    code_prefix: str
    money_scale: Decimal  # credit limits are drawn in CNY and scaled into the tenant's currency
    people: dict[str, Person]  # vendor-side role -> person (channel managers: "channel_manager-1"...)
    featured: tuple[FeaturedPartner, ...]


class City(NamedTuple):
    name: Localized
    region: str  # a key of REGIONS
    division_code: str  # administrative division (行政区划代码), the 3rd–8th characters of a USCC


REGIONS: dict[str, Localized] = {
    "east": Localized("华东", "East China"),
    "south": Localized("华南", "South China"),
    "north": Localized("华北", "North China"),
    "central": Localized("华中", "Central China"),
    "southwest": Localized("西南", "Southwest China"),
    "northwest": Localized("西北", "Northwest China"),
    "northeast": Localized("东北", "Northeast China"),
}

# Weighted so the map looks like a real channel: dense on the coast, thin in the west.
CITIES: dict[str, City] = {
    "shanghai": City(Localized("上海", "Shanghai"), "east", "310000"),
    "hangzhou": City(Localized("杭州", "Hangzhou"), "east", "330100"),
    "nanjing": City(Localized("南京", "Nanjing"), "east", "320100"),
    "suzhou": City(Localized("苏州", "Suzhou"), "east", "320500"),
    "ningbo": City(Localized("宁波", "Ningbo"), "east", "330200"),
    "hefei": City(Localized("合肥", "Hefei"), "east", "340100"),
    "jinan": City(Localized("济南", "Jinan"), "east", "370100"),
    "guangzhou": City(Localized("广州", "Guangzhou"), "south", "440100"),
    "shenzhen": City(Localized("深圳", "Shenzhen"), "south", "440300"),
    "dongguan": City(Localized("东莞", "Dongguan"), "south", "441900"),
    "nanning": City(Localized("南宁", "Nanning"), "south", "450100"),
    "beijing": City(Localized("北京", "Beijing"), "north", "110000"),
    "tianjin": City(Localized("天津", "Tianjin"), "north", "120000"),
    "shijiazhuang": City(Localized("石家庄", "Shijiazhuang"), "north", "130100"),
    "taiyuan": City(Localized("太原", "Taiyuan"), "north", "140100"),
    "wuhan": City(Localized("武汉", "Wuhan"), "central", "420100"),
    "changsha": City(Localized("长沙", "Changsha"), "central", "430100"),
    "zhengzhou": City(Localized("郑州", "Zhengzhou"), "central", "410100"),
    "chengdu": City(Localized("成都", "Chengdu"), "southwest", "510100"),
    "chongqing": City(Localized("重庆", "Chongqing"), "southwest", "500000"),
    "kunming": City(Localized("昆明", "Kunming"), "southwest", "530100"),
    "xian": City(Localized("西安", "Xi'an"), "northwest", "610100"),
    "lanzhou": City(Localized("兰州", "Lanzhou"), "northwest", "620100"),
    "shenyang": City(Localized("沈阳", "Shenyang"), "northeast", "210100"),
    "dalian": City(Localized("大连", "Dalian"), "northeast", "210200"),
    "harbin": City(Localized("哈尔滨", "Harbin"), "northeast", "230100"),
}
CITY_WEIGHTS: dict[str, int] = {
    "shanghai": 6, "hangzhou": 5, "nanjing": 4, "suzhou": 4, "ningbo": 2, "hefei": 2, "jinan": 2,
    "guangzhou": 5, "shenzhen": 6, "dongguan": 2, "nanning": 1,
    "beijing": 6, "tianjin": 2, "shijiazhuang": 1, "taiyuan": 1,
    "wuhan": 3, "changsha": 2, "zhengzhou": 2,
    "chengdu": 3, "chongqing": 2, "kunming": 1,
    "xian": 2, "lanzhou": 1,
    "shenyang": 1, "dalian": 1, "harbin": 1,
}  # fmt: skip

BRANDS: tuple[Localized, ...] = (
    Localized("恒通", "Hengtong"), Localized("华泰", "Huatai"), Localized("新创", "Xinchuang"),
    Localized("博远", "Boyuan"), Localized("中联", "Zhonglian"), Localized("信达", "Xinda"),
    Localized("瑞丰", "Ruifeng"), Localized("天成", "Tiancheng"), Localized("汇智", "Huizhi"),
    Localized("金桥", "Jinqiao"), Localized("宏图", "Hongtu"), Localized("海川", "Haichuan"),
    Localized("启明", "Qiming"), Localized("万象", "Wanxiang"), Localized("润泽", "Runze"),
    Localized("远航", "Yuanhang"), Localized("卓越", "Zhuoyue"), Localized("正元", "Zhengyuan"),
    Localized("联创", "Lianchuang"), Localized("云帆", "Yunfan"), Localized("智联", "Zhilian"),
    Localized("长风", "Changfeng"), Localized("明德", "Mingde"), Localized("安泰", "Antai"),
)  # fmt: skip
SUFFIXES: tuple[Localized, ...] = (
    Localized("科技有限公司", "Technology Co., Ltd."),
    Localized("信息技术有限公司", "Information Technology Co., Ltd."),
    Localized("电子有限公司", "Electronics Co., Ltd."),
    Localized("数据服务有限公司", "Data Services Co., Ltd."),
    Localized("网络科技有限公司", "Network Technology Co., Ltd."),
    Localized("软件股份有限公司", "Software Co., Ltd."),
    Localized("系统集成有限公司", "Systems Integration Co., Ltd."),
    Localized("智能科技有限公司", "Intelligent Technology Co., Ltd."),
    Localized("商贸有限公司", "Trading Co., Ltd."),
)

INDUSTRIES: tuple[Localized, ...] = (
    Localized("制造", "Manufacturing"), Localized("零售", "Retail"), Localized("金融", "Financial services"),
    Localized("医疗", "Healthcare"), Localized("教育", "Education"), Localized("能源", "Energy"),
    Localized("物流", "Logistics"), Localized("政务", "Public sector"),
)  # fmt: skip
TAGS: tuple[Localized, ...] = (
    Localized("信创", "xinchuang"), Localized("云服务", "cloud"), Localized("安全", "security"),
    Localized("重点客户", "key-account"), Localized("新签约", "new-signing"), Localized("认证完成", "certified"),
    Localized("中小企业", "smb"), Localized("试点合作", "pilot"),
)  # fmt: skip

SURNAMES: tuple[Localized, ...] = (
    Localized("王", "Wang"), Localized("李", "Li"), Localized("张", "Zhang"), Localized("刘", "Liu"),
    Localized("陈", "Chen"), Localized("杨", "Yang"), Localized("黄", "Huang"), Localized("赵", "Zhao"),
    Localized("吴", "Wu"), Localized("周", "Zhou"), Localized("徐", "Xu"), Localized("孙", "Sun"),
    Localized("马", "Ma"), Localized("朱", "Zhu"), Localized("胡", "Hu"), Localized("郭", "Guo"),
)  # fmt: skip
GIVEN_NAMES: tuple[Localized, ...] = (
    Localized("伟", "Wei"), Localized("芳", "Fang"), Localized("娜", "Na"), Localized("敏", "Min"),
    Localized("静", "Jing"), Localized("磊", "Lei"), Localized("洋", "Yang"), Localized("勇", "Yong"),
    Localized("艳", "Yan"), Localized("杰", "Jie"), Localized("涛", "Tao"), Localized("明", "Ming"),
    Localized("超", "Chao"), Localized("秀英", "Xiuying"), Localized("建华", "Jianhua"), Localized("晓东", "Xiaodong"),
)  # fmt: skip
CONTACT_TITLES: tuple[Localized, ...] = (
    Localized("总经理", "General Manager"),
    Localized("销售总监", "Sales Director"),
    Localized("财务经理", "Finance Manager"),
    Localized("技术负责人", "Technical Lead"),
    Localized("渠道经理", "Channel Manager"),
)
CONTRACT_TERMS: tuple[Localized, ...] = (
    Localized(
        "年度经销协议：返利按季度结算，回款账期按合作条款执行。",
        "Annual distribution agreement: rebates settled quarterly.",
    ),
    Localized(
        "授权代理协议：限定区域内销售，商机报备后享受90天保护。",
        "Authorised agent agreement: regional; registered deals protected for 90 days.",
    ),
    Localized(
        "服务合作协议：实施与运维服务，按项目验收结算。",
        "Service partnership: implementation and support, settled on acceptance.",
    ),
    Localized(
        "试点合作协议：首年试点，达成目标后转为正式合作。",
        "Pilot agreement: one-year pilot, then full partnership once on target.",
    ),
)
INTERNAL_NOTES: tuple[Localized, ...] = (
    Localized("回款偶有延迟，注意跟进。", "Collections sometimes late; follow up."),
    Localized("老板与竞争对手关系密切，需关注渠道冲突。", "Owner close to a competitor; watch for channel conflict."),
    Localized("尽职调查已完成，资质良好。", "Due diligence done; good standing."),
    Localized("考虑明年升级为战略伙伴。", "Candidate for strategic tier next year."),
)

KIND_WEIGHTS = {"distributor": 2, "reseller": 4, "agent": 2, "service_provider": 2}
TIER_WEIGHTS = {"core": 1, "strategic": 3, "ordinary": 6}
STATUS_WEIGHTS = {"active": 13, "onboarding": 2, "prospect": 2, "suspended": 2, "terminated": 1}
# Credit limits in CNY by tier: (low, high) in units of 10,000.
CREDIT_LIMIT_RANGE = {"core": (100, 500), "strategic": (30, 100), "ordinary": (5, 30)}
PAYMENT_TERMS = (30, 30, 45, 60, 90)

STATUS_REASONS: dict[str, Localized] = {
    "onboarding": Localized("资质审核通过，开始入驻", "Due diligence passed; onboarding started"),
    "active": Localized("完成入驻培训，正式合作", "Onboarding complete; partnership active"),
    "suspended": Localized("逾期回款未解决，暂停合作", "Suspended: overdue receivables unresolved"),
    "terminated": Localized("合同到期不再续约", "Contract not renewed"),
}
TIER_REASONS: dict[str, Localized] = {
    "core": Localized("年度评审：升级为核心伙伴", "Annual review: upgraded to core"),
    "strategic": Localized("年度评审：升级为战略伙伴", "Annual review: upgraded to strategic"),
    "ordinary": Localized("年度评审：调整为普通伙伴", "Annual review: moved to ordinary"),
}


def organization_code(digits: str) -> str:
    """GB 11714 organization code: eight digits and a check character (0–9 or X)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    remainder = 11 - sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(remainder, str(remainder))


def unified_social_credit_code(division_code: str, organization_digits: str) -> str:
    """A valid 18-character code: 9 (registered with market regulation) 1 (enterprise), division, org code."""
    from partners.validators import uscc_check_character

    first17 = "91" + division_code + organization_code(organization_digits)
    return first17 + uscc_check_character(first17)


def years_ago(today: datetime.date, years: int) -> datetime.date:
    return today - datetime.timedelta(days=365 * years)


# The distributor that carries both vendors' lines: the same company (same tax id) in both tenants,
# and its owner holds a membership in each (the tenant chooser).
DINGSHENG_TAX_ID = unified_social_credit_code("310000", "13246572")
DINGSHENG_OWNER = Person("boss@dingsheng.example", Localized("孙立新", "Sun Lixin"))


def _dingsheng(tier_path: tuple[tuple[str, int], ...]) -> FeaturedPartner:
    return FeaturedPartner(
        brand=Localized("鼎盛", "Dingsheng"),
        city="shanghai",
        suffix=Localized("分销有限公司", "Distribution Co., Ltd."),
        kind="distributor",
        tier=tier_path[-1][0],
        tier_path=tier_path,
        years_joined=4,
        tax_id=DINGSHENG_TAX_ID,
        people={"partner_admin": DINGSHENG_OWNER},
    )


TENANTS: tuple[TenantSpec, ...] = (
    TenantSpec(
        slug="huaxin",
        name="华信科技",
        language=Tenant.Language.ZH_HANS,
        currency="CNY",
        timezone="Asia/Shanghai",
        code_prefix="HX",
        money_scale=Decimal("1"),
        people={
            "admin": Person("admin@huaxin.example", Localized("周明", "Zhou Ming")),
            "channel_manager-1": Person("manager1@huaxin.example", Localized("王磊", "Wang Lei")),
            "channel_manager-2": Person("manager2@huaxin.example", Localized("李娜", "Li Na")),
            "channel_manager-3": Person("manager3@huaxin.example", Localized("张伟", "Zhang Wei")),
            "finance": Person("finance@huaxin.example", Localized("陈静", "Chen Jing")),
            "risk": Person("risk@huaxin.example", Localized("刘洋", "Liu Yang")),
            "viewer": Person("viewer@huaxin.example", Localized("赵敏", "Zhao Min")),
        },
        featured=(
            _dingsheng((("ordinary", 4), ("strategic", 3), ("core", 1))),
            FeaturedPartner(
                brand=Localized("恒通", "Hengtong"),
                city="hangzhou",
                suffix=Localized("科技有限公司", "Technology Co., Ltd."),
                kind="reseller",
                tier="strategic",
                tier_path=(("ordinary", 2), ("strategic", 1)),
                years_joined=2,
                tax_id=unified_social_credit_code("330100", "32815907"),
                people={
                    "partner_admin": Person("admin@hengtong.example", Localized("黄建华", "Huang Jianhua")),
                    "partner_user": Person("sales@hengtong.example", Localized("吴芳", "Wu Fang")),
                },
            ),
        ),
    ),
    TenantSpec(
        slug="northwind",
        name="Northwind Systems",
        language=Tenant.Language.EN,
        currency="USD",
        timezone="Asia/Singapore",
        code_prefix="NW",
        money_scale=Decimal("0.14"),
        people={
            "admin": Person("admin@northwind.example", Localized("艾琳", "Irene Walsh")),
            "channel_manager-1": Person("manager1@northwind.example", Localized("马克", "Mark Chen")),
            "channel_manager-2": Person("manager2@northwind.example", Localized("苏菲", "Sophie Lin")),
            "finance": Person("finance@northwind.example", Localized("大卫", "David Osei")),
            "risk": Person("risk@northwind.example", Localized("安娜", "Anna Kowalski")),
            "viewer": Person("viewer@northwind.example", Localized("汤姆", "Tom Becker")),
        },
        featured=(
            _dingsheng((("strategic", 4), ("core", 2))),
            FeaturedPartner(
                brand=Localized("启明", "Qiming"),
                city="chengdu",
                suffix=Localized("软件股份有限公司", "Software Co., Ltd."),
                kind="service_provider",
                tier="strategic",
                tier_path=(("strategic", 3),),
                years_joined=3,
                tax_id=unified_social_credit_code("510100", "20573318"),
                people={
                    "partner_admin": Person("admin@qiming.example", Localized("郭晓东", "Guo Xiaodong")),
                    "partner_user": Person("sales@qiming.example", Localized("朱艳", "Zhu Yan")),
                },
            ),
        ),
    ),
)
TENANT_SLUGS = tuple(spec.slug for spec in TENANTS)


def demo_emails() -> set[str]:
    emails = {DINGSHENG_OWNER.email}
    for spec in TENANTS:
        emails |= {person.email for person in spec.people.values()}
        for featured in spec.featured:
            emails |= {person.email for person in featured.people.values()}
    return emails
