"""`fsfield purge`: erases a field's past values after a confirmation; bad input exits 1 in
French and writes nothing."""

from __future__ import annotations

import io

import pytest

from fsfield.cli import main
from fsfield.domain.models import FollowUp, Settings, Site
from fsfield.store import followups
from fsfield.store.history import field_history
from fsfield.store.repo import Store
from fsfield.store.sites import create_site, update_site
from tests.tui.conftest import TODAY


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    with Store(d) as s:
        s.save_settings(Settings(animator="Anne", department="87"))
        site = create_site(s, name="France services Nexon", id_fs="9001", phone="05 55 00 00 01")
        update_site(s, site.id, phone="05 55 00 00 02")
        fu = followups.create_followup(s, FollowUp(id="", site_id=site.id, text="Appeler M. X"), TODAY)
        followups.update_followup(s, fu.id, TODAY, text="Appeler M. Y")
    return d, site.id, fu.id


def _erased(d, record, field):
    with Store(d) as s:
        return [e.erased for e in field_history(s, record, field) if not e.purge]


def run(d, *args, stdin=""):
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["--data-dir", str(d), "purge", *args])
    finally:
        sys.stdin = old


def test_purge_of_a_site_phone_after_o(data, capsys):
    d, site_id, _ = data
    assert run(d, "--site", "9001", "--champ", "phone", stdin="o\n") == 0
    out = capsys.readouterr().out
    assert "Confirmer" in out and "1 ancienne(s) valeur(s) effacée(s)" in out
    assert _erased(d, site_id, "phone") == [True, False]
    with Store(d) as s:
        assert s.get(Site, site_id).phone == "05 55 00 00 02"
    assert run(d, "--site", "9001", "--champ", "phone", "--oui") == 0
    assert "rien n'a été écrit" in capsys.readouterr().out


def test_follow_up_text_with_oui_needs_no_stdin(data, capsys):
    d, _, fu_id = data
    assert run(d, "--suivi", fu_id[:8], "--champ", "text", "--oui") == 0
    assert _erased(d, fu_id, "text") == [True, False]


@pytest.mark.parametrize("args, stdin, says", [
    (("--site", "9001", "--champ", "phone"), "", "pas de saisie"),
    (("--site", "9001", "--champ", "phone"), "n\n", "Annulé"),
    (("--site", "9001", "--champ", "phone"), "\n", "Annulé"),
    (("--site", "9001"), "o\n", "--champ"),
    (("--site", "9001", "--champ", "telephone"), "o\n", "Champ inconnu"),
    (("--site", "nulle-part", "--champ", "phone"), "o\n", "nulle-part"),
    (("--suivi", "zzz", "--champ", "text"), "o\n", "aucun suivi"),
    (("--visite", "zzz", "--element", "m1-horaires"), "o\n", "zzz"),
    (("--site", "9001", "--element", "m1-horaires"), "o\n", "--element"),
    ((), "o\n", "--site"),
])
def test_bad_input_exits_1_in_french_and_erases_nothing(data, capsys, args, stdin, says):
    d, site_id, _ = data
    with pytest.raises(SystemExit) if not args else _nothing():
        code = run(d, *args, stdin=stdin)
        assert code == 1
    out = capsys.readouterr()
    assert says in out.err + out.out
    assert _erased(d, site_id, "phone") == [False, False]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_help_is_french(capsys):
    with pytest.raises(SystemExit):
        main(["purge", "--help"])
    out = capsys.readouterr().out
    assert "effacer" in out.lower() and "--oui" in out and "usage" not in out.lower()
