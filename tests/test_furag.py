"""FURAG results workbooks into the contract: layout, code normalisation, matching across years, bad files.

The real workbooks are not available here, so the tests build them with openpyxl
in the layout of shared/docs/furag_format.md, awkward parts included: a merged
title cell and a second title row above the header on row 3, accents, ``i1`` in
one year and ``I01`` in the next, a policy missing in one year, entities present
in only some years, a numeric Código Sigep stored as text in one year, a name
that changes, a code that changes, "No aplica" in a score cell.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from evaluation import cli
from evaluation.importers import furag
from evaluation.importers.furag import FuragError, import_furag, normalise_code
from evaluation.load.checks import check

NATIONAL_2021 = {
    "header": ["Código Sigep", "Entidad", "Naturaleza Jurídica", "Sector", "Grupo par", "Tipo Formulario",
               "Índice de Desempeño Institucional", "D1 Talento Humano", "POL06 Índice Fortalecimiento Organizacional",
               "POL07 Índice de Gobierno Digital", "POL08 Índice de Seguridad Digital", "i1 Gobernanza",
               "I12 Innovación pública digital", "Observaciones"],
    "rows": [
        [1234, "Ministerio de Tecnologías de la Información y las Comunicaciones", "Ministerio",
         "Tecnologías de la información", "NACIONAL GRUPO 1", "Completo", 95.2, 90, 88.5, 99.5, 97.0, 91, 89, None],
        [5678, "Instituto Geografico Agustin Codazzi", "Establecimiento público", "Hacienda", "NACIONAL GRUPO 2",
         "Completo", 80.1, 75, 70, 81.4, None, 60, 65.5, "revisar"],
        [9012, "Superintendencia de Régimen Especial", "Superintendencia", "Justicia", "NACIONAL GRUPO 3",
         "Reducido", 70, None, None, None, None, None, None, None],
        [7777, "Agencia Nacional Digital", "Agencia", "Tecnologías de la información", "NACIONAL GRUPO 3",
         "Completo", 66, 60, 61, 62, 63, 64, 65, None],
    ],
}

NATIONAL_2022 = {
    # POL08 is missing this year; the sub-index is written I01; code 1234 is stored as text.
    "header": ["Código Sigep", "Entidad", "Naturaleza Jurídica", "Sector", "Grupo par", "Tipo Formulario",
               "Índice de Desempeño Institucional", "D1 Talento Humano", "POL06 Índice Fortalecimiento Organizacional",
               "POL07 Índice de Gobierno Digital", "I01 Gobernanza", "I12 Innovación pública digital"],
    "rows": [
        ["1234", "Ministerio de Tecnologías de la Información y las Comunicaciones", "Ministerio",
         "Tecnologías de la información", "NACIONAL GRUPO 1", "Completo", 96.0, 91, 89, 99.6, 92, 90],
        [5678, "Instituto Geográfico Agustín Codazzi", "Establecimiento público", "Hacienda", "NACIONAL GRUPO 2",
         "Completo", 81.0, 76, "No aplica", 83.0, 61, 66],
        [3456, "Unidad Nueva de Servicios", "Unidad administrativa especial", "Planeación", "NACIONAL GRUPO 3",
         "Completo", 55.5, 50, 51, 52, 53, 54],
        [8888, "Agencia Nacional Digital", "Agencia", "Tecnologías de la información", "NACIONAL GRUPO 3",
         "Completo", 67, 61, 62, 63, 64, 66],
    ],
}

TERRITORIAL_2022 = {
    "header": ["Código Sigep", "Entidad", "Naturaleza Jurídica", "Departamento", "Municipio", "Grupo par",
               "Tipo Formulario", "Índice de Desempeño Institucional", "POL07 Índice de Gobierno Digital", "I1 Gobernanza"],
    "rows": [
        [100, "Alcaldía de Medellín", "Alcaldía", "ANTIOQUIA", "MEDELLÍN", "ALCALDÍA GRUPO 1", "Completo", 88, 90, 85],
        [200, "Gobernación de Antioquia", "Gobernación", "ANTIOQUIA", "MEDELLÍN", "GOBERNACIÓN GRUPO 1", "Completo",
         80, 82, 79],
        [300, "Alcaldía Mayor de Bogotá D.C.", "Alcaldía", "BOGOTÁ, D.C.", "BOGOTÁ, D.C.", "ALCALDÍA GRUPO 1", "Completo",
         92, 95, 93],
        [400, "Concejo de Zzyzx", "Concejo municipal", "ANTIOQUIA", "ZZYZX", "CONCEJO", "Reducido", 40, None, None],
        [500, "Contraloría Departamental del Valle", "Contraloría", "VALLE DEL CAUCA", None, "CONTRALORÍA", "Reducido",
         60, 61, None],
    ],
}


def furag_workbook(path: Path, spec: dict, *, titles=("Resultados FURAG {vig}", "{kind}"), vigencia=None,
                   kind_text=None) -> Path:
    """A results workbook as Función Pública publishes it: two title rows (the first merged), header on row 3."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Resultados"
    vigencia = vigencia or _year_of(path)
    kind_text = kind_text or ("Entidades del orden nacional" if "nacion" in path.name else "Entidades territoriales")
    width = len(spec["header"])
    for row, text in enumerate(titles, start=1):
        sheet.cell(row=row, column=1, value=text.format(vig=f"Vigencia {vigencia}", kind=kind_text))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for column, text in enumerate(spec["header"], start=1):
        sheet.cell(row=3, column=column, value=text)
    for offset, values in enumerate(spec["rows"]):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=4 + offset, column=column, value=value)
    workbook.save(path)
    return path


