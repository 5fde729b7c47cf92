"""Every word the TUI shows about its keys is French: help, palette, footer, Textual's own."""

from __future__ import annotations

import re

import pytest
import textual
import textual.containers as containers
import textual.widgets as widgets
from textual.app import App
from textual.command import CommandInput, CommandList, CommandPalette
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input
from textual.widgets._select import SelectOverlay

from fsfield.domain.models import FollowUp
from fsfield.screens.activity import ActivityForm, ActivityScreen
from fsfield.screens.annual import AnnualScreen
from fsfield.screens.conflicts import ConflictsScreen
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.followup_form import FollowUpForm
from fsfield.screens.followups import FollowUpsScreen
from fsfield.screens.forms import CommentForm, ConfirmDialog, TextPrompt, VisitInfoForm
from fsfield.screens.help import HelpScreen
from fsfield.screens.reply_form import ReplyForm
from fsfield.screens.report import ReportScreen, visit_rendered
from fsfield.screens.site_form import SiteForm
from fsfield.screens.textual_fr import DESCRIPTIONS
from fsfield.screens.visit import VisitScreen
from fsfield.store import visits as ops

from .conftest import TODAY

#: English words Textual or argparse would show; none may appear in help, palette or footer.
ENGLISH = re.compile(
    r"\b(Focus|Next|Previous|Copy|selected|Cursor|Search|commands?|No matches|Dismiss|menu|"
    r"enter|esc|escape|Quit|Select|Submit|Scroll|Delete|Paste|Toggle|Show|Exit|Press|Bottom|"
    r"Top|Home|End|Undo|Redo|left|right|down|up|pgup|pgdn|del|found|the|and|to)\b"
)


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(text)


def _visit(store):
    site = next(s for s in store.sites() if "Aixe" in s.name)
    visit = ops.start_visit(store, site, date=TODAY)
    store.create(FollowUp(id="", text="Former la conseillère", site_id=site.id,
                          visit_id=visit.id, item_id="m1-saisie-demandes", mission_id="m1"))
    return site, visit


def _screens(store):
    """Every screen and dialog of the TUI, built on ``store``."""
    site, visit = _visit(store)
    fu = store.followups()[0]
    return {
        "dossier": lambda: DossierScreen(site.id),
        "visite": lambda: VisitScreen(visit.id),
        "suivis": FollowUpsScreen,
        "journal": ActivityScreen,
        "rapport": lambda: ReportScreen(lambda: visit_rendered(store, visit.id, TODAY)),
        "bilan": lambda: AnnualScreen(store, TODAY),
        "suivi": lambda: FollowUpForm(fu),
        "activité": ActivityForm,
        "confirmation": lambda: ConfirmDialog("Supprimer ?"),
        "texte": lambda: TextPrompt("Note"),
        "commentaire": lambda: CommentForm("Élément", ""),
        "infos visite": lambda: VisitInfoForm(visit),
        "envoi et réponse": lambda: ReplyForm(visit),
        "conflits": ConflictsScreen,
        "structure à la main": SiteForm,
    }


async def test_help_palette_and_footer_of_every_screen_are_french(store, make_app):
    app = make_app(store)
    screens = _screens(store)
    async with app.run_test(size=(80, 24)) as pilot:
        for name, build in {"structures": None, **screens}.items():
            if build is not None:
                app.push_screen(build())
                await pilot.pause()
            screen = app.screen
            palette = " ".join(f"{c.title} {c.help}" for c in app.get_system_commands(screen))
            assert not english_in(palette), (name, palette)
            help_screen = HelpScreen(screen)
            app.push_screen(help_screen)
            await pilot.pause()
            text = "\n".join(help_screen.help_lines())
            assert not english_in(text), (name, text)
            app.pop_screen()
            await pilot.pause()
            for footer in screen.query(Footer):
                shown = " ".join(f"{k.key_display} {k.description}" for k in footer.children)
                assert not english_in(shown), (name, shown)
            if build is not None:
                app.pop_screen()
                await pilot.pause()


