"""Without Chromium the browser tests skip and say why — but not in CI, where they must run (issue 12)."""

import types

import pytest

from tests import browser
from tests.conftest import pytest_runtest_setup


def _item(marked: bool):
    return types.SimpleNamespace(get_closest_marker=lambda name: object() if marked and name == "browser" else None)


def test_a_browser_test_skips_with_the_reason_when_chromium_is_missing(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nowhere/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt install chromium"):
        pytest_runtest_setup(_item(marked=True))


def test_in_ci_a_missing_chromium_is_not_skipped(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nowhere/chromium")
    monkeypatch.setenv("CI", "true")
    pytest_runtest_setup(_item(marked=True))  # no skip: the test itself will fail loudly


def test_other_tests_never_skip(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nowhere/chromium")
    monkeypatch.delenv("CI", raising=False)
    pytest_runtest_setup(_item(marked=False))