def _year_of(path: Path) -> int:
    return int(next(part for part in path.stem.replace("vig", "_").split("_") if part.isdigit()))


def _tree(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def workbooks(tmp_path) -> list[Path]:
    folder = tmp_path / "furag"
    folder.mkdir()
    return [
        furag_workbook(folder / "Resultados_vig2022_territorio.xlsx", TERRITORIAL_2022),
        furag_workbook(folder / "Resultados_vig2022_nacion.xlsx", NATIONAL_2022),
        furag_workbook(folder / "Resultados_vig2021_nacion.xlsx", NATIONAL_2021),
    ]


@pytest.fixture
def imported(workbooks, tmp_path):
    report = import_furag(workbooks, tmp_path / "data")
    outcomes = pd.read_csv(tmp_path / "data" / "outcomes.csv", dtype={"entity_id": str})
    entities = pd.read_csv(tmp_path / "data" / "entities.csv", dtype={"entity_id": str})
    return report, outcomes, entities


def _value(outcomes, entity, year, indicator):
    rows = outcomes[(outcomes.entity_id == entity) & (outcomes.year == year) & (outcomes.indicator == indicator)]
    assert len(rows) <= 1
    return None if rows.empty else rows["value"].iloc[0]


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize("header, code", [
    ("i1 Gobernanza", "I01"), ("I1", "I01"), ("I01 Gobernanza", "I01"), ("I 1 Gobernanza", "I01"),
    ("I21 Estrategias de ciudades", "I21"), ("POL07 Índice de Gobierno Digital", "POL07"), ("pol7", "POL07"),
    ("POL 08 Seguridad Digital", "POL08"), ("D1 Talento Humano", "D1"), ("d07", "D7"),
    ("Índice de Desempeño Institucional", "IDI"), ("INDICE DE DESEMPEÑO INSTITUCIONAL", "IDI"), ("IDI", "IDI"),
    ("Índice de Gobierno Digital", None), ("Entidad", None), ("Departamento", None), ("Dimensión 1", None),
    ("I1234", None), ("", None), (None, None),
])
def test_indicator_codes_are_normalised(header, code):
    assert normalise_code(header) == code


# --------------------------------------------------------------------------- the import


def test_writes_the_contract_long_outcomes_table(imported, tmp_path):
    report, outcomes, entities = imported
    assert list(outcomes.columns) == ["entity_id", "year", "indicator", "value"]
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["entities.csv", "outcomes.csv"]
    assert _value(outcomes, "1234", 2021, "POL07") == 99.5
    assert _value(outcomes, "1234", 2022, "POL07") == 99.6
    assert _value(outcomes, "1234", 2021, "IDI") == 95.2
    assert _value(outcomes, "100", 2022, "D1") is None  # territorial file has no D1
    assert set(outcomes["indicator"]) == {"IDI", "D1", "POL06", "POL07", "POL08", "I01", "I12"}
    assert not outcomes.duplicated(["entity_id", "year", "indicator"]).any()
    assert report.n_outcomes == len(outcomes) and report.n_entities == len(entities)


def test_i1_and_i01_are_one_indicator_across_years(imported):
    _, outcomes, _ = imported
    assert _value(outcomes, "1234", 2021, "I01") == 91      # header "i1 Gobernanza"
    assert _value(outcomes, "1234", 2022, "I01") == 92      # header "I01 Gobernanza"
    assert _value(outcomes, "100", 2022, "I01") == 85       # header "I1 Gobernanza"


def test_blank_cells_stay_missing_never_zero(imported, tmp_path):
    report, outcomes, _ = imported
    # a blank cell: written as a row with a blank value
    assert math.isnan(_value(outcomes, "5678", 2021, "POL08"))
    assert math.isnan(_value(outcomes, "9012", 2021, "POL07"))
    # "No aplica" in a score cell counts as blank, and is counted
    assert math.isnan(_value(outcomes, "5678", 2022, "POL06"))
    assert (outcomes["value"] == 0).sum() == 0
    raw = (tmp_path / "data" / "outcomes.csv").read_text(encoding="utf-8")
    assert "5678,2021,POL08,\n" in raw
    assert any("1 cells said the index does not apply" in n for n in report.notes)
    assert report.n_blank == int(outcomes["value"].isna().sum())


def test_a_policy_missing_in_one_year_has_no_rows_that_year(imported):
    report, outcomes, _ = imported
    assert sorted(outcomes.loc[outcomes.indicator == "POL08", "year"].unique()) == [2021]
    assert report.indicator_years["POL08"] == (2021,)
    assert report.indicator_years["POL07"] == (2021, 2022)
    assert "POL08 is not in the workbooks of 2022" in report.notes


def test_a_code_stored_as_text_in_one_year_matches_the_number(imported):
    report, outcomes, entities = imported
    assert entities["entity_id"].tolist().count("1234") == 1
    assert sorted(outcomes.loc[outcomes.entity_id == "1234", "year"].unique()) == [2021, 2022]
    assert "1234" not in report.partial_entities


def test_entities_present_in_only_some_years(imported):
    report, outcomes, entities = imported
    assert report.partial_entities["9012"] == (2021,)
    assert report.partial_entities["3456"] == (2022,)
    assert sorted(outcomes.loc[outcomes.entity_id == "9012", "year"].unique()) == [2021]
    assert {"9012", "3456"} <= set(entities["entity_id"])
    # territorial entities have a single vigencia of their kind: they are not "partial"
    assert "100" not in report.partial_entities


def test_name_and_code_changes_are_reported(imported):
    report, _, entities = imported
    name_changes = [c for c in report.changes if c.change == "name"]
    assert [(c.entity_id, c.year_before, c.year_after) for c in name_changes] == [("5678", 2021, 2022)]
    assert name_changes[0].before == "Instituto Geografico Agustin Codazzi"
    assert name_changes[0].after == "Instituto Geográfico Agustín Codazzi"
    assert name_changes[0].note == "only accents, case or punctuation differ"
    # the latest name is the one kept
    assert entities.set_index("entity_id").at["5678", "name"] == "Instituto Geográfico Agustín Codazzi"
    (code_change,) = [c for c in report.changes if c.change == "code"]
    assert (code_change.before, code_change.after, code_change.year_before, code_change.year_after) == (
        "7777", "8888", 2021, 2022)
    assert "merge them by hand" in code_change.note
    assert {"7777", "8888"} <= set(entities["entity_id"])  # kept apart
    assert "Entities whose name or code changed between years: 2:" in str(report)


def test_unmapped_columns_are_reported_with_file_and_letter(imported):
    report, _, _ = imported
    unmapped = report.unmapped_table
    assert unmapped.values.tolist() == [[
        "Resultados_vig2021_nacion.xlsx", "N", "Observaciones",
        "no indicator code (IDI, D1…D7, POLnn, Inn) at the start of its name"]]
    assert "Resultados_vig2021_nacion.xlsx column N 'Observaciones'" in str(report)


def test_levels_sectors_and_divipola(imported):
    _, _, entities = imported
    table = entities.set_index("entity_id")
    assert table.loc[["1234", "5678", "3456", "8888"], "level"].eq("national").all()
    assert table.at["1234", "sector"] == "Tecnologías de la información"
    assert table.at["100", "level"] == "municipal" and table.at["100", "divipola"] == 5001
    assert table.at["100", "department"] == "ANTIOQUIA" and table.at["100", "region"] == "andina"
    assert table.at["100", "peer_group"] == "ALCALDÍA GRUPO 1" and table.at["100", "sector"] == "territorial"
    # a Gobernación is departmental although its Municipio column names its seat
    assert table.at["200", "level"] == "departmental" and pd.isna(table.at["200", "divipola"])
    assert table.at["300", "level"] == "municipal" and table.at["300", "divipola"] == 11001
    assert table.at["400", "level"] == "municipal" and pd.isna(table.at["400", "divipola"])
    assert table.at["500", "level"] == "departmental"
    assert list(entities.columns) == ["entity_id", "name", "level", "sector", "department", "divipola", "region",
                                      "peer_group"]


def test_notes_say_what_could_not_be_derived(imported):
    report, _, _ = imported
    assert any("1 municipal entities got no DIVIPOLA code" in n and "400" in n for n in report.notes)


def test_summary_names_each_workbook(imported):
    report, _, _ = imported
    assert [(w.file, w.vigencia, w.kind, w.header_row) for w in report.workbooks] == [
        ("Resultados_vig2021_nacion.xlsx", 2021, "national", 3),
        ("Resultados_vig2022_nacion.xlsx", 2022, "national", 3),
        ("Resultados_vig2022_territorio.xlsx", 2022, "territorial", 3)]
    assert report.workbooks[0].indicators == ("IDI", "D1", "POL06", "POL07", "POL08", "I01", "I12")
    assert "<table" in report._repr_html_()


def test_the_written_folder_meets_the_contract(imported, tmp_path):
    folder = tmp_path / "data"
    (folder / "adoption.csv").write_text("entity_id,adoption_date\n1234,09/03/2022\n100,2021-02-01\n",
                                         encoding="utf-8")
    problems = check(folder)
    assert problems.ok, str(problems)
    # the only warnings: blank values (not applicable), and the municipality without a DIVIPOLA code
    assert {p.column for p in problems.warnings} == {"value", "divipola"}, str(problems)


def test_other_files_in_the_folder_are_kept(workbooks, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "adoption.csv").write_text("entity_id,adoption_date\n", encoding="utf-8")
    (folder / "outcomes.csv").write_text("old\n", encoding="utf-8")
    # Without force an existing outcomes.csv is refused (tests/reliability/test_catalogue.py); with it,
    # exactly the two imported files are replaced.
    import_furag(workbooks, folder, force=True)
    assert (folder / "adoption.csv").read_text() == "entity_id,adoption_date\n"
    assert (folder / "outcomes.csv").read_text().startswith("entity_id,year,indicator,value")
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_vigencia_and_kind_from_the_title_rows(tmp_path):
    path = furag_workbook(tmp_path / "resultados_2021_x.xlsx", NATIONAL_2021, vigencia=2021,
                          kind_text="Entidades del orden nacional")
    renamed = path.rename(tmp_path / "resultados.xlsx")
    report = import_furag([renamed], tmp_path / "out")
    assert (report.workbooks[0].vigencia, report.workbooks[0].kind) == (2021, "national")


def test_rows_without_a_code_below_the_table_are_skipped_and_reported(tmp_path):
    spec = {**NATIONAL_2021, "rows": NATIONAL_2021["rows"] + [[None, "Fuente: Función Pública"]]}
    report = import_furag([furag_workbook(tmp_path / "Resultados_vig2021_nacion.xlsx", spec)], tmp_path / "out")
    assert report.n_entities == 4
    assert any("rows 8 have no Código Sigep" in u.reason for u in report.unmapped)


def test_numbers_with_decimal_commas_are_read(tmp_path):
    spec = {"header": NATIONAL_2021["header"][:10],
            "rows": [[1, "Entidad Uno", "Ministerio", "X", "G", "Completo", "57,4", "60", "61,5", "62"]]}
    import_furag([furag_workbook(tmp_path / "Resultados_vig2021_nacion.xlsx", spec)], tmp_path / "out")
    outcomes = pd.read_csv(tmp_path / "out" / "outcomes.csv", dtype={"entity_id": str})
    assert _value(outcomes, "1", 2021, "IDI") == 57.4 and _value(outcomes, "1", 2021, "POL06") == 61.5


# --------------------------------------------------------------------------- bad input: one message, nothing written


def _refused(files, out: Path, *expected: str) -> str:
    before = _tree(out)
    with pytest.raises(FuragError) as error:
        import_furag(files, out)
    message = str(error.value)
    for text in expected:
        assert text in message, message
    assert _tree(out) == before, "a refused import wrote files"
    return message


def test_another_layout_is_refused(tmp_path):
    path = tmp_path / "Resultados_vig2022_nacion.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Código", "Nombre", "Puntaje"])
    workbook.active.append([1, "Entidad", 50])
    workbook.save(path)
    message = _refused([path], tmp_path / "out", "Resultados_vig2022_nacion.xlsx",
                       "does not have the FURAG results layout", "no 'Código Sigep' header in the first 10 rows",
                       "header on row 3")
    assert message.count("\n- ") == 1  # one message for one file
    assert not (tmp_path / "out").exists()


