"""check(folder): every problem, in one pass, with file, row, column and fix."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from contract_fixtures import ADOPTION, ENTITIES, OUTCOMES, folder_hashes, replace_line, valid_folder, write_xlsx
from evaluation.load import checks
from evaluation.load.checks import Problem, Problems, check

# Row numbers in the fixture files (header = row 1).
OUTCOME_ROW_IGAC_2018_POL07 = 26  # 2 + entity 2 * 10 + year offset 2 * 2


def at(problems: Problems, file: str, row: int | None, column: str) -> list[Problem]:
    """The problems reported at one place."""
    return [p for p in problems if p.file == file and p.row == row and p.column == column]


def only(problems: Problems, file: str, row: int | None, column: str, severity: str = "error") -> Problem:
    found = at(problems, file, row, column)
    assert len(found) == 1, f"expected one problem at {file} row {row} column {column}, got:\n{problems}"
    assert found[0].severity == severity, str(found[0])
    return found[0]


def test_valid_folder_has_no_problems(tmp_path):
    problems = check(valid_folder(tmp_path))
    assert problems.ok
    assert len(problems) == 0, str(problems)
    assert "No problems found" in str(problems)


# --------------------------------------------------------------------------- files


def test_missing_required_file(tmp_path):
    problems = check(valid_folder(tmp_path, adoption_csv=None))
    assert not problems.ok
    problem = only(problems, "adoption", None, "")
    assert "required table adoption is missing" in problem.problem
    assert "adoption.csv or adoption.xlsx" in problem.fix


def test_missing_optional_file_is_not_a_problem(tmp_path):
    problems = check(valid_folder(tmp_path, monitoring_csv=None, costs_csv=None, dataset_yml=None))
    assert len(problems) == 0, str(problems)


def test_two_files_for_one_table(tmp_path):
    folder = valid_folder(tmp_path)
    write_xlsx(folder / "entities.xlsx", [["entity_id"], ["X"]])
    problem = only(check(folder), "entities.csv, entities.xlsx", None, "")
    assert "both hold the table entities" in problem.problem


def test_misnamed_file_is_pointed_out(tmp_path):
    folder = valid_folder(tmp_path)
    (folder / "adoptions.csv").write_text(ADOPTION, encoding="utf-8")
    problem = only(check(folder), "adoptions.csv", None, "", severity="warning")
    assert "rename it to adoption.csv" in problem.fix


def test_empty_file(tmp_path):
    problems = check(valid_folder(tmp_path, adoption_csv=""))
    problem = only(problems, "adoption.csv", None, "")
    assert "empty" in problem.problem


def test_header_without_rows_is_an_error_for_required_tables(tmp_path):
    problems = check(valid_folder(tmp_path, adoption_csv="entity_id,adoption_date\n",
                                  monitoring_csv="year,output,value\n"))
    assert "no rows of data" in only(problems, "adoption.csv", None, "").problem
    assert "no rows of data" in only(problems, "monitoring.csv", None, "", severity="warning").problem


def test_missing_folder_raises_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_folder"):
        check(tmp_path / "no_such_folder")


# --------------------------------------------------------------------------- columns


def test_missing_column_names_expected_and_found_columns(tmp_path):
    outcomes = OUTCOMES.replace("entity_id,year,indicator,value", "entity_id,year,indicator,score")
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv", None, "value")
    assert problem.problem == "the required column 'value' is missing"
    assert "add a column named 'value'" in problem.fix
    assert "Columns found: entity_id, year, indicator, score" in problem.fix
    assert "comma-separated, UTF-8" in problem.fix


def test_missing_column_differing_only_in_case_says_rename(tmp_path):
    outcomes = OUTCOMES.replace("entity_id,year,indicator,value", "entity_id,year,indicator,Value")
    problems = check(valid_folder(tmp_path, outcomes_csv=outcomes))
    assert "rename the column 'Value' to 'value'" in only(problems, "outcomes.csv", None, "value").fix
    assert at(problems, "outcomes.csv", None, "Value") == []  # not reported a second time


def test_unknown_column_in_a_table_without_extra_columns(tmp_path):
    adoption = ADOPTION.replace("post_level\n", "post_levl\n", 1)
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", None, "post_levl",
                   severity="warning")
    assert "will be ignored" in problem.problem
    assert "post_level" in problem.fix


def test_extra_entities_column_must_hold_numbers(tmp_path):
    entities = replace_line(ENTITIES, ",2612958\n", ",muchos\n")
    problem = only(check(valid_folder(tmp_path, entities_csv=entities)), "entities.csv", 5, "population")
    assert "'muchos' is not a number" in problem.problem


def test_text_column_in_entities_is_one_problem_not_one_per_row(tmp_path):
    entities = "entity_id,name,level,mayor\n" + "\n".join(
        f"E{i},Entidad {i},national,Señor {i}" for i in range(5)) + "\n"
    problems = check(valid_folder(tmp_path, entities_csv=entities, adoption_csv="entity_id,adoption_date\nE1,2017-05-01\n",
                                  outcomes_csv="entity_id,year,indicator,value\nE1,2017,POL07,50\n",
                                  survey_ict_offices_csv=None))
    problem = only(problems, "entities.csv", None, "mayor")
    assert "holds text" in problem.problem and "'Señor 0'" in problem.problem
    assert [p for p in problems if p.column == "mayor"] == [problem]


def test_survey_items_must_be_whole_numbers_from_1_to_5(tmp_path):
    survey = "respondent_id,entity_id,comment,q_team,notes\nR1,,,6,\nR2,,,2.5,\nR3,,,,\nR4,,,mucho,\n"
    problems = check(valid_folder(tmp_path, survey_ict_offices_csv=survey))
    assert "outside the range 1 to 5" in only(problems, "survey_ict_offices.csv", 2, "q_team").problem
    assert "not a whole number" in only(problems, "survey_ict_offices.csv", 3, "q_team").problem
    assert at(problems, "survey_ict_offices.csv", 4, "q_team") == []  # blank: no answer
    assert "not a number" in only(problems, "survey_ict_offices.csv", 5, "q_team").problem
    assert "q_" in only(problems, "survey_ict_offices.csv", None, "notes", severity="warning").fix


def test_repeated_and_unnamed_columns(tmp_path):
    adoption = "entity_id,adoption_date,adoption_date,\nMINTIC,2017-03-09,2017-03-09,x\n"
    problems = check(valid_folder(tmp_path, adoption_csv=adoption))
    assert "appears twice (columns 2 and 3)" in only(problems, "adoption.csv", 1, "adoption_date").problem
    assert "column 4 has values but no name" in only(problems, "adoption.csv", 1, "unnamed_4").problem


def test_decimal_comma_in_comma_separated_file_is_explained(tmp_path):
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,2018,POL07,65,5\n")
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv",
                   OUTCOME_ROW_IGAC_2018_POL07, "")
    assert "have 5 values but the header has 4 columns" in problem.problem
    assert "decimal mark" in problem.fix and "';'" in problem.fix


# --------------------------------------------------------------------------- cells


def test_non_numeric_score_quotes_the_text(tmp_path):
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,2018,POL07,sesenta\n")
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv",
                   OUTCOME_ROW_IGAC_2018_POL07, "value")
    assert problem.problem == "entity IGAC: 'sesenta' is not a number"
    assert "57,4" in problem.fix


def test_score_out_of_range(tmp_path):
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,2018,POL07,650\n")
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv",
                   OUTCOME_ROW_IGAC_2018_POL07, "value")
    assert "'650' is outside the range 0 to 100" in problem.problem


def test_semicolon_file_with_decimal_commas_is_valid(tmp_path):
    outcomes = OUTCOMES.replace(",", ";").replace(".5\n", ",5\n").replace(".0\n", ",0\n")
    assert ";57,5\n" in outcomes
    assert len(check(valid_folder(tmp_path, outcomes_csv=outcomes))) == 0


def test_blank_required_value(tmp_path):
    adoption = replace_line(ADOPTION, "DAFP,15/06/2017,", "DAFP,,")
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 3, "adoption_date")
    assert problem.problem == "entity DAFP: adoption_date is blank"
    assert problem.fix.startswith("fill in adoption_date")


def test_blank_outcome_is_a_warning_not_an_error(tmp_path):
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,2018,POL07,\n")
    problems = check(valid_folder(tmp_path, outcomes_csv=outcomes))
    assert problems.ok
    problem = only(problems, "outcomes.csv", OUTCOME_ROW_IGAC_2018_POL07, "value", severity="warning")
    assert "1 value of POL07 is blank" in problem.problem and "left out of the panel" in problem.problem


def test_level_not_in_allowed_list(tmp_path):
    # (was "nacional", which is now read as national: see test_spanish_level_names_are_read_as_the_english_ones)
    entities = replace_line(ENTITIES, "IGAC,Instituto Geográfico Agustín Codazzi,national",
                            "IGAC,Instituto Geográfico Agustín Codazzi,orden nacional")
    problem = only(check(valid_folder(tmp_path, entities_csv=entities)), "entities.csv", 4, "level")
    assert "'orden nacional' is not a recognised level" in problem.problem
    assert "'national'" in problem.fix


def test_dd_mm_yyyy_dates_are_accepted_and_mm_dd_rejected(tmp_path):
    assert check(valid_folder(tmp_path / "a")).ok  # fixture has 15/06/2017 and 01/07/2019
    adoption = replace_line(ADOPTION, "15/06/2017", "06/15/2017")
    problem = only(check(valid_folder(tmp_path / "b", adoption_csv=adoption)), "adoption.csv", 3, "adoption_date")
    assert "'06/15/2017' has month 15" in problem.problem


def test_unparseable_year(tmp_path):
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,vig2018,POL07,65.0\n")
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv",
                   OUTCOME_ROW_IGAC_2018_POL07, "year")
    assert "'vig2018' is not a year" in problem.problem


# --------------------------------------------------------------------------- keys


def test_duplicate_entity_year_names_both_rows(tmp_path):
    outcomes = OUTCOMES + "IGAC,2018,POL07,66.0\n"
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv", 62,
                   "entity_id, year, indicator")
    assert problem.problem == f"entity IGAC has 2 values of POL07 for 2018: rows {OUTCOME_ROW_IGAC_2018_POL07} and 62"


def test_entity_adopting_twice_names_both_rows_and_dates(tmp_path):
    adoption = ADOPTION + "05001,2019-01-01,,\n"
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 6, "entity_id")
    assert problem.problem == "entity 05001 adopts twice: rows 4 and 6 (dates 2018-02-01, 2019-01-01)"


def test_entity_listed_twice(tmp_path):
    entities = ENTITIES + "IGAC,Otro nombre,national,,,,,\n"
    problem = only(check(valid_folder(tmp_path, entities_csv=entities)), "entities.csv", 8, "entity_id")
    assert "rows 4 and 8" in problem.problem


# --------------------------------------------------------------------------- across tables


def test_adoption_for_unknown_entity(tmp_path):
    adoption = ADOPTION + "99999,2018-01-01,,\n"
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 6, "entity_id")
    assert problem.problem == "entity 99999 is not in entities.csv"


def test_unknown_entity_that_lost_its_leading_zero_gets_a_hint(tmp_path):
    adoption = replace_line(ADOPTION, "05001,2018-02-01", "5001,2018-02-01")
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 4, "entity_id")
    assert "'05001'" in problem.fix and "leading zero" in problem.fix


def test_outcomes_for_unknown_entity_are_grouped(tmp_path):
    outcomes = OUTCOMES + "".join(f"99999,{y},POL07,50\n" for y in range(2016, 2021))
    problem = only(check(valid_folder(tmp_path, outcomes_csv=outcomes)), "outcomes.csv", 62, "entity_id")
    assert problem.problem == "entity 99999 is not in entities.csv (5 rows: rows 62, 63, 64, 65 and 66)"


def test_adoption_after_the_panel_names_the_panel_years(tmp_path):
    adoption = ADOPTION + "IGAC,01/02/2022,,\n"
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 6, "adoption_date",
                   severity="warning")
    assert problem.problem == ("entity IGAC adopts on 2022-02-01, after the last year of outcome data (2020); "
                               "the outcomes cover 2016–2020")
    assert problem.fix.startswith("check the date of the act, or add outcome data for that year")


def test_adoption_before_the_panel_names_the_panel_years(tmp_path):
    outcomes = "\n".join(line for line in OUTCOMES.splitlines() if ",2016," not in line and ",2017," not in line)
    problems = check(valid_folder(tmp_path, outcomes_csv=outcomes + "\n"))
    problem = only(problems, "adoption.csv", 2, "adoption_date", severity="warning")
    assert "before the first year of outcome data (2018); the outcomes cover 2018–2020" in problem.problem
    assert problems.ok


def test_future_adoption_date(tmp_path):
    next_year = dt.date.today().year + 1
    adoption = ADOPTION + f"IGAC,01/02/{next_year},,\n"
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 6, "adoption_date")
    assert f"adopts on {next_year}-02-01, which is in the future" in problem.problem


def test_future_is_judged_against_the_given_day(tmp_path):
    folder = valid_folder(tmp_path)
    problems = checks.parse_folder(folder, today=dt.date(2018, 1, 1)).problems
    assert "in the future" in only(problems, "adoption.csv", 4, "adoption_date").problem


def test_adoption_before_decree_415(tmp_path):
    adoption = replace_line(ADOPTION, "15/06/2017", "08/03/2016")
    problem = only(check(valid_folder(tmp_path, adoption_csv=adoption)), "adoption.csv", 3, "adoption_date")
    assert "before Decree 415 of 9 March 2016" in problem.problem
    adoption = replace_line(ADOPTION, "15/06/2017", "09/03/2016")  # the day itself is fine
    assert at(check(valid_folder(tmp_path / "b", adoption_csv=adoption)), "adoption.csv", 3, "adoption_date") == []


def test_municipal_entity_without_divipola_is_a_warning(tmp_path):
    entities = replace_line(ENTITIES, "Valle del Cauca,76001,", "Valle del Cauca,,")
    problems = check(valid_folder(tmp_path, entities_csv=entities))
    assert problems.ok
    problem = only(problems, "entities.csv", 6, "divipola", severity="warning")
    assert problem.problem == "municipal entity 76001 has no DIVIPOLA code"


def test_dataset_yml_synthetic_must_be_true_or_false(tmp_path):
    problems = check(valid_folder(tmp_path, dataset_yml="name: x\nsynthetic: maybe\n"))
    assert "true or false" in only(problems, "dataset.yml", None, "synthetic").problem


def test_dataset_yml_that_is_not_yaml(tmp_path):
    problems = check(valid_folder(tmp_path, dataset_yml="name: [unclosed\n"))
    assert any(p.file == "dataset.yml" and "YAML" in p.problem for p in problems.errors)


# --------------------------------------------------------------------------- one pass, messages


def test_all_problems_of_several_broken_files_come_back_in_one_call(tmp_path):
    entities = replace_line(ENTITIES, "IGAC,Instituto Geográfico Agustín Codazzi,national",
                            "IGAC,Instituto Geográfico Agustín Codazzi,federal")
    adoption = ADOPTION + "99999,2018-01-01,,\nDAFP,2018-01-01,,\n"
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,2018,POL07,sesenta\n")
    monitoring = "year,output,valor\n2017,bulletins,26\n"
    problems = check(valid_folder(tmp_path, entities_csv=entities, adoption_csv=adoption,
                                  outcomes_csv=outcomes, monitoring_csv=monitoring, costs_csv=""))
    places = {(p.file, p.row, p.column) for p in problems.errors}
    assert places == {
        ("entities.csv", 4, "level"),
        ("adoption.csv", 6, "entity_id"),          # unknown entity
        ("adoption.csv", 7, "entity_id"),          # DAFP adopts twice
        ("outcomes.csv", OUTCOME_ROW_IGAC_2018_POL07, "value"),
        ("monitoring.csv", None, "value"),
        ("costs.csv", None, ""),
    }, str(problems)
    # Ordered by file (contract order), then row.
    assert [p.file for p in problems.errors][:1] == ["entities.csv"]


def test_message_names_file_row_column_and_fix(tmp_path):
    adoption = ADOPTION + "IGAC,2031-02-01,,\n"
    problems = check(valid_folder(tmp_path, adoption_csv=adoption), )
    text = str(only(problems, "adoption.csv", 6, "adoption_date"))
    assert text.startswith("adoption.csv row 6, column adoption_date: entity IGAC adopts on 2031-02-01")
    assert ". Fix: check the date of the act" in text and text.endswith(".")
    assert text in str(problems)


def test_problems_table_columns_and_rows(tmp_path):
    problems = check(valid_folder(tmp_path, adoption_csv=ADOPTION + "99999,2018-01-01,,\n"))
    table = problems.table
    assert list(table.columns) == ["file", "row", "column", "problem", "fix", "severity"]
    assert table.loc[0, "row"] == 6 and str(table["row"].dtype) == "Int64"
    assert set(table["severity"]) <= {"error", "warning"}


def test_problems_are_immutable(tmp_path):
    problems = check(valid_folder(tmp_path, adoption_csv=ADOPTION + "99999,2018-01-01,,\n"))
    table = problems.table
    table.loc[0, "problem"] = "changed"
    assert problems.table.loc[0, "problem"] != "changed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        problems.records = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        problems.records[0].row = 1  # type: ignore[misc]


def test_html_rendering_escapes_and_shows_every_problem(tmp_path):
    adoption = ADOPTION + "<b>X</b>,2018-01-01,,\n"
    problems = check(valid_folder(tmp_path, adoption_csv=adoption))
    rendered = problems._repr_html_()
    assert "<table" in rendered and rendered.count("<tr>") == len(problems) + 1
    assert "&lt;b&gt;X&lt;/b&gt;" in rendered and "<b>X</b>" not in rendered


def test_errors_and_warnings_split(tmp_path):
    adoption = ADOPTION + "99999,2018-01-01,,\nIGAC,01/02/2022,,\n"
    problems = check(valid_folder(tmp_path, adoption_csv=adoption))
    assert len(problems.errors) == 1 and len(problems.warnings) == 1
    assert problems.errors.ok is False and problems.warnings.ok is True


def test_excel_problems_report_sheet_rows(tmp_path):
    folder = valid_folder(tmp_path, adoption_csv=None)
    write_xlsx(folder / "adoption.xlsx", [
        ["entity_id", "adoption_date"],
        ["MINTIC", dt.datetime(2017, 3, 9)],
        [],
        ["99999", "not a date"],
    ], start_row=2)
    problems = check(folder)
    assert "not in entities.csv" in only(problems, "adoption.xlsx", 5, "entity_id").problem
    assert "'not a date' is not a date" in only(problems, "adoption.xlsx", 5, "adoption_date").problem


def test_check_never_changes_the_files(tmp_path):
    folder = valid_folder(tmp_path, adoption_csv=ADOPTION + "99999,2018-01-01,,\n")
    before = folder_hashes(folder)
    check(folder)
    assert folder_hashes(folder) == before
