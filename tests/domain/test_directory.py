"""Tests for fsfield.domain.directory: synthetic fixtures first, then the real 2024-08-01 files."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from fsfield.domain.directory import (
    DirectoryEntry,
    DirectoryError,
    RejectedRow,
    normalize_department,
    normalize_header,
    parse_directory,
    read_directory,
    valid_department_codes,
)

FIXTURES = Path(__file__).parent / "fixtures"
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
NATIONAL = DATA / "france_services_liste_20240801.csv"
HAUTE_VIENNE = DATA / "france_services_87_haute-vienne_20240801.csv"
HEADER = (b"id_fs,insee_dep,lib_fs,adresse,complement_adresse,insee_com,code_postal,lib_com,"
          b"latitude,longitude,mail,telephone,h_lundi,h_mardi,h_mercredi,h_jeudi,h_vendredi,"
          b"h_samedi,prise_rdv,commentaire,type_fs,format_fs,groupe_fs,labellisation_fs\n")


def fixture(name: str) -> Path:
    return FIXTURES / name


def error_of(path: Path, department: str | None = None) -> str:
    with pytest.raises(DirectoryError) as info:
        read_directory(path, department)
    return str(info.value)


# --- tolerated variants --------------------------------------------------------------------


def test_bom_is_ignored():
    read = read_directory(fixture("bom.csv"))
    assert [e.id_fs for e in read.entries] == ["9001", "9002"]
    assert read.columns["id_fs"] == "id_fs"
    assert read.delimiter == ","


def test_semicolon_crlf_and_excel_damage():
    read = read_directory(fixture("semicolon.csv"))
    assert read.delimiter == ";"
    first, corsica = read.entries
    assert first.name == "France services Bourg; annexe"
    assert (first.insee_dep, first.insee_com, first.postal_code) == ("01", "01053", "01000")
    assert (first.latitude, first.longitude) == (46.2052, 5.2255)
    assert first.appointment is True
    assert first.labelled_on == date(2020, 9, 1)
    assert first.labellisation_raw == "Espace labellisé 01/09/2020"  # no trailing "\r"
    assert (corsica.insee_dep, corsica.insee_com) == ("2A", "2A004")
    assert read.departments == {"01", "2A"}


def test_renamed_columns_are_mapped():
    read = read_directory(fixture("renamed_columns.csv"))
    assert read.columns["id_fs"] == "ID"
    assert read.columns["insee_dep"] == "Code INSEE Dép."
    assert read.columns["name"] == "lib_france_services"
    assert read.columns["hours_lundi"] == "LUNDI"
    assert read.columns["format_fs"] == "FORMAT_FS"
    assert read.columns["appointment"] == "Prise de rendez-vous"
    assert read.ignored_columns == ["ITINERANCE"]
    entry = read.entries[0]
    assert entry.name == "France services Renommée"
    assert list(entry.hours) == ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]
    assert entry.opening_hours().weekly_minutes == 5 * 360
    assert entry.labelled_on == date(2020, 9, 1)


@pytest.mark.parametrize(
    ("header", "normalised"),
    [(" Code INSEE-Dép. ", "code_insee_dep"), ("\ufeffid_fs", "id_fs"), ("FORMAT_FS", "format_fs"),
     ("Complément d'adresse", "complement_d_adresse"), ("h lundi", "h_lundi")],
)
def test_normalize_header(header, normalised):
    assert normalize_header(header) == normalised


# --- line numbers and rejected rows ----------------------------------------------------------

MULTILINE_REJECTS = [6, 7, 10, 12, 13, 14, 15]


def test_rejected_rows_report_physical_lines():
    read = read_directory(fixture("multiline.csv"))
    assert [e.id_fs for e in read.entries] == ["9031", "9032", "9034"]
    assert [r.line for r in read.rejected] == MULTILINE_REJECTS
    reasons = [r.reason for r in read.rejected]
    assert reasons[0] == "identifiant (id_fs) vide"
    assert reasons[1] == "latitude non numérique : « abc »"
    assert reasons[2] == "identifiant 9031 déjà présent ligne 2"
    assert "21 champs au lieu de 24" in reasons[3]
    assert reasons[4] == "code département invalide : « 99 »"
    assert reasons[5] == "date de labellisation invalide : « 31/02/2021 »"
    assert reasons[6] == "prise de rendez-vous : « Peut-être » au lieu de Oui/Non"
    assert read.total_rows == 10  # the blank line 11 is not a row
    assert read.entries[1].comment == "Permanence le mardi\n\nSur rendez-vous"


def test_crlf_gives_same_lines_and_values():
    data = fixture("multiline.csv").read_bytes()
    lf = parse_directory(data, "lf.csv")
    crlf = parse_directory(data.replace(b"\n", b"\r\n"), "crlf.csv")
    assert [r.line for r in crlf.rejected] == MULTILINE_REJECTS
    assert crlf.entries == lf.entries


def test_department_filter_skips_other_rows_without_judging_them():
    read = read_directory(fixture("multiline.csv"), department="23")
    assert [e.id_fs for e in read.entries] == ["9034"]
    # Only the row whose département cannot be read is reported: it might be a 23 row.
    assert read.rejected == [RejectedRow(13, "code département invalide : « 99 »")]
    assert read.total_rows == 10
    assert read.departments == {"87", "23"}


def test_zero_valid_rows_is_an_error():
    with pytest.raises(DirectoryError, match=r"Aucune ligne valide .*Ligne 2 : identifiant"):
        parse_directory(HEADER + b",87,Sans id" + b"," * 21 + b"\n", "x.csv")


# --- file-level errors ---------------------------------------------------------------------


def test_latin1_is_refused_with_offset_and_line():
    path = fixture("latin1.csv")
    offset = path.read_bytes().index(b"\xe9")  # "é" of "labellisé", on line 2
    message = error_of(path)
    assert "n'est pas encodé en UTF-8" in message
    assert f"position {offset} (ligne 2)" in message
    assert "Latin-1" in message and "CSV UTF-8" in message


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n", b",,,\n,,\n"])
def test_empty_file(data):
    with pytest.raises(DirectoryError, match="est vide"):
        parse_directory(data, "vide.csv")


def test_empty_fixture():
    assert "est vide" in error_of(fixture("empty.csv"))


def test_header_only():
    assert "aucune ligne de données (en-tête seul)" in error_of(fixture("header_only.csv"))


def test_no_header():
    assert "En-tête introuvable" in error_of(fixture("no_header.csv"))


def test_missing_required_columns_are_named():
    message = error_of(fixture("missing_column.csv"))
    assert message.endswith("missing_column.csv : insee_dep, lib_fs.")


def test_truncated_file_unterminated_quote():
    message = error_of(fixture("truncated.csv"))
    assert "tronqué" in message
    assert "commence ligne 3 n'est jamais fermé" in message


def test_misplaced_quote():
    assert "mal formé" in error_of(fixture("bad_quote.csv"))
    assert "ligne 3 :" in error_of(fixture("bad_quote.csv"))


def test_quote_swallowing_following_lines():
    message = error_of(fixture("unclosed_quote.csv"))
    assert "guillemet ouvert ligne 3 n'est refermé que ligne 5" in message


@pytest.mark.parametrize(
    ("data", "what"), [(b"\xff\xfei\x00d\x00", "UTF-16"), (b"PK\x03\x04xlsx", "XLSX")]
)
def test_other_formats_are_named(data, what):
    with pytest.raises(DirectoryError, match=what):
        parse_directory(data, "export")


def test_unreadable_path(tmp_path):
    assert "Impossible de lire" in error_of(tmp_path / "absent.csv")


# --- départements --------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["99", "20", "abc", "", "9871", "87 - Haute-Vienne"])
def test_unknown_department(code):
    message = error_of(fixture("hours_quirks.csv"), code)
    assert message.startswith(f"Code département inconnu : « {code} »")


def test_corsica_hint():
    assert "2A et 2B" in error_of(fixture("hours_quirks.csv"), "20")


def test_valid_department_without_rows():
    path = fixture("hours_quirks.csv")
    assert error_of(path, "975") == f"Aucune ligne pour le département 975 dans {path}."


@pytest.mark.parametrize(("code", "ids"), [("87", 6), (" 87 ", 6), ("23", 1)])
def test_department_argument_is_normalised(code, ids):
    assert len(read_directory(fixture("hours_quirks.csv"), code).entries) == ids


@pytest.mark.parametrize(
    ("raw", "code"),
    [("1", "01"), ("01", "01"), ("2a", "2A"), ("2B", "2B"), ("971", "971"), (87, "87"),
     ("87 - Haute-Vienne", "87"), ("20", None), ("96", None), ("2C", None), ("8A", None),
     ("", None), (None, None)],
)
def test_normalize_department(raw, code):
    assert normalize_department(raw) == code


def test_valid_department_codes():
    codes = valid_department_codes()
    assert len(codes) == 94 + 2 + 5 + 6
    assert {"01", "2A", "2B", "95", "971", "976", "975", "978", "988"} <= codes
    assert not {"20", "1", "96", "979"} & codes


# --- entries -------------------------------------------------------------------------------


def test_entry_model():
    entry = DirectoryEntry.model_validate(
        {"id_fs": " 12 ", "insee_dep": "1", "name": "FS", "labellisation_raw": "2021-03-04",
         "appointment": "Non", "latitude": "", "unknown": "ignored"}
    )
    assert (entry.id_fs, entry.insee_dep, entry.appointment) == ("12", "01", False)
    assert entry.labelled_on == date(2021, 3, 4)
    assert entry.latitude is None
    assert entry.hours == {}
    assert entry.opening_hours().summary() == "horaires non publiés"


def test_labellisation_without_date_keeps_raw_text():
    entry = DirectoryEntry(id_fs="1", insee_dep="87", name="FS",
                           labellisation_raw="Labellisation en cours")
    assert entry.labelled_on is None
    assert entry.labellisation_raw == "Labellisation en cours"


def test_hours_quirks_through_the_reader():
    entries = {e.id_fs: e.opening_hours() for e in read_directory(fixture("hours_quirks.csv"),
                                                                    "87").entries}
    assert entries["9101"].summary() == "32 h 30 sur 5 jours — conforme (≥ 24 h sur 5 jours)"
    assert entries["9102"].meets_minimum is None  # bus
    assert entries["9103"].meets_minimum is None  # reversed range on Monday
    assert entries["9103"].unparsed_days == ("lundi",)
    assert entries["9104"].summary() == "36 h sur 4 jours — non conforme (≥ 24 h sur 5 jours)"
    assert entries["9105"].weekly_minutes == 5 * 420 + 180
    assert entries["9106"].summary() == "horaires non publiés"


# --- real data (../shared/data) ------------------------------------------------------------


@pytest.fixture(scope="module")
def national():
    if not NATIONAL.is_file() or not HAUTE_VIENNE.is_file():
        pytest.skip(f"real data not found in {DATA.resolve()}")
    return read_directory(NATIONAL)


@pytest.fixture(scope="module")
def haute_vienne(national):
    return read_directory(HAUTE_VIENNE)


def test_national_list_reads_without_rejects(national):
    assert len(national.entries) == national.total_rows == 2845
    assert national.rejected == []
    assert len({e.id_fs for e in national.entries}) == 2845
    assert sum(e.type_fs == "Principal" for e in national.entries) == 2721
    assert all(e.labelled_on for e in national.entries)
    assert all(e.latitude is not None and e.longitude is not None for e in national.entries)


def test_national_departments(national):
    expected = ({f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
                | {"971", "972", "973", "974", "976", "978"})
    assert national.departments == expected
    assert len(national.departments) == 102
    assert national.departments <= valid_department_codes()


def test_national_hours_all_readable(national):
    weeks = [e.opening_hours() for e in national.entries]
    assert all(not w.unparsed_days for w in weeks)
    assert sum(w.meets_minimum is None for w in weeks) == 48  # no hours at all (10 buses)


def test_haute_vienne_file_matches_national_filtered(national, haute_vienne):
    filtered = read_directory(NATIONAL, "87")
    assert len(haute_vienne.entries) == len(filtered.entries) == 24
    assert haute_vienne.entries == filtered.entries
    assert filtered.total_rows == 2845
    assert haute_vienne.departments == {"87"}
    assert sum(e.format_fs == "Fixe" for e in haute_vienne.entries) == 23


def test_haute_vienne_bus_has_no_published_hours(haute_vienne):
    # Decision: None, not False. Empty cells mean "not in the directory" (a bus publishes its
    # stops elsewhere), not "closed"; False would wrongly flag it. The UI says "à vérifier".
    bus = next(e for e in haute_vienne.entries if e.format_fs == "Bus_équivalent")
    assert bus.id_fs == "1839"
    hours = bus.opening_hours()
    assert hours.meets_minimum is None
    assert hours.summary() == "horaires non publiés"


@pytest.mark.parametrize(
    ("id_fs", "minutes", "days", "ok"),
    [
        # 511 Châlus: Mon-Fri 09:00-12:00 (180) + 14:00-17:00 (180) = 360 x 5 = 1800 = 30 h.
        ("511", 1800, 5, True),
        # 834 Le Dorat: Mon/Thu/Fri 09:00-12:00 (180) + 13:30-16:45 (195) = 375 x 3 = 1125;
        # Tue 180 + 15:00-16:45 (105) = 285; Wed and Sat "00:00 - 00:00 / 09:00 - 12:00" = 180
        # each (placeholder ignored). 1125 + 285 + 360 = 1770 = 29 h 30 over 6 days.
        ("834", 1770, 6, True),
        # 2672 Eymoutiers: Mon/Tue/Fri 13:00-17:00 = 240 x 3 = 720; Wed 08:30-12:00 (210) +
        # 13:00-17:00 (240) = 450; Thu 08:30-13:00 = 270. 720 + 450 + 270 = 1440 = exactly 24 h.
        ("2672", 1440, 5, True),
        # 2532 Limoges Nord Beaubreuil: Mon/Tue "00:00 - 00:00 / 13:30 - 17:00" = 210 x 2 = 420;
        # Wed empty; Thu/Fri 08:30-12:30 (240) + 13:30-17:00 (210) = 450 x 2 = 900.
        # 420 + 900 = 1320 = 22 h over 4 days: not compliant.
        ("2532", 1320, 4, False),
    ],
)
def test_haute_vienne_hours_checked_by_hand(haute_vienne, id_fs, minutes, days, ok):
    entry = next(e for e in haute_vienne.entries if e.id_fs == id_fs)
    hours = entry.opening_hours()
    assert (hours.weekly_minutes, hours.days_open, hours.meets_minimum) == (minutes, days, ok)


def test_real_line_numbers_count_multiline_fields(national):
    """Blank the id of the last record: its line must count the line breaks inside fields."""
    data = NATIONAL.read_bytes()
    start = data.rstrip(b"\n").rindex(b"\n") + 1
    last_id = data[start:].split(b",", 1)[0]
    broken = data[:start] + b'""' + data[start + len(last_id):]
    read = parse_directory(broken, "national.csv")
    expected_line = data[:start].count(b"\n") + 1
    assert read.rejected == [RejectedRow(expected_line, "identifiant (id_fs) vide")]
    assert expected_line > 2845 + 1  # 2845 records + header would be wrong: fields span lines


def test_real_file_in_other_dialects(national):
    data = NATIONAL.read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    excel = parse_directory(b"\xef\xbb\xbf" + out.getvalue().encode(), "excel.csv")
    assert excel.delimiter == ";"
    assert excel.entries == national.entries


def test_latin1_offset_counts_the_bom():
    data = b"\xef\xbb\xbf" + HEADER + "1,87,Châlus".encode("latin-1") + b"," * 21 + b"\n"
    offset = data.index("â".encode("latin-1"))
    with pytest.raises(DirectoryError, match=rf"position {offset} \(ligne 2\)"):
        parse_directory(data, "bom-latin1.csv")
