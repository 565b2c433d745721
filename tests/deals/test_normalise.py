"""Customer names as registration compares them (SPEC §4.8): NFKC, case, spaces, punctuation, legal suffixes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deals.normalise import normalise_customer, normalise_tax_id


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # full-width letters, digits and punctuation are their ASCII selves
        ("ＡＢＣ Ｔｒａｄｉｎｇ（上海）", "ABC Trading (上海)"),
        ("华为１２３", "华为123"),
        # case
        ("ACME TRADING", "acme trading"),
        ("Straße GmbH", "STRASSE GMBH"),
        # spaces and punctuation
        ("Acme-Trading, Inc.", "Acme Trading Inc"),
        ("上海 恒通·科技", "上海恒通科技"),
        ("恒通科技（深圳）", "恒通科技深圳"),
        # Chinese legal suffixes
        ("上海恒通科技有限公司", "上海恒通科技"),
        ("上海恒通科技股份有限公司", "上海恒通科技"),
        ("上海恒通科技有限责任公司", "上海恒通科技"),
        ("恒通集团", "恒通"),
        ("恒通集团有限公司", "恒通"),
        # English legal suffixes, repeated and in any order
        ("Acme Co., Ltd.", "Acme"),
        ("Acme Limited", "ACME"),
        ("Acme Inc.", "acme"),
        ("Acme LLC", "acme"),
        ("Acme Corp.", "acme"),
        ("Acme Group Co., Ltd.", "acme"),
        ("ＡＣＭＥ　ＣＯ．，ＬＴＤ．", "acme"),
    ],
)
def test_two_spellings_of_one_customer_have_one_normal_form(one, other):
    assert normalise_customer(one) == normalise_customer(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("上海恒通科技", "北京恒通科技"),
        ("Acme Trading", "Acme Logistics"),
        # only suffixes at the end go: a 集团 inside a name is part of it
        ("恒通集团控股", "恒通控股"),
        # a word merely ending like a suffix is no suffix
        ("Pinco", "Pin"),
    ],
)
def test_different_customers_stay_different(one, other):
    assert normalise_customer(one) != normalise_customer(other)


def test_the_normal_form_of_a_name_reads_as_the_spec_says():
    assert normalise_customer("ＡＣＭＥ Trading Co., Ltd.") == "acmetrading"
    assert normalise_customer("上海恒通科技股份有限公司") == "上海恒通科技"


def test_a_name_that_is_only_a_suffix_keeps_it_so_it_matches_nothing_else():
    assert normalise_customer("Limited") == "limited"
    assert normalise_customer("有限公司") == "有限公司"
    assert normalise_customer("") == ""
    assert normalise_customer("  ,.;  ") == ""


def test_tax_ids_are_compared_without_case_spaces_or_hyphens():
    assert normalise_tax_id(" 91310000-mA1fl1234x ") == "91310000MA1FL1234X"
    assert normalise_tax_id("９１３１００００ＭＡ１ＦＬ１２３４Ｘ") == "91310000MA1FL1234X"
    assert normalise_tax_id("") == ""


@given(st.text(max_size=60))
def test_normalising_is_idempotent_and_never_fails(name):
    once = normalise_customer(name)
    assert normalise_customer(once) == once or once == ""
    assert " " not in once


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Lo"]), min_size=1, max_size=20))
def test_adding_a_suffix_or_changing_case_never_changes_the_normal_form(name):
    base = normalise_customer(name)
    if base in {"co", "ltd", "limited", "inc", "incorporated", "llc", "corp", "corporation", "company", "group", "plc"}:
        return
    assert normalise_customer(f"{name} Co., Ltd.") == base
    assert normalise_customer(f"{name.upper()}有限公司") == normalise_customer(name.upper())
