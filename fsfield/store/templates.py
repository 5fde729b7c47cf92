"""Which checklist template a visit uses, and the archive that keeps old versions readable."""

from __future__ import annotations

from pathlib import Path

from fsfield.domain.template import ChecklistTemplate, load_template_source
from fsfield.store.repo import Store
from fsfield.store.template_archive import TemplateStore

ARCHIVE_DIR = "templates"


def _archive(store: Store) -> TemplateStore:
    archive = store.memo.get("template_archive")
    if archive is None:
        archive = store.memo["template_archive"] = TemplateStore(store.data_dir / ARCHIVE_DIR)
    return archive


def current_template(store: Store) -> ChecklistTemplate:
    """The template new visits use (the user's, or the packaged default), archived on first use.

    Raises TemplateError (French message naming file, item and reason) for a bad template.
    """
    path = store.settings.template_path
    cached = store.memo.get("current_template")
    if cached is not None and cached[0] == path:
        return cached[1]
    template, text = load_template_source(Path(path) if path else None)
    _archive(store).ensure_archived(template, text, source_name=path)
    store.memo["current_template"] = (path, template)
    return template


def template_for(store: Store, template_id: str, version: int) -> ChecklistTemplate | None:
    """The template a visit was made with, or None when this laptop never saw that version."""
    found = _archive(store).get(template_id, version)
    if found is not None:
        return found
    current = current_template(store)
    if (current.id, current.version) == (template_id, version):
        return current
    return packaged_archive(template_id, version)


def packaged_archive(template_id: str, version: int) -> ChecklistTemplate | None:
    """An earlier version of the default template shipped with fsfield (templates/archive/),
    so that visits made with it stay readable on a laptop that never used it."""
    from importlib import resources

    from fsfield.domain.template import parse_template

    name = f"{template_id}@{version}.toml"
    path = resources.files("fsfield").joinpath("templates", "archive", name)
    if not path.is_file():
        return None
    template = parse_template(path.read_text(encoding="utf-8"), name)
    return template if (template.id, template.version) == (template_id, version) else None
