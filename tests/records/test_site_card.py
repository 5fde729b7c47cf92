"""A site's card typed by hand: postal code and commune code of the département, phone,
e-mail and hours checked; a refusal keeps the typed text, says why, saves nothing."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from fsfield.domain.models import Site
from fsfield.domain.site_card import check_commune_code, check_postal_code
from fsfield.screens.dossier import DossierScreen
from fsfield.screens.site_form import SiteForm
from fsfield.screens.sites import SitesScreen
from fsfield.store.sites import create_site, update_site


async def fill(pilot, app, **values: str) -> None:
    for key, text in values.items():
        app.screen.query_one(f"#{key}", Input).value = text
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_postal_code_8700_is_refused_with_the_reason_and_kept(store, make_app):
    before = len(store.sites())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, SiteForm)
        await fill(pilot, app, name="France services de Nexon", postal_code="8700")
        assert isinstance(app.screen, SiteForm), "the form stays open"
        error = str(app.screen.query_one("#error", Static).render())
        assert "code postal « 8700 » : 5 chiffres attendus" in error
        assert app.screen.query_one("#postal_code", Input).value == "8700"
        assert app.screen.focused is app.screen.query_one("#postal_code", Input)
        await fill(pilot, app, postal_code="23000")
        assert "département 87" in str(app.screen.query_one("#error", Static).render())
        await fill(pilot, app, postal_code="87150")
        assert isinstance(app.screen, SitesScreen)
    assert len(store.sites()) == before + 1
    [nexon] = [s for s in store.sites() if "Nexon" in s.name]
    assert nexon.postal_code == "87150" and nexon.source == "manuel"


async def test_phone_and_email_corrected_from_the_dossier(store, make_app):
    site = store.sites()[0]
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DossierScreen(site.id))
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, SiteForm)
        await fill(pilot, app, phone="05 55", email="accueil@aixe.fr")
        assert "téléphone « 05 55 »" in str(app.screen.query_one("#error", Static).render())
        assert store.get(Site, site.id).email == "", "nothing saved"
        await fill(pilot, app, phone="0555123456", **{"hours-samedi": "09:00 - 12:00"})
        assert isinstance(app.screen, DossierScreen)
        assert "05 55 12 34 56" in str(app.screen.query_one("#directory").render())
    saved = store.get(Site, site.id)
    assert (saved.phone, saved.email) == ("05 55 12 34 56", "accueil@aixe.fr")
    assert saved.hours["samedi"] == "09:00 - 12:00"


@pytest.mark.parametrize(("text", "ok"), [("87085", True), ("2A004", True), ("2B033", True),
                                          ("8708", False), ("2C004", False), ("87O85", False)])
def test_commune_code_is_five_characters_corsica_allowed(text, ok):
    dep = "2A" if text.startswith("2A") else "2B" if text.startswith("2B") else ""
    if ok:
        assert check_commune_code(text, dep) == text
    else:
        with pytest.raises(ValueError, match="5 caractères attendus"):
            check_commune_code(text, dep)


def test_store_refuses_a_bad_card_and_writes_nothing(store):
    site = store.sites()[0]
    writes = len(store.replica.writes_of(site.id))
    with pytest.raises(ValueError, match="code commune"):
        update_site(store, site.id, insee_com="23096")  # Guéret, not in the 87
    assert len(store.replica.writes_of(site.id)) == writes
    with pytest.raises(ValueError, match="nom de la structure"):
        create_site(store, name="  ")
    assert check_postal_code("20000", "2A") == "20000"
    assert check_postal_code("97100", "971") == "97100"
