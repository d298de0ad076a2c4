"""data/README.md documents the same contract the code checks."""

from __future__ import annotations

import re

import pytest

from contract_fixtures import write_folder
from evaluation import paths
from evaluation.load import contract
from evaluation.load.checks import check

README = paths.DATA_README


@pytest.fixture(scope="module")
def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def test_readme_column_tables_match_the_contract(readme_text):
    refreshed = contract.update_markdown_blocks(readme_text)
    assert refreshed == readme_text, (
        "data/README.md is out of date with evaluation/contract.py: run `python -m evaluation.load.contract`")


@pytest.mark.parametrize("name", list(contract.TABLES))
def test_every_table_has_a_generated_block_and_a_section(readme_text, name):
    block = re.search(rf"<!-- contract:{name}:start.*?-->\n(.*?)\n<!-- contract:{name}:end -->",
                      readme_text, flags=re.DOTALL)
    assert block, f"no generated block for {name} in data/README.md"
    assert block.group(1) == contract.markdown(name)
    assert f"## {name}\n" in readme_text
    assert f"<!-- example:{name}.csv -->" in readme_text, f"no example for {name}"


def test_markdown_lists_every_column_with_its_meaning():
    for table in contract.TABLES.values():
        text = contract.markdown(table.name)
        for col in table.columns:
            assert f"| `{col.name}` |" in text
            assert col.meaning in text
        assert ("Optional" in text) == (not table.required)


def test_markdown_changes_when_the_contract_changes(monkeypatch):
    before = contract.markdown("adoption")
    changed = contract.Table(name="adoption", meaning="Changed.", columns=contract.ADOPTION.columns[:1])
    monkeypatch.setitem(contract.TABLES, "adoption", changed)
    assert contract.markdown("adoption") != before
    stale = f"<!-- contract:adoption:start -->\n{before}\n<!-- contract:adoption:end -->"
    assert "Changed." in contract.update_markdown_blocks(stale)


def test_only_optional_tables_are_optional():
    required = {name for name, table in contract.TABLES.items() if table.required}
    assert required == {"entities", "adoption", "outcomes"}


def test_readme_examples_form_a_valid_folder(readme_text, tmp_path):
    examples = dict(re.findall(r"<!-- example:(\S+) -->\n```\w*\n(.*?)```", readme_text, flags=re.DOTALL))
    assert set(examples) == {f"{name}.csv" for name in contract.TABLES} | {"dataset.yml"}
    problems = check(write_folder(tmp_path / "examples", examples))
    assert problems.ok, str(problems)
    # The only warning is the blank POL08 value, shown on purpose.
    assert [p.column for p in problems] == ["value"], str(problems)


def test_readme_keeps_the_section_the_lead_fills_in(readme_text):
    assert "\n## Files in this folder\n" in readme_text
