"""The registry: every family module registers its checks, in the families' order, and a
check reads the shared analysis but never what another check has found."""

import pkgutil
from dataclasses import FrozenInstanceError

import pytest

from assessments import checks
from assessments.checks import ENTRY, Place, Severity
from assessments.checks.registry import REGISTRY, Registry

from .helpers import DPRK, entry

NOT_FAMILIES = {"analysis", "context", "registry", "results", "text", "words"}
# The order of the families is part of the order of results, and of their keys.
ORDER = "entry numbers repetition sentences names footnotes recommendations dates"


def test_every_family_module_registers_its_checks():
    modules = {module.name for module in pkgutil.iter_modules(checks.__path__)}
    assert REGISTRY.families == tuple(ORDER.split())
    assert set(REGISTRY.families) == modules - NOT_FAMILIES
    for family in REGISTRY.families:
        registered = REGISTRY.checks[family]
        assert registered, family
        assert {check.__module__ for check in registered} == {f"assessments.checks.{family}"}


def test_a_check_sees_the_analysis_and_not_another_checks_results():
    registry = Registry(("first", "second"))
    seen = {}

    @registry.register("first")
    def reports_an_error(analysis, report):
        report(Severity.ERROR, "first.error", Place(ENTRY), "Found by the first check.")

    @registry.register("second")
    def looks_around(analysis, report):
        seen["findings"] = [piece.text for piece in analysis.findings]
        seen["reported"] = list(report.results)
        with pytest.raises(FrozenInstanceError):
            analysis.found = "what the first check found"

    results = registry.run(entry(), DPRK)
    assert [result.check for result in results] == ["first.error"]
    assert seen["findings"] == entry().findings
    assert seen["reported"] == []


def test_a_check_must_name_a_known_family():
    with pytest.raises(ValueError, match="not a family of checks"):
        Registry(("entry",)).register("spelling")
