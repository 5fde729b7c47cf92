"""PDF reports as the user gets them: ``fsfield report … --format pdf``, read back with pypdf."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from seed_year import build_year
from test_report_cli import ROOT, run

from fsfield.domain.models import Visit
from fsfield.store.repo import Store

NNBSP = "\u202f"
COMMENT = "Voir #1 *urgent* <b>gras</b> $5 = 5 € ; « œuvre » de l’EPN ! _x_ @ref \\ [a](b)"


def pdf_text(path: Path) -> tuple[str, int]:
    """The text of every page (pypdf), and the page count."""
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    """Text with line breaks as spaces (a long cell wraps), or nothing after the hyphen of a
    compound name (``Saint-Léonard-de-`` / ``Noblat``: hyphenation is off, so a hyphen at a line
    end is the name's own); no-break spaces kept."""
    return re.sub(r"[ \n]+", " ", text.replace("-\n", "-"))


def test_visit_pdf_has_the_site_the_findings_and_french_typography(dataset, tmp_path):
    with Store(dataset.data_dir) as store:
        # Data set up below the record modules: V2 is finalised, which they would refuse.
        store.set_fields(Visit, dataset.visits["V2"], {"answers.m3-back-office.comment": COMMENT})
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V2"][:8], "--format", "pdf",
                 "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "2025-03-10_aubusson_101_compte-rendu.pdf"
    assert f"Rapport écrit : {path}" in result.stderr
    text, pages = pdf_text(path)
    assert 1 <= pages <= 4
    assert "Compte rendu de visite — France services Alpha" in text
    assert f"Structure{NNBSP}: France services Alpha (id 101) — Aubusson" in text
    assert "Points d'attention (2)" in text and "↻ constat récurrent" in text
    assert "Toujours pas de bureau <script>alert(1)</script>" in text, "user text as typed"
    assert COMMENT in text, "typst and HTML markup in a comment print literally"
    assert "Relancer le référent CAF" in text and "Caisse d'allocations familiales" in flat(text)
    assert "département 23" in text and "Page 1 / " in text
    assert "fsfield" in text and "modèle de rapport visite v1" in flat(text)


def test_pdf_is_pdfa_2b_with_embedded_fonts(dataset, tmp_path):
    out = tmp_path / "cr.pdf"
    assert run(dataset.data_dir, "report", "visit", dataset.visits["V1"], "--format", "pdf",
               "-o", str(out)).returncode == 0
    reader = pypdf.PdfReader(out)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>2</pdfaid:part>" in xmp and b"<pdfaid:conformance>B<" in xmp
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/DescendantFonts")
            descriptor = (desc[0].get_object() if desc else font)["/FontDescriptor"]
            assert any(k.startswith("/FontFile") for k in descriptor), font["/BaseFont"]


def test_prepare_pack_pdf_shows_the_reply(dataset, tmp_path):
    visit_id = dataset.visits["V4"]
    assert run(dataset.data_dir, "report", "sent", visit_id[:8], "--date", "12/06/2025",
               "--to", "Mairie de Bourganeuf").returncode == 0
    result = run(dataset.data_dir, "report", "reply", visit_id[:8], "--date", "30/06/2025",
                 "--texte", "Un 2e conseiller arrive en septembre ; merci !",
                 "--conteste", "m2-deux-conseillers", "--accepte", "back-office")
    assert result.returncode == 0, result.stderr
    result = run(dataset.data_dir, "report", "prepare", "102", "--format", "pdf", "-o",
                 str(tmp_path))
    assert result.returncode == 0, result.stderr
    [path] = tmp_path.glob("*_bourganeuf_102_preparation.pdf")
    text, pages = pdf_text(path)
    assert pages <= 3
    text = flat(text)
    assert "Préparation de visite — France services Bêta" in text
    assert "Suites du rapport de la visite du 05/06/2025" in text
    assert "Envoyé le 12/06/2025 à Mairie de Bourganeuf" in text
    assert "Un 2e conseiller arrive en septembre ; merci !" in text, "user text as typed"
    assert f"Contesté{NNBSP}: Deux conseillers présents" in text
    assert f"Accepté{NNBSP}: Réponses du back-office" in text
    assert "Obtenir un contact MSA" in text


def test_annual_pdf_of_the_hand_made_year(dataset, tmp_path):
    out = tmp_path / "bilan.pdf"
    result = run(dataset.data_dir, "report", "annual", "2025", "--format", "pdf", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text, pages = pdf_text(out)
    assert 2 <= pages <= 6
    text = flat(text)
    for name in ("France services Alpha", "France services Bêta", "France services Delta",
                 "France services Gamma (hors annuaire)"):
        assert name in text
    assert "Rapport d'activité 2025" in text and "Visites par mois" in text
    assert "Synthèse par mission" in text and "Rapports envoyés / réponses reçues" in text
    assert f"Période{NNBSP}: du 01/01/2025 au 31/12/2025" in text
    assert "Séminaire de printemps" in text and "Mutualité sociale agricole" in text


@pytest.fixture(scope="module")
def seed_year(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("seed") / "data"
    return data_dir, build_year(data_dir)


def test_every_report_of_the_seed_year_as_pdf(seed_year, tmp_path):
    data_dir, made = seed_year
    result = run(data_dir, "report", "annual", "2022", "--format", "pdf", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    path = tmp_path / "2022-12-31_departement-87_bilan-2022.pdf"
    text, pages = pdf_text(path)
    assert 3 <= pages <= 10
    text = flat(text)
    assert "34 visites de structures" in text and "22 / 22 structures visitées" in text
    for name in made["sites"]:
        assert name in text
    assert "17 rapports envoyés sur 34 visites finalisées · 9 réponses reçues" in text
    for ref in (made["visits"][0], made["visits"][-1]):
        result = run(data_dir, "report", "visit", ref[:8], "--format", "pdf", "-o", str(tmp_path))
        assert result.returncode == 0, result.stderr
    for ref in ("Saint-Léonard", "Châteauneuf"):
        result = run(data_dir, "report", "prepare", ref, "--format", "pdf", "-o", str(tmp_path))
        assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "2022-01-01_aixe-sur-vienne_2800_compte-rendu.pdf" in names
    assert sum(n.endswith("_saint-leonard-de-noblat_2817_preparation.pdf") for n in names) == 1
    for path in tmp_path.iterdir():
        text, pages = pdf_text(path)
        assert 1 <= pages <= 10 and "France services" in text, path.name
    prepared = flat(pdf_text(next(tmp_path.glob("*_chateauneuf-la-foret_*")))[0])
    assert "Préparation de visite — France services Châteauneuf-la-Forêt" in prepared


# -- bad input --------------------------------------------------------------------------------


def _make_read_only(folder: Path) -> bool:
    """Make ``folder`` refuse new files, even to root (immutable flag); False if impossible."""
    if sys.platform == "win32":
        return False
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        chattr = shutil.which("chattr")
        return bool(chattr) and subprocess.run([chattr, "+i", str(folder)]).returncode == 0
    folder.chmod(0o500)
    return True


def _undo_read_only(folder: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)])
    folder.chmod(0o700)


def test_pdf_to_a_missing_or_read_only_folder_writes_nothing(dataset, tmp_path):
    missing = tmp_path / "absent" / "cr.pdf"
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V2"], "--format", "pdf",
                 "-o", str(missing))
    assert result.returncode == 1
    assert "n'existe pas" in result.stderr and "Aucun fichier créé" in result.stderr
    assert not missing.parent.exists()
    locked = tmp_path / "verrouille"
    locked.mkdir()
    if not _make_read_only(locked):
        pytest.skip("cannot make a read-only folder here")
    try:
        result = run(dataset.data_dir, "report", "annual", "2025", "--format", "pdf", "-o",
                     str(locked))
        assert result.returncode == 1
        assert "impossible d'écrire" in result.stderr and "Aucun fichier créé" in result.stderr
        assert list(locked.iterdir()) == [], "no temp file left behind"
    finally:
        _undo_read_only(locked)


def test_pdf_of_an_unknown_visit(dataset, tmp_path):
    result = run(dataset.data_dir, "report", "visit", "ffffffff", "--format", "pdf", "-o",
                 str(tmp_path))
    assert result.returncode == 1
    assert "aucune visite avec l'identifiant « ffffffff »" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_visit_of_an_archived_only_template_version(dataset, tmp_path):
    """The visit's version survives only in the archive: the report uses it; an unreadable
    archive is a French error and no file."""
    with Store(dataset.data_dir) as store:
        visit = store.get(Visit, dataset.visits["V1"])
        archive = dataset.data_dir / "templates" / f"{visit.template_id}@{visit.template_version}.toml"
        old = archive.read_text(encoding="utf-8").replace(
            "Bureau confidentiel pour les rendez-vous individuels", "Bureau fermé (ancienne grille)")
        archived = archive.with_name(f"{visit.template_id}@99.toml")
        archived.write_text(old.replace(f"version = {visit.template_version}", "version = 99"),
                            encoding="utf-8")
        store.set_fields(Visit, visit.id, {"template_version": 99})
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V1"], "--format", "pdf",
                 "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    [path] = tmp_path.glob("*.pdf")
    assert "Bureau fermé (ancienne grille)" in pdf_text(path)[0]
    path.unlink()
    archived.write_text("version = [", encoding="utf-8")
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V1"], "--format", "pdf",
                 "-o", str(tmp_path))
    assert result.returncode == 1
    assert f"{archived.name} : fin du fichier : syntaxe TOML invalide" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_sent_and_reply_bad_input(dataset):
    draft = dataset.visits["V6"]
    result = run(dataset.data_dir, "report", "sent", draft[:8], "--date", "01/11/2025", "--to",
                 "Préfecture")
    assert result.returncode == 1 and "pas finalisée" in result.stderr
    result = run(dataset.data_dir, "report", "sent", dataset.visits["V2"], "--date", "31/02/2025",
                 "--to", "Préfecture")
    assert result.returncode == 1 and "n'existe pas" in result.stderr
    result = run(dataset.data_dir, "report", "reply", dataset.visits["V2"], "--conteste", "zzz")
    assert result.returncode == 1 and "aucun élément de la grille ne correspond à « zzz »" in \
        result.stderr and "m2-bureau-confidentiel — Bureau confidentiel" in result.stderr
    assert "Rien n'a été enregistré." in result.stderr
    with Store(dataset.data_dir) as store:
        assert not store.get(Visit, dataset.visits["V2"]).sent()
        assert not store.get(Visit, dataset.visits["V2"]).has_reply


