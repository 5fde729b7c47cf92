"""The home screen's per-site summary (store/summary.py, table ``s:site``) says what the records
say: last visit, open and overdue follow-ups, the draft to resume, on any day, through edits,
sync, conflicts, deletions, reopening, a summary lost or of an older version, a conversion
from format 2; and drawing the home screen reads no visit or follow-up."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fsfield.domain.models import FollowUp, FollowUpStatus, Site, Visit, VisitType
from fsfield.store import followups, summary, visits
from fsfield.store.overview import site_figures_from_records, site_rows
from fsfield.store.repo import Store
from tests.store.conftest import OldDir

TODAY = dt.date.today()
#: dates on both sides of the fold floor (FOLD_DAYS before today) and of today
DAYS = [(TODAY + dt.timedelta(days=n)).isoformat() for n in (-400, -200, -100, -30, -1, 0, 1, 30)]
#: days the figures are asked for: before the floor (answered from the records), after it
ASKED = [TODAY + dt.timedelta(days=n) for n in (-365, -95, -50, -1, 0, 2, 40)]
SITES = ["site-a", "site-b", "site-c"]
RECORDS = [f"rec-{n}" for n in range(8)]


def shown(figures: dict[str, summary.SiteFigures]) -> dict[str, summary.SiteFigures]:
    """Figures as the home screen uses them: a site without any is NO_FIGURES."""
    return {s: f for s, f in figures.items() if f != summary.NO_FIGURES}


def from_documents(store: Store, day: dt.date) -> dict[str, summary.SiteFigures]:
    """The figures folded from every visit and follow-up document (no summary involved)."""
    rep = store.replica
    return summary.figures_from_records(
        *[[(r, rep.values(r, summary.FIELDS[kind], kind=kind)) for r in rep.records(kind)]
          for kind in ("visit", "followup")], day)


def assert_summary_right(store: Store) -> None:
    for day in ASKED:
        truth = shown(from_documents(store, day))
        assert shown(store.site_figures(day)) == truth, day
        assert shown(site_figures_from_records(store, day)) == truth, day


VALUES: dict[str, st.SearchStrategy] = {
    "site_id": st.sampled_from([*SITES, None]),
    "date": st.sampled_from([*DAYS, None]),
    "due": st.sampled_from([*DAYS, None]),
    "deleted": st.sampled_from([True, False, None]),
}
STATUS = {"visit": st.sampled_from(["brouillon", "finalisee", None]),
          "followup": st.sampled_from(["ouvert", "en_cours", "fait", "abandonne", None])}


@st.composite
def edits(draw: Callable) -> tuple[str, str, dict]:
    kind = draw(st.sampled_from(["visit", "followup"]))
    record = draw(st.sampled_from(RECORDS))
    names = draw(st.lists(st.sampled_from(summary.FIELDS[kind]), min_size=1, max_size=4,
                          unique=True))
    return kind, record, {
        n: draw(STATUS[kind] if n == "status" else VALUES[n]) for n in names}


class SummaryMachine(RuleBasedStateMachine):
    """Two laptops writing the summarised fields of a few records (visits and follow-ups, a
    record written as both kinds by the two: the earliest write's kind wins), syncing both ways
    (concurrent edits: conflicts), reopened, their summary dropped or made old."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="fsfield-summary-"))
        self.stores = [Store(self.root / "a"), Store(self.root / "b")]

    def teardown(self) -> None:
        for s in self.stores:
            s.close()
        shutil.rmtree(self.root, ignore_errors=True)

    @rule(laptop=st.integers(0, 1), edit=edits())
    def write(self, laptop: int, edit: tuple[str, str, dict]) -> None:
        kind, record, changes = edit
        self.stores[laptop].write_fields(kind, record, changes)

    @rule(source=st.integers(0, 1))
    def sync(self, source: int) -> None:
        src, dst = self.stores[source], self.stores[1 - source]
        dst.apply_remote(list(src.replica))

    @rule(laptop=st.integers(0, 1))
    def reopen(self, laptop: int) -> None:
        s = self.stores[laptop]
        s.close()
        self.stores[laptop] = Store(s.data_dir)

    @rule(laptop=st.integers(0, 1), how=st.sampled_from(["drop", "old version"]))
    def lose_summary(self, laptop: int, how: str) -> None:
        storage = self.stores[laptop].storage
        table = storage.read().get(summary.TABLE)
        if table is None:
            return
        with storage.batch():
            if how == "drop":
                for key in list(table):
                    storage.put(summary.TABLE, key, None)
            else:
                storage.put(summary.TABLE, summary.Keeper.MARK, {"v": [summary.VERSION - 1]})

    @rule(laptop=st.integers(0, 1))
    def compact(self, laptop: int) -> None:
        self.stores[laptop].storage.compact()

    @invariant()
    def figures_are_the_records(self) -> None:
        for s in self.stores:
            assert_summary_right(s)


SummaryMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestSummaryMachine = SummaryMachine.TestCase


def test_the_kept_dates_running_out_rebuild_the_site_from_its_records(tmp_path: Path) -> None:
    with Store(tmp_path / "d") as s:
        for n, day in enumerate(DAYS):
            s.write_fields("visit", f"v{n}", {"site_id": "x", "date": day, "status": "finalisee"})
        assert_summary_right(s)
        for n in reversed(range(len(DAYS))):  # newest first: each removes the latest date
            s.write_fields("visit", f"v{n}", {"deleted": True})
            assert_summary_right(s)
            assert s._fmt.sites.figures(TODAY) is not None, "answered from the summary"
        assert "x" not in s.site_figures(TODAY)


def _with_work(s: Store) -> tuple[Site, Visit, FollowUp]:
    site = s.create(Site(id="", id_fs="1", name="France services Nexon", department="87"))
    done = visits.start_visit(s, site, date=TODAY - dt.timedelta(days=40))
    s.write_fields("visit", done.id, {"status": "finalisee"})
    draft = visits.start_visit(s, site, date=TODAY, visit_type=VisitType.SUIVI)
    late = followups.create_followup(s, FollowUp(id="", site_id=site.id, text="Affichage"),
                                     TODAY, due=TODAY - dt.timedelta(days=3))
    return site, draft, late


def test_record_modules_keep_the_summary_right(tmp_path: Path) -> None:
    with Store(tmp_path / "d") as s:
        s.save_settings(s.settings.model_copy(update={"animator": "Mme Roux",
                                                      "department": "87"}))
        site, draft, late = _with_work(s)
        fig = s.site_figures(TODAY)[site.id]
        assert (fig.last_visit, fig.open_followups, fig.overdue_followups, fig.draft_id) == (
            TODAY, 1, 1, draft.id)
        followups.close_followup(s, late.id, TODAY)
        assert s.site_figures(TODAY)[site.id].open_followups == 0
        followups.update_followup(s, late.id, TODAY, status=FollowUpStatus.IN_PROGRESS)
        assert s.site_figures(TODAY)[site.id].overdue_followups == 1
        visits.discard_draft(s, draft.id)
        fig = s.site_figures(TODAY)[site.id]
        assert (fig.last_visit, fig.draft_id) == (TODAY - dt.timedelta(days=40), None)
        assert_summary_right(s)


def test_the_home_screen_reads_no_visit_nor_follow_up(tmp_path: Path) -> None:
    with Store(tmp_path / "d") as s:
        s.save_settings(s.settings.model_copy(update={"animator": "Mme Roux",
                                                      "department": "87"}))
        site, draft, _ = _with_work(s)
        s.site_figures(TODAY)  # the summary exists (built on first use after a conversion)
        s.storage.compact()  # everything in the snapshot: tables read when asked for
    with Store(tmp_path / "d") as s:
        [row] = site_rows(s, TODAY)
        assert (row.site_id, row.draft_id, row.overdue_followups) == (site.id, draft.id, 1)
        loaded = {name for name in s.storage.read() if s.storage.loaded(name)}
        per_record = ("d:visit", "d:followup", "s:visit", "s:followup", "index")
        assert not [n for n in loaded if n.startswith(per_record)], loaded  # d:visit@<site>…
        assert {"d:site", summary.TABLE} <= loaded


def test_a_converted_data_dir_gets_its_summary_once(
    old_dir: Callable[[int], OldDir], tmp_path: Path
) -> None:
    data = old_dir(400).copy_to(tmp_path / "root")
    with Store(data) as s:
        assert not s.legacy
        assert summary.TABLE not in s.storage.read()
        assert_summary_right(s)
        assert s.site_figures(TODAY), "the 400 visits are counted"
    with Store(data) as s:
        assert s.storage.read()[summary.TABLE], "built once, saved"
        assert_summary_right(s)
