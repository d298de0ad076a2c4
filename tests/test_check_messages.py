"""``gcio-eval check`` reads the contract's Spanish level names and says a fix shared by many rows once.

Issue 10, section 2: ``nacional``, ``departamental`` and ``municipal`` (any case, any accents) are the
English levels, normalised when the data are loaded, never by editing the file; and a problem that
many rows share is one line with the count and the first rows, not one line per row.
"""

from __future__ import annotations

import re

from contract_fixtures import ENTITIES, OUTCOMES, folder_hashes, replace_line, valid_folder
from evaluation.load import checks
from evaluation.load.checks import check
from evaluation.load.dataset import load


def _spanish_entities() -> str:
    entities = ENTITIES
    for old, new in [("Información,national,", "Información,Nacional,"),
                     ("Pública,national,", "Pública,NACIONÁL,"),
                     ("Codazzi,national,", "Codazzi, nacional ,"),
                     ("Medellín,municipal,", "Medellín,MUNICIPAL,"),
                     ("Cali,municipal,", "Cali,Munícipal,"),
                     ("Antioquia,departmental,", "Antioquia,Departamental,")]:
        entities = replace_line(entities, old, new)
    return entities


def test_spanish_level_names_are_read_as_the_english_ones(tmp_path):
    folder = valid_folder(tmp_path, entities_csv=_spanish_entities())
    before = folder_hashes(folder)
    problems = check(folder)
    assert problems.ok, str(problems)
    assert not [p for p in problems if p.column == "level"], str(problems)
    levels = load(folder).entities.set_index("entity_id")["level"]
    assert levels.to_dict() == {"MINTIC": "national", "DAFP": "national", "IGAC": "national",
                                "05001": "municipal", "76001": "municipal", "05": "departmental"}
    # municipal entities are recognised as municipal by the cross-table checks too (DIVIPOLA present: no warning)
    assert not [p for p in problems if p.column == "divipola"], str(problems)
    assert folder_hashes(folder) == before  # the user's file is never rewritten


def test_other_words_for_a_level_are_still_refused_with_the_english_name(tmp_path):
    entities = replace_line(ENTITIES, "Codazzi,national,", "Codazzi,territorial,")
    problems = check(valid_folder(tmp_path, entities_csv=entities))
    [problem] = [p for p in problems if p.column == "level"]
    assert problem.row == 4 and "'territorial' is not a recognised level" in problem.problem
    assert "departmental or municipal" in problem.fix


def test_a_fix_shared_by_a_thousand_rows_is_said_once_with_the_count_and_the_first_rows(tmp_path):
    header, *rows = OUTCOMES.splitlines()
    bad = [f"IGAC,2018,T{i:04d},N/A" for i in range(1000)]
    outcomes = "\n".join([header, *rows, *bad]) + "\n"
    problems = check(valid_folder(tmp_path, outcomes_csv=outcomes))
    first_bad_row = len(rows) + 2  # header is row 1
    said = [p for p in problems if p.file == "outcomes.csv" and p.column == "value"]
    assert len(said) == 1, str(problems)
    [problem] = said
    assert problem.row == first_bad_row
    assert problem.problem.startswith(
        f"1,000 rows (rows {first_bad_row}, {first_bad_row + 1}, {first_bad_row + 2} and 997 more): 'N/A' is not")
    assert problem.fix.startswith("write a number")
    assert len(re.findall(r"write a number", str(problems))) == 1


def test_a_problem_of_a_few_rows_is_still_listed_per_row_with_its_entity(tmp_path):
    few = checks.SAID_ONCE_FROM - 1
    header, *rows = OUTCOMES.splitlines()
    outcomes = "\n".join([header, *rows, *(f"IGAC,2018,T{i:04d},N/A" for i in range(few))]) + "\n"
    problems = check(valid_folder(tmp_path, outcomes_csv=outcomes))
    said = [p for p in problems if p.file == "outcomes.csv" and p.column == "value"]
    assert [p.row for p in said] == [len(rows) + 2 + i for i in range(few)]
    assert all(p.problem.startswith("entity IGAC: 'N/A' is not a number") for p in said)


def test_a_text_covariate_repeated_in_many_rows_is_still_one_problem_for_the_column(tmp_path):
    header, *rows = ENTITIES.splitlines()
    entities = "\n".join([header + ",mayor", *(f"{r},sin dato" for r in rows)]) + "\n"
    problems = check(valid_folder(tmp_path, entities_csv=entities))
    [problem] = [p for p in problems if p.column == "mayor"]
    assert problem.row is None and "holds text" in problem.problem