def test_a_corrupt_file_is_refused(tmp_path):
    path = tmp_path / "Resultados_vig2022_nacion.xlsx"
    path.write_bytes(os.urandom(2048).replace(b"PK", b"pk"))
    _refused([path], tmp_path / "out", "Resultados_vig2022_nacion.xlsx", "is not an Excel workbook",
             "zip archive")
    assert not (tmp_path / "out").exists()


def test_a_broken_zip_is_refused(tmp_path):
    path = tmp_path / "Resultados_vig2022_nacion.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(1024))
    _refused([path], tmp_path / "out", "Resultados_vig2022_nacion.xlsx", "cannot be opened as an Excel workbook",
             "corrupt")


def test_a_password_protected_workbook_is_refused(tmp_path):
    path = tmp_path / "Resultados_vig2022_nacion.xlsx"
    path.write_bytes(furag.OLE2_SIGNATURE + os.urandom(4096))
    _refused([path], tmp_path / "out", "Resultados_vig2022_nacion.xlsx", "is password-protected",
             "remove the password")
    assert not (tmp_path / "out").exists()


def test_an_empty_sheet_is_refused(tmp_path):
    path = tmp_path / "Resultados_vig2022_nacion.xlsx"
    openpyxl.Workbook().save(path)
    _refused([path], tmp_path / "out", "Resultados_vig2022_nacion.xlsx", "is empty", "'Sheet'",
             "Código Sigep")


