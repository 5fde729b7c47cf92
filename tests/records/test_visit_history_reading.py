"""What a visit shows of the site's earlier visits (each item's last answer, the recurring
findings) reads the earlier visits newest first and stops once every item is settled: the same
result as reading them all, and at a site with years of visits only the last few are built."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from fsfield.domain.models import Answer, Settings, Site
from fsfield.domain.template import AnswerStatus
from fsfield.store import visits as ops
from fsfield.store.repo import Store
from fsfield.store.templates import current_template

ITEMS = ["i1", "i2", "i3"]


@dataclass
class Past:
    date: dt.date
    answers: dict[str, Answer] = field(default_factory=dict)


answers = st.one_of(st.none(), st.sampled_from(list(AnswerStatus)).map(lambda s: Answer(status=s)),
                    st.just(Answer(value="12")))
histories = st.lists(st.dictionaries(st.sampled_from(ITEMS + ["other"]), answers), max_size=12)


def read_all(visits: list[Past]) -> tuple[dict, set]:
    """The rule as first written: every visit read, newest first."""
    last, streak, broken = {}, {}, set()
    for past in visits:
        for item_id, answer in past.answers.items():
            if item_id not in ITEMS or not answer.is_answered:
                continue
            last.setdefault(item_id, ops.PastAnswer(past.date, answer))
            if item_id in broken:
                continue
            if answer.status in ops.FINDINGS:
                streak[item_id] = streak.get(item_id, 0) + 1
            else:
                broken.add(item_id)
    return last, {i for i, n in streak.items() if n >= 2}


@given(histories)
def test_stopping_early_gives_what_reading_every_visit_gives(history):
    visits = [Past(dt.date(2026, 1, 1) - dt.timedelta(days=30 * n),
                   {k: a for k, a in h.items() if a is not None}) for n, h in enumerate(history)]
    read: list[Past] = []

    def newest_first():
        for v in visits:
            read.append(v)
            yield v

    assert ops._last_and_recurring(newest_first(), ITEMS) == read_all(visits)


def test_a_site_with_years_of_visits_builds_only_the_last_few(tmp_path, monkeypatch):
    with Store(tmp_path / "data") as store:
        store.save_settings(Settings(animator="Géraldine Loiraud", department="87"))
        site = store.create(Site(id="", id_fs="515", name="France services Nexon",
                                 department="87", commune="Nexon"))
        items = [i.id for i in current_template(store).items()]
        made = []
        for year in range(2016, 2027):
            v = ops.start_visit(store, site, date=dt.date(year, 3, 1))
            with store.storage.batch():
                for n, item in enumerate(items):
                    kind = current_template(store).item(item).kind
                    if kind == "status":
                        status = AnswerStatus.NON_CONFORME if n % 5 == 0 else AnswerStatus.CONFORME
                        v = ops.set_answer(store, v, item, status=status)
                    elif kind == "number":
                        v = ops.set_answer(store, v, item, value=3)
                    else:
                        v = ops.set_answer(store, v, item, value="RAS")
            made.append(v)
        built: list[str] = []
        real = Store._materialise

        def counting(self, record_id, kind):
            built.append(record_id)
            return real(self, record_id, kind)

        monkeypatch.setattr(Store, "_materialise", counting)
        latest = made[-1]
        last, recurring = ops.history_of(store, latest)
        statuses = [n for n, item in enumerate(items)
                    if current_template(store).item(item).kind == "status"]
        finding = items[next(n for n in statuses if n % 5 == 0)]
        fine = items[next(n for n in statuses if n % 5)]
        assert last[fine].date == dt.date(2025, 3, 1)
        assert finding in recurring and fine not in recurring
        assert len(set(built) - {latest.id}) <= 3, len(built)
        assert ops.recurring_findings(store, site.id) == recurring
