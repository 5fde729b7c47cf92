"""Keys of each screen, first run, and the failed-save path."""

from __future__ import annotations

import errno
import os

from textual.widgets import DataTable, Input, TextArea

from fsfield.domain.models import Visit
from fsfield.domain.template import AnswerStatus, load_template
from fsfield.screens.first_run import FirstRunScreen
from fsfield.screens.forms import CommentForm, VisitInfoForm
from fsfield.screens.help import HelpScreen
from fsfield.screens.site_form import SiteForm
from fsfield.screens.sites import SitesScreen
from fsfield.screens.visit import VisitScreen
from fsfield.store import storage as storage_mod
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.widgets.checklist import Checklist
from fsfield.widgets.save_status import SaveStatus

from .conftest import TODAY
from .test_french import screen_text
from .test_visit_flow import select_site

TEMPLATE = load_template()


async def test_first_run_does_not_offer_later_before_a_name_is_known(tmp_path, make_app):
    store = Store(tmp_path / "fresh")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        hint = str(app.screen.query_one("#step1-hint").render())
        assert "plus tard" not in hint and "nom" in hint
        await pilot.press("escape")  # what the hint no longer promises: it stays
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
    store.close()


async def test_first_run_asks_name_and_department_then_offers_the_directory(tmp_path, make_app):
    store = Store(tmp_path / "fresh")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, FirstRunScreen)
        await pilot.press("enter", "enter")  # nothing typed: refused
        await pilot.pause()
        assert "nom" in str(app.screen.query_one("#error").render())
        await pilot.press(*"Jeanne Martin", "enter")
        await pilot.press(*"99", "enter")
        await pilot.pause()
        assert "inconnu" in str(app.screen.query_one("#error").render())
        app.screen.query_one("#department", Input).value = "87"
        await pilot.press("enter")
        await pilot.pause()
        assert "télécharger" in str(app.screen.query_one("#choices").render())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, SiteForm)
        await pilot.press(*"France services de Test", "enter", *"Testville", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        table = app.screen.query_one("#sites", DataTable)
        assert table.row_count == 1 and "Test" in str(table.get_row_at(0)[0])
    assert store.settings.animator == "Jeanne Martin" and store.settings.department == "87"
    [site] = store.sites()
    assert site.commune == "Testville" and site.source == "manuel"
    store.close()


async def test_first_run_imports_a_directory_file(tmp_path, make_app):
    csv = tmp_path / "liste.csv"
    csv.write_text(
        "id_fs,insee_dep,lib_fs,lib_com,h_lundi\n"
        '1,87,France services Un,Limoges,"09:00 - 12:00"\n'
        '2,87,France services Deux,Nexon,\n'
        '3,23,France services Creuse,Guéret,\n',
        encoding="utf-8",
    )
    store = Store(tmp_path / "fresh")
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Jeanne", "enter", *"87", "enter", "i")
        await pilot.pause()
        await pilot.press(*str(tmp_path / "absent.csv"), "enter")
        await pilot.pause()
        assert "introuvable" in str(app.screen.query_one("#status2").render())
        app.screen.query_one("#path", Input).value = str(csv)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        assert app.screen.query_one("#sites", DataTable).row_count == 2
    store.close()


async def test_sites_filter_as_you_type_ignores_case_and_accents(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#sites", DataTable)
        assert table.row_count == 3
        await pilot.press("slash", *"CHALUS")
        await pilot.pause()
        assert table.row_count == 1 and "Châlus" in str(table.get_row_at(0)[0])
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 3


async def test_help_lists_every_key_of_the_screen(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-body Static").render())
        for words in ("Missions", "Mission précédente", "Commentaire", "Finaliser", "Conforme", "Non vérifié", "Suivi +"):
            assert words in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)


async def test_command_palette_lists_the_screen_actions(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Visite", "Suivis", "Filtrer", "Synchroniser", "Quitter"} <= set(titles)


async def test_visit_info_refuses_an_impossible_date_with_the_reason(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "i")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, VisitInfoForm)
        form.query_one("#date", Input).value = "31/02/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "31/02/2026 n'existe pas" in str(form.query_one("#error").render())
        form.query_one("#date", Input).value = "20/11/2026"
        form.query_one("#participants", Input).value = "Mme Roux, M. Petit"
        await pilot.press("ctrl+s")
        await pilot.pause()
        visit = store.visits()[0]
        assert visit.date.isoformat() == "2026-11-20" and visit.participants == "Mme Roux, M. Petit"


async def test_comment_and_inline_number_are_saved_as_typed(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter", "4", "2", "enter")  # Entrée opens the value; 4 alone is Sans objet
        await pilot.pause()
        await pilot.press("c")  # the cursor moved on to the next item
        await pilot.pause()
        assert isinstance(app.screen, CommentForm)
        app.screen.query_one(TextArea).text = "CAF : 12\nMSA : 3"
        await pilot.press("escape")  # closing keeps what was typed
        await pilot.pause()
        visit = store.get(Visit, screen.visit_id)
        assert visit.answer("m1-demandes-periode").value == 42
        assert visit.answer("m1-demandes-par-operateur").comment == "CAF : 12\nMSA : 3"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert screen.mission_index == len(TEMPLATE.missions) - 1


async def test_hours_item_is_prefilled_from_the_directory_to_be_confirmed(store, make_app):
    site = next(s for s in store.sites() if "Aixe" in s.name)
    visit = ops.start_visit(store, site, date=TODAY)
    answer = visit.answer("m2-horaires-24h")
    assert answer.status is AnswerStatus.CONFORME and answer.prefilled
    bus = next(s for s in store.sites() if "Bus" in s.name)
    assert not ops.start_visit(store, bus, date=TODAY).answer("m2-horaires-24h").is_answered
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        cell = str(app.screen.query_one("#items", Checklist).get_row_at(0)[0])
        assert "à confirmer" in cell
        await pilot.press("1")
        await pilot.pause()
        assert not store.get(Visit, visit.id).answer("m2-horaires-24h").prefilled


async def test_failed_save_turns_indicator_red_keeps_change_and_retries(store, make_app, monkeypatch):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "tab")
        await pilot.pause()
        screen = app.screen
        real_write = os.write

        def disk_full(fd, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage_mod.os, "write", disk_full)
        await pilot.press("down", "3")
        await pilot.pause()
        indicator = screen.query_one(SaveStatus)
        assert not indicator.saved and "NON ENREGISTRÉ" in str(indicator.render())
        assert any(n.title == "NON ENREGISTRÉ" for n in app._notifications)
        row = str(screen.query_one("#items", Checklist).get_row_at(1)[0])
        assert "Non conforme" in row, "the change stays on screen"
        assert not app.retry_save(), "still failing: still not saved"
        monkeypatch.setattr(storage_mod.os, "write", real_write)
        assert app.retry_save()
        await pilot.pause()
        assert indicator.saved and "Enregistré" in str(indicator.render())
        visit_id = screen.visit_id
    data_dir = store.data_dir
    store.close()
    reopened = Store(data_dir)
    assert reopened.get(Visit, visit_id).answer("m2-deux-conseillers").status is AnswerStatus.NON_CONFORME
    reopened.close()


async def test_quit_refuses_while_a_change_is_not_saved(store, make_app, monkeypatch):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        monkeypatch.setattr(storage_mod.os, "write",
                            lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
        await pilot.press("tab", "1", "escape", "q")
        await pilot.pause()
        assert app.is_running, "quitting would lose the unsaved answer"
        monkeypatch.undo()
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_every_answer_key_sets_its_status(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n", "tab", "down")  # mission 2, second item (status items)
        await pilot.pause()
        screen = app.screen
        items = TEMPLATE.missions[1].items[1:6]
        await pilot.press("1", "2", "3", "4", "0")
        await pilot.pause()
        visit = store.get(Visit, screen.visit_id)
        got = [visit.answer(i.id).status for i in items]
        assert got == [AnswerStatus.CONFORME, AnswerStatus.A_AMELIORER, AnswerStatus.NON_CONFORME,
                       AnswerStatus.SANS_OBJET, AnswerStatus.NON_VERIFIE]


async def test_followups_edit_and_text_filter(store, make_app):
    from fsfield.domain.models import FollowUp, FollowUpStatus
    from fsfield.screens.followup_form import FollowUpForm
    from fsfield.screens.followups import FollowUpsScreen

    aixe, chalus = [s for s in store.sites() if "Aixe" in s.name or "Châlus" in s.name]
    store.create(FollowUp(id="", text="Relancer la CAF", site_id=aixe.id, due=TODAY))
    store.create(FollowUp(id="", text="Commander l'enseigne", site_id=chalus.id))
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FollowUpsScreen)
        table = screen.query_one("#followups", DataTable)
        assert table.row_count == 2
        await pilot.press("slash", *"enseigne")
        await pilot.pause()
        assert table.row_count == 1 and "enseigne" in str(table.get_row_at(0)[1])
        await pilot.press("enter")  # back to the table
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FollowUpForm)
        form.query_one("#status").value = FollowUpStatus.IN_PROGRESS.value
        form.query_one("#text", Input).value = "Commander l'enseigne extérieure"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FollowUpsScreen)
    edited = next(f for f in store.followups() if f.site_id == chalus.id)
    assert edited.text == "Commander l'enseigne extérieure"
    assert edited.status is FollowUpStatus.IN_PROGRESS


async def test_dossier_n_starts_a_visit_at_this_site(store, make_app):
    from fsfield.screens.dossier import DossierScreen

    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await select_site(pilot, "Châlus")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        [visit] = store.visits()
        assert "Châlus" in store.get(type(store.sites()[0]), visit.site_id).name


async def test_inline_value_box_shows_how_to_validate_and_cancel_at_80_columns(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        box = app.screen.query_one("#inline", Input)
        assert box.display
        shown = screen_text(app)
        assert "valider" in shown and "annuler" in shown, shown


async def test_help_keys_are_right_aligned_in_one_column(store, make_app):
    """`Ctrl+Page↑` is wider than the 8 columns the keys had: its line stuck out."""
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await select_site(pilot, "Aixe")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        lines = app.screen.help_lines()
        keys = [li for li in lines if li.startswith("  [b]")]
        assert any("Ctrl+Page" in li for li in keys)
        assert len({li.index("[/b]") for li in keys}) == 1, keys


async def test_every_help_line_starts_with_a_capital(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        described = [li.split("[/b]", 1)[1].strip() for li in app.screen.help_lines()
                     if li.startswith("  [b]")]
        assert described and all(d[:1].isupper() for d in described), described