def test_an_empty_file_and_a_missing_file_are_refused(tmp_path):
    empty = tmp_path / "Resultados_vig2022_nacion.xlsx"
    empty.write_bytes(b"")
    _refused([empty, tmp_path / "Resultados_vig2021_nacion.xlsx"], tmp_path / "out",
             "Resultados_vig2022_nacion.xlsx is empty (0 bytes)", "Resultados_vig2021_nacion.xlsx does not exist")


def test_header_without_rows_is_refused(tmp_path):
    path = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", {**NATIONAL_2022, "rows": []})
    _refused([path], tmp_path / "out", "has the header on row 3 but no entity rows")


def test_one_bad_file_among_good_ones_writes_nothing(workbooks, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "outcomes.csv").write_text("previous import\n", encoding="utf-8")
    bad = tmp_path / "Resultados_vig2023_nacion.xlsx"
    bad.write_bytes(furag.OLE2_SIGNATURE + b"\x00" * 512)
    message = _refused([*workbooks, bad], out, "Nothing was imported", "Resultados_vig2023_nacion.xlsx")
    assert "Resultados_vig2022_nacion.xlsx" not in message  # only the bad file is named
    assert (out / "outcomes.csv").read_text() == "previous import\n"


@pytest.mark.parametrize("name, expected", [
    ("resultados_nacion.xlsx", "vigencia cannot be told"),
    ("Resultados_vig2022.xlsx", "national or territorial"),
])
def test_vigencia_and_kind_must_be_known(tmp_path, name, expected):
    path = furag_workbook(tmp_path / name, NATIONAL_2022, titles=("Resultados FURAG", ""), vigencia=2022)
    _refused([path], tmp_path / "out", name, expected)


