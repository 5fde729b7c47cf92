"""Checklist v2 against the real Haute-Vienne directory: buses get the bus items."""

from __future__ import annotations

from fsfield.domain.template import AnswerStatus
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.templates import current_template

BUS_ITEMS = {"m1-tournee-publiee", "m2-arrets-accueil"}
FIXED_ITEMS = {"m2-signaletique-accessibilite"}


def test_every_site_of_87_starts_a_v2_visit_fitting_its_format(loaded):
    with Store(loaded) as store:
        template = current_template(store)
        sites = store.sites()
        assert len(sites) == 24
        formats = {s.format_fs for s in sites}
        assert formats == {"Fixe", "Bus_équivalent"}
        for site in sites:
            visit = ops.start_visit(store, site)
            automatic = {i for i, a in visit.answers.items() if a.automatic}
            assert all(visit.answer(i).status is AnswerStatus.SANS_OBJET for i in automatic)
            if site.format_fs == "Bus_équivalent":
                assert automatic == FIXED_ITEMS, site.name
                assert all(not visit.answer(i).is_answered for i in BUS_ITEMS)
            else:
                assert automatic == BUS_ITEMS, site.name
            assert (visit.template_id, visit.template_version) == (template.id, 2)
