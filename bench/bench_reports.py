"""Report benchmark (issue #13): the annual report as PDF against the same report as HTML.

Run from the repository root::

    PYTHONPATH=. python bench/bench_reports.py            # 34 and 400 visits, 7 repeats
    PYTHONPATH=. python bench/bench_reports.py --quick    # 34 visits, 3 repeats

For each year (the seed's 34 visits of 22 sites, and a heavy year of 400 visits of 60 sites,
both from ``tests/reports/seed_year.py``), the figures are computed once from the store, then:

* **html**: ``annual_render.render_html`` (the baseline: the same report, same data, same run);
* **pdf**: ``typst_data.annual_data`` + ``pdf.render_pdf`` (typst compile, PDF/A-2b);

each timed as the median of N repeats in this process (the engine already loaded), with the
size of what is written and the page count. Then, in fresh interpreters: the cost of the first
PDF (import of the engine + first compile, what the first save of a session pays), and whether
importing the app (``fsfield.cli``, ``fsfield.app`` and the report screens) loads the engine.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(ROOT), str(ROOT / "tests" / "reports")) if p not in sys.path]

from seed_year import build_year  # noqa: E402

YEAR = 2022


def _median_ms(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), out


def measure(data_dir: Path, repeats: int) -> dict:
    import pypdf

    from fsfield.reports import annual_render
    from fsfield.reports.annual import annual_figures
    from fsfield.reports.pdf import render_pdf
    from fsfield.reports.typst_data import annual_data
    from fsfield.store.repo import Store

    with Store(data_dir) as store:
        start = time.perf_counter()
        fig = annual_figures(store, YEAR)
        figures_ms = (time.perf_counter() - start) * 1000
        dep, animator = store.settings.department, store.settings.animator
    render_pdf("annual", annual_data(fig, dep, animator))  # warm: engine loaded, fonts read
    html_ms, html = _median_ms(
        lambda: annual_render.render_html(fig, dep, animator).encode("utf-8"), repeats)
    pdf_ms, pdf = _median_ms(lambda: render_pdf("annual", annual_data(fig, dep, animator)),
                             repeats)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return {"visits": fig.visits_total, "figures_ms": figures_ms, "html_ms": html_ms,
            "html_kb": len(html) / 1024, "pdf_ms": pdf_ms, "pdf_kb": len(pdf) / 1024,
            "pages": pages}


FIRST_PDF = """
import sys, time
sys.path.insert(0, {root!r})
from fsfield.reports.annual import annual_figures
from fsfield.reports.typst_data import annual_data
from fsfield.store.repo import Store
with Store({data!r}) as store:
    data = annual_data(annual_figures(store, {year}), "87", "")
start = time.perf_counter()
import typst
imported = time.perf_counter()
from fsfield.reports.pdf import render_pdf
render_pdf("annual", data)
done = time.perf_counter()
print((imported - start) * 1000, (done - imported) * 1000)
"""

STARTUP = """
import sys
sys.path.insert(0, {root!r})
import fsfield.cli, fsfield.app, fsfield.screens.report, fsfield.screens.annual
import fsfield.screens.dossier, fsfield.reports.documents
print('typst' in sys.modules)
"""


def first_pdf(data_dir: Path, runs: int) -> tuple[float, float]:
    out = []
    for _ in range(runs):
        code = FIRST_PDF.format(root=str(ROOT), data=str(data_dir), year=YEAR)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        out.append(tuple(float(x) for x in res.stdout.split()))
    return statistics.median(o[0] for o in out), statistics.median(o[1] for o in out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    sizes = [(34, 22)] if args.quick else [(34, 22), (400, 60)]
    res = subprocess.run([sys.executable, "-c", STARTUP.format(root=str(ROOT))],
                         capture_output=True, text=True, check=True)
    print(f"engine imported by the app at start-up: {res.stdout.strip()}")
    print("| visits | figures | HTML (baseline) | PDF | PDF / HTML time | HTML size | PDF size "
          "| PDF pages |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        first = None
        for visits, sites in sizes:
            data_dir = Path(tmp) / f"y{visits}"
            build_year(data_dir, year=YEAR, visits=visits, sites=sites)
            m = measure(data_dir, repeats)
            print(f"| {m['visits']} | {m['figures_ms']:.0f} ms | {m['html_ms']:.1f} ms "
                  f"| {m['pdf_ms']:.0f} ms | {m['pdf_ms'] / m['html_ms']:.0f}× "
                  f"| {m['html_kb']:.0f} kB | {m['pdf_kb']:.0f} kB | {m['pages']} |")
            if first is None:
                first = first_pdf(data_dir, 3 if args.quick else 5)
        print(f"first PDF of a session (34 visits, fresh interpreter): import typst "
              f"{first[0]:.0f} ms + first compile {first[1]:.0f} ms")


if __name__ == "__main__":
    main()