def test_a_publication_date_in_the_title_does_not_contradict_the_name(tmp_path):
    path = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", NATIONAL_2022,
                          titles=("Resultados FURAG, publicados en mayo de 2023", "Orden nacional"))
    assert import_furag([path], tmp_path / "out").workbooks[0].vigencia == 2022


def test_name_and_title_that_disagree_are_refused(tmp_path):
    path = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", NATIONAL_2022, vigencia=2021)
    _refused([path], tmp_path / "out", "its name says vigencia 2022 but its title says 2021")


def test_the_same_vigencia_twice_is_refused(tmp_path):
    first = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", NATIONAL_2022)
    second = furag_workbook(tmp_path / "copia_Resultados_vig2022_nacion.xlsx", NATIONAL_2022)
    _refused([first, second], tmp_path / "out", "both hold the nación results of vigencia 2022")


def test_a_code_in_both_kinds_is_refused(tmp_path):
    national = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", NATIONAL_2022)
    rows = [[1234, "Alcaldía de Medellín", "Alcaldía", "ANTIOQUIA", "MEDELLÍN", "G", "Completo", 1, 2, 3]]
    territorial = furag_workbook(tmp_path / "Resultados_vig2022_territorio.xlsx", {**TERRITORIAL_2022, "rows": rows})
    _refused([national, territorial], tmp_path / "out", "Código Sigep 1234 is in both")


