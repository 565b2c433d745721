"""The seed's five criteria (渠道筛选的核心标准), with their default weights and 1–5 anchors in both languages."""

from __future__ import annotations

from typing import NamedTuple


class DefaultCriterion(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    weight: int
    anchors_zh: tuple[str, str, str, str, str]
    anchors_en: tuple[str, str, str, str, str]


DEFAULT_CRITERIA = (
    DefaultCriterion(
        "strategic_fit",
        "战略一致性",
        "Strategic fit",
        30,
        (
            "目标市场与我方战略基本不重合",
            "少量重合，方向不一致",
            "部分重合，愿意配合我方战略",
            "大部分重合，规划与我方一致",
            "高度一致，愿将我方产品作为核心业务",
        ),
        (
            "Its markets hardly meet our strategy",
            "Some overlap, but it is heading elsewhere",
            "Partly aligned and willing to follow our plans",
            "Mostly aligned; its plans match ours",
            "Fully aligned; our line would be its core business",
        ),
    ),
    DefaultCriterion(
        "operating_capability",
        "运营能力",
        "Operating capability",
        20,
        (
            "缺少销售与服务团队",
            "团队薄弱，覆盖有限",
            "具备基本的销售、交付与服务能力",
            "团队完整，流程规范，覆盖良好",
            "运营成熟，具备规模化交付与服务能力",
        ),
        (
            "No sales or service team to speak of",
            "A thin team with little reach",
            "Basic sales, delivery and service",
            "A complete team, sound processes, good coverage",
            "Mature operations that deliver and serve at scale",
        ),
    ),
    DefaultCriterion(
        "resource_complementarity",
        "资源互补性",
        "Resource complementarity",
        20,
        (
            "资源与我方重复，无新增价值",
            "少量互补",
            "在客户或区域上有一定互补",
            "客户、区域或技术上明显互补",
            "带来我方缺少的关键客户、渠道或能力",
        ),
        (
            "Duplicates what we have; adds nothing",
            "A little complementary",
            "Some complementary customers or regions",
            "Clearly complementary customers, regions or skills",
            "Brings key customers, channels or skills we lack",
        ),
    ),
    DefaultCriterion(
        "credit_compliance",
        "信用与合规性",
        "Credit and compliance",
        20,
        (
            "存在失信、重大处罚或诉讼",
            "有逾期或合规瑕疵",
            "信用一般，无重大问题",
            "信用良好，资料齐全",
            "信用优秀，财务稳健，合规记录完整",
        ),
        (
            "Defaults, major penalties or lawsuits on record",
            "Late payments or compliance gaps",
            "Average credit, nothing serious",
            "Good credit; papers in order",
            "Excellent credit, sound finances, a clean compliance record",
        ),
    ),
    DefaultCriterion(
        "growth_potential",
        "长期成长潜力",
        "Growth potential",
        10,
        (
            "业务萎缩",
            "增长停滞",
            "平稳增长",
            "增长较快，有扩张计划",
            "高速成长，管理层有长期投入意愿",
        ),
        (
            "Its business is shrinking",
            "Growth has stalled",
            "Steady growth",
            "Growing fast, with plans to expand",
            "Growing very fast; its leaders want to invest for the long term",
        ),
    ),
)