async def test_footer_keys_fit_80_columns_on_every_screen(store, make_app):
    """At 80x24 the keys overwrote each other (`r R▏^p paletteR`): each one is whole now."""
    app = make_app(store)
    screens = _screens(store)
    async with app.run_test(size=(80, 24)) as pilot:
        for name, build in {"structures": None, **screens}.items():
            if build is not None:
                app.push_screen(build())
                await pilot.pause()
            for footer in app.screen.query(Footer):
                await pilot.pause()
                keys = [k for k in footer.children if k.display]
                right = max(k.region.right for k in keys)
                assert right <= 80, (name, right)
                spans = sorted((k.region.x, k.region.right) for k in keys)
                assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), name
            if build is not None:
                app.pop_screen()
                await pilot.pause()


async def test_palette_searches_in_french(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(CommandInput).placeholder == "Rechercher une commande…"
        await pilot.press(*"zzqx")
        await pilot.wait_for_scheduled_animations()
        for _ in range(20):  # the "no match" line comes after Textual's countdown
            await pilot.pause(0.1)
            listed = palette.query_one(CommandList)
            if listed.option_count:
                break
        prompts = [str(listed.get_option_at_index(i).prompt.renderable)
                   for i in range(listed.option_count)]
        assert prompts == ["Aucune commande ne correspond"]
        await pilot.press("escape")


async def test_ctrl_c_tells_how_to_quit_in_french(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        [note] = list(app._notifications)
        assert "Ctrl+Q" in note.message and not english_in(note.message + note.title)


async def test_key_names_are_french_in_the_footer(store, make_app):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(FollowUpsScreen())
        await pilot.pause()
        shown = [k.key_display for k in app.screen.query_one(Footer).children]
        assert "Échap" in shown and "esc" not in shown


TEXTUAL_CLASSES = [
    App, Screen, ModalScreen, widgets.DataTable, Input, widgets.Select, SelectOverlay,
    widgets.OptionList, widgets.TextArea, containers.VerticalScroll,
    containers.ScrollableContainer, widgets.Markdown, CommandPalette, CommandInput, CommandList,
    Footer, widgets.Button,
]


@pytest.mark.parametrize("cls", TEXTUAL_CLASSES, ids=lambda c: c.__name__)
def test_every_textual_binding_of_the_widgets_used_has_a_french_description(cls):
    """Fails when a Textual upgrade adds or rewords a built-in binding (English coming back)."""
    missing = {b.description for _, b in cls._merged_bindings
               if b.description and b.description not in DESCRIPTIONS}
    assert not missing, f"Textual {textual.__version__}: translate {sorted(missing)}"


def test_textual_minor_version_is_the_one_the_override_was_written_for():
    # fsfield.screens.textual_fr.FrenchCommandPalette copies one method of Textual 8.2.
    assert textual.__version__.startswith("8.2."), "re-read textual/command.py, then re-pin"


def screen_text(app) -> str:
    """What the terminal shows, as text (from Textual's own screenshot)."""
    import html

    svg = app.export_screenshot()
    return html.unescape(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))).replace(
        "\xa0", " ")


#: English a screen could show (Textual's defaults: Select's "Select", toasts, placeholders)
SCREEN_ENGLISH = re.compile(r"\b(Select|Search|Press|Quit|Cancel|Submit|Error|Warning|"
                            r"Loading|No matches|enter|esc|Focus|Copy|Dismiss|None|True|False)\b")


async def test_every_screen_shows_no_english_word(store, make_app):
    app = make_app(store)
    screens = _screens(store)
    async with app.run_test(size=(80, 24)) as pilot:
        for name, build in {"structures": None, **screens}.items():
            if build is not None:
                app.push_screen(build())
                await pilot.pause()
            text = screen_text(app)
            assert "Structure" in text or name != "structures"
            assert not SCREEN_ENGLISH.findall(text), (name, SCREEN_ENGLISH.findall(text), text)
            if build is not None:
                app.pop_screen()
                await pilot.pause()


async def test_a_crowded_footer_shortens_alternatives_before_dropping_keys(store, make_app):
    app = make_app(store)
    _site, visit = _visit(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        shown = [(k.key_display, k.description) for k in app.screen.query_one(Footer).children]
        assert ("Tab", "Missions") in shown and ("F", "Finaliser") in shown
        assert shown[-2:] == [("Échap", "Retour"), ("?", "Aide")]
    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        app.push_screen(VisitScreen(visit.id))
        await pilot.pause()
        shown = [(k.key_display, k.description) for k in app.screen.query_one(Footer).children]
        assert ("Tab/Maj+Tab", "Missions") in shown and ("r", "Rapport") in shown