def test_the_pdf_engine_is_not_loaded_at_start_up_nor_for_text_reports(dataset, tmp_path):
    out = tmp_path / "bilan.html"
    code = (
        "import sys\n"
        "from fsfield.cli import main\n"
        "import fsfield.app, fsfield.screens.sites, fsfield.screens.report\n"
        f"assert main(['--data-dir', {str(dataset.data_dir)!r}, 'report', 'annual', '2025', "
        f"'--format', 'html', '-o', {str(out)!r}]) == 0\n"
        "print('typst' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_output_to_a_special_file_writes_into_it_and_keeps_it(dataset, tmp_path):
    """``-o /dev/null`` or a pipe: written into, never replaced by a regular file."""
    import stat
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = bytearray()

    def read() -> None:
        with open(pipe, "rb") as f:
            received.extend(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = run(dataset.data_dir, "report", "visit", dataset.visits["V2"], "-o", str(pipe))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert received.decode("utf-8").startswith("# Compte rendu de visite")
    assert stat.S_ISFIFO(pipe.stat().st_mode), "the pipe is still a pipe"


def test_every_visit_and_site_of_the_hand_made_dataset_as_pdf(store, dataset):
    from fsfield.domain.models import Site
    from fsfield.reports.documents import annual_document, prepare_document, visit_document

    for key, visit_id in dataset.visits.items():
        visit = store.get(Visit, visit_id)
        doc = visit_document(store, visit)
        reader = pypdf.PdfReader(io.BytesIO(doc.render("pdf")))
        text = flat("\n".join(p.extract_text() for p in reader.pages))
        site = store.get(Site, visit.site_id)
        assert 1 <= len(reader.pages) <= 4, key
        assert f"Compte rendu de visite — {site.name}" in text, key
        assert ("Document provisoire" in text) is (key == "V6"), key
        assert ("ne figure plus dans l'annuaire officiel" in text) is (key == "V5"), key
    for site in store.sites():
        reader = pypdf.PdfReader(io.BytesIO(prepare_document(store, site).render("pdf")))
        assert len(reader.pages) <= 3 and site.name in reader.pages[0].extract_text()
    doc = annual_document(store, 2024)
    assert "Rapport d'activité 2024" in pypdf.PdfReader(io.BytesIO(doc.render("pdf"))).pages[
        0].extract_text()


def test_a_table_longer_than_a_page_repeats_its_header(tmp_path):
    data_dir = tmp_path / "data"
    build_year(data_dir, visits=120, sites=60)
    result = run(data_dir, "report", "annual", "2022", "--format", "pdf", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    reader = pypdf.PdfReader(tmp_path / "2022-12-31_departement-87_bilan-2022.pdf")
    pages = [page.extract_text() for page in reader.pages]
    with_header = [n for n, text in enumerate(pages)
                   if "Structure id Visites Mois Dernière visite" in text]
    assert len(with_header) >= 2, "the per-site table spans pages, its header on each"
    assert with_header == list(range(with_header[0], with_header[-1] + 1))
    assert f"Page 1 / {len(pages)}" in pages[0] and f"Page {len(pages)} / {len(pages)}" in pages[-1]


def test_a_missing_pdf_engine_names_the_install_command(dataset, tmp_path):
    code = (
        "import sys\n"
        "sys.modules['typst'] = None  # as if the package were not installed\n"
        "from fsfield.cli import main\n"
        f"sys.exit(main(['--data-dir', {str(dataset.data_dir)!r}, 'report', 'visit', "
        f"{dataset.visits['V2']!r}, '--format', 'pdf', '-o', {str(tmp_path)!r}]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60, encoding="utf-8")
    assert result.returncode == 1
    assert "le moteur PDF (typst) n'est pas installé : pip install typst" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_french_typography_applies_to_the_app_text_only():
    from fsfield.reports.typst_data import typo

    assert typo("Période : du 01/01 ; « en retard » ! Vraiment ?") == (
        "Période\u202f: du 01/01\u202f; «\u202fen retard\u202f»\u202f! Vraiment\u202f?")
    assert typo("Déjà\u202f: fait") == "Déjà\u202f: fait", "applied twice: unchanged"


def test_pdf_without_output_goes_to_the_current_folder_under_its_name(dataset, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "fsfield.cli", "--data-dir", str(dataset.data_dir), "report",
         "prepare", "Gamma", "--format", "pdf"],
        capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", "no PDF bytes on the terminal"
    [path] = tmp_path.glob("*_crocq_103_preparation.pdf")
    assert "France services Gamma" in pdf_text(path)[0]
