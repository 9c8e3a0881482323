"""Accuracy against the hand-checked gold answers, on warehouses built like `make run` builds them.

The floors are the project's acceptance figures (README, "Accuracy"); a change that drops
below them fails here.
"""

from __future__ import annotations

import pytest
from conftest import GOLD

from pipelines.evaluate import load_gold, score_warehouse

pytestmark = pytest.mark.slow


def _report(s) -> str:
    return "\n".join([*s.lines(), "misses:", *s.misses[:60]])


def test_seeds_accuracy(seeds_warehouse):
    s = score_warehouse(seeds_warehouse, load_gold(GOLD / "seeds.json"))
    assert s.reports_found == s.reports_gold
    assert s.f1 >= 0.95, _report(s)
    assert s.metadata >= 0.97, _report(s)
    assert s.sections >= 0.99, _report(s)
    assert s.cat_ok == s.cat_n, _report(s)


def test_corpus_accuracy(corpus_warehouse):
    s = score_warehouse(corpus_warehouse, load_gold(GOLD / "corpus.json"))
    assert s.reports_found == s.reports_gold
    assert s.f1 >= 0.95, _report(s)
    assert s.metadata >= 0.97, _report(s)
    assert s.sections >= 0.95, _report(s)


def test_corpus2_accuracy(corpus2_warehouse):
    """The messiest set: mirrors, spam, PDF-export damage, traditional characters, many departments."""
    s = score_warehouse(corpus2_warehouse, load_gold(GOLD / "corpus2.json"))
    assert s.reports_found == s.reports_gold
    assert s.f1 >= 0.90 and s.recall >= 0.85, _report(s)
    assert s.metadata >= 0.95, _report(s)
    assert s.sections >= 0.90, _report(s)


def test_cities_accuracy(cities_warehouse):
    """Whole city work reports read from their Word files."""
    s = score_warehouse(cities_warehouse, load_gold(GOLD / "cities.json"))
    assert s.reports_found == s.reports_gold
    assert s.f1 >= 0.95, _report(s)
    assert s.metadata >= 0.97, _report(s)
    assert s.sections >= 0.95, _report(s)


def test_evaluator_follows_scorer_rules():
    """The repo's evaluator applies the shared scorer's rules (issuer prefix, 科学技术局=科技局, ignore list)."""
    from pipelines.evaluate import same_issuer, score

    assert same_issuer("温州市龙湾区人民政府", "龙湾区人民政府")
    assert same_issuer("常德市科技局", "常德市科学技术局")
    assert not same_issuer("科技局", "常德市科学技术局")  # under 4 characters: too short to be a suffix match
    gold = [{"source_file": "a", "report_year": 2023, "top_sections": ["存在的问题"],
             "section_categories": {"problems": 1},
             "facts": [{"indicator": "tech_smes", "measure": "level", "value": 33, "year": 2022}],
             "ignore": [{"indicator": "tech_smes", "value": 6}]}]
    reports = [{"source_file": "a", "report_year": 2023}]
    sections = [{"source_file": "a", "level": 1, "position": 1, "heading": "存在的问题:", "category": "problems"}]
    facts = [{"source_file": "a", "indicator": "tech_smes", "measure": "level", "value": 33.0, "year": 2022},
             {"source_file": "a", "indicator": "tech_smes", "measure": "new", "value": 6, "year": 2022},
             {"source_file": "a", "indicator": "tech_smes", "measure": "new", "value": 7, "year": 2022}]
    s = score(reports, sections, facts, gold)
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)  # 6 is ignored, 7 is a false positive
    assert (s.meta_ok, s.meta_n, s.sec_ok, s.sec_n, s.cat_ok) == (1, 1, 1, 1, 1)


def test_evaluator_matches_paths_and_skips_unscored_sections():
    """A gold name matches a report named by its raw-folder path where that tail is unique; a gold
    report without ``top_sections`` has its sections unscored (the shared scorer's 2026-12 rules)."""
    from pipelines.evaluate import score

    gold = [{"source_file": "2021.txt", "report_year": 2021},
            {"source_file": "b/2022.txt", "report_year": 2022},
            {"source_file": "c.txt", "report_year": 2020}]
    reports = [{"source_file": "a/2021.txt", "report_year": 2021},
               {"source_file": "a/b/2022.txt", "report_year": 2022},
               {"source_file": "x/b/2022.txt", "report_year": 2019},
               {"source_file": "y/c.txt", "report_year": 2020}]
    sections = [{"source_file": "y/c.txt", "level": 1, "position": 1, "heading": "一年来的工作", "category": None}]
    s = score(reports, sections, [], gold)
    # 2021.txt and c.txt resolve by their unique tails; b/2022.txt has two candidates: not found
    assert (s.reports_found, s.meta_ok, s.meta_n) == (2, 2, 3)
    assert (s.sec_ok, s.sec_n) == (0, 0)  # no top_sections in the gold: the heading is not an extra