@pytest.mark.parametrize("cell, expected", [
    (140, "140 is outside 0–100"),
    ("alto", "'alto' is not a number"),
])
def test_scores_that_are_not_scores_are_refused_naming_row_and_column(tmp_path, cell, expected):
    rows = [list(r) for r in NATIONAL_2022["rows"]]
    rows[1][9] = cell
    path = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", {**NATIONAL_2022, "rows": rows})
    _refused([path], tmp_path / "out", "row 5, column J (POL07)", expected)


def test_a_repeated_code_or_indicator_is_refused(tmp_path):
    rows = [list(r) for r in NATIONAL_2022["rows"]] + [list(NATIONAL_2022["rows"][0])]
    path = furag_workbook(tmp_path / "Resultados_vig2022_nacion.xlsx", {**NATIONAL_2022, "rows": rows})
    _refused([path], tmp_path / "out", "Código Sigep 1234 is on rows 4, 8")
    header = NATIONAL_2022["header"][:-1] + ["i1 Gobernanza (otra)"]
    (tmp_path / "b").mkdir()
    path = furag_workbook(tmp_path / "b" / "Resultados_vig2022_nacion.xlsx", {**NATIONAL_2022, "header": header})
    _refused([path], tmp_path / "out", "both hold I01")


# --------------------------------------------------------------------------- command line


def test_command_line_imports_and_reports(workbooks, tmp_path, capsys):
    code = cli.main(["import-furag", *map(str, workbooks), "--out", str(tmp_path / "cli")])
    assert code == 0
    out = capsys.readouterr().out
    assert "Imported 3 workbook(s), vigencias 2021–2022" in out and "Observaciones" in out
    assert (tmp_path / "cli" / "outcomes.csv").is_file()


def test_command_line_refuses_bad_files_with_one_message(tmp_path, capsys):
    bad = tmp_path / "Resultados_vig2022_nacion.xlsx"
    bad.write_bytes(b"not a workbook at all")
    code = cli.main(["import-furag", str(bad), "--out", str(tmp_path / "cli")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("gcio-eval: Nothing was imported") and "Resultados_vig2022_nacion.xlsx" in err
    assert not (tmp_path / "cli").exists()
