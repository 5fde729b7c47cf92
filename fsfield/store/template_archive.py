"""Archive of every checklist template version in use, so old visits stay readable."""

import re
from pathlib import Path

from fsfield.domain.template import (
    KEBAB_ID,
    ChecklistTemplate,
    TemplateError,
    load_template,
    parse_template,
)
from fsfield.store.files import atomic_write_bytes


class TemplateStore:
    """Archive of every template version used, so that old visits stay readable.

    Each version is kept as ``<dir>/<id>@<version>.toml``, written once (temp file, fsync,
    ``os.replace``) and never overwritten. Editing a template without bumping its version is
    refused when its content differs from the archived one; comments and layout may change.
    """

    def __init__(self, dir: Path) -> None:
        self.directory = Path(dir)
        self._cache: dict[tuple[str, int], ChecklistTemplate] = {}

    def path_for(self, template_id: str, version: int) -> Path:
        """Archive path of a version; TemplateError if the id or version is malformed."""
        if not re.fullmatch(KEBAB_ID, template_id) or isinstance(version, bool) or version < 1:
            raise TemplateError(
                "archive des modèles",
                [f"référence de modèle invalide « {template_id} » version {version}"],
            )
        return self.directory / f"{template_id}@{version}.toml"

    def versions(self, template_id: str) -> list[int]:
        """Archived versions of a template, ascending."""
        self.path_for(template_id, 1)  # validates the id before it reaches a glob pattern
        found = []
        for path in self.directory.glob(f"{template_id}@*.toml"):
            suffix = path.stem.rpartition("@")[2]
            if suffix.isdigit():
                found.append(int(suffix))
        return sorted(found)

    def get(self, template_id: str, version: int) -> ChecklistTemplate | None:
        """The archived template, or None if this version was never archived.

        Raises TemplateError if the archived file is unreadable or declares another id/version.
        """
        key = (template_id, version)
        if key in self._cache:
            return self._cache[key]
        path = self.path_for(template_id, version)
        if not path.exists():
            return None
        template = load_template(path)
        if (template.id, template.version) != key:
            raise TemplateError(
                path.name,
                [f"le fichier archivé déclare « {template.id} » version {template.version}"],
            )
        self._cache[key] = template
        return template

    def ensure_archived(
        self, template: ChecklistTemplate, source_text: str, *, source_name: str | None = None
    ) -> Path:
        """Archive ``source_text`` (the text ``template`` was loaded from) unless already there.

        Returns the archive path. Raises TemplateError, naming ``source_name`` (the user's file)
        if given, when this id and version are archived with a different content: the user must
        bump the version. The archived file is never modified.
        """
        if parse_template(source_text, source_name or "modèle") != template:
            raise ValueError("source_text is not the text the template was loaded from")
        path = self.path_for(template.id, template.version)
        archived = self.get(template.id, template.version)
        if archived is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, source_text.encode("utf-8"))
            self._cache[(template.id, template.version)] = template
        elif archived != template:
            next_version = max([template.version, *self.versions(template.id)]) + 1
            raise TemplateError(
                source_name or path.name,
                [
                    f"le modèle « {template.id} » version {template.version} a déjà servi avec "
                    f"un autre contenu ({_describe_changes(archived, template)}) : indiquez "
                    f"version = {next_version} pour enregistrer vos modifications ; les visites "
                    f"déjà faites gardent la version {template.version}"
                ],
            )
        return path


def _describe_changes(old: ChecklistTemplate, new: ChecklistTemplate) -> str:
    old_items = {item.id: item for item in old.items()}
    new_items = {item.id: item for item in new.items()}
    parts = []
    if (old.title, old.description) != (new.title, new.description):
        parts.append("titre ou description modifiés")
    if [(m.id, m.title, m.short_title) for m in old.missions] != [
        (m.id, m.title, m.short_title) for m in new.missions
    ]:
        parts.append("missions modifiées")
    for label, ids in (
        ("éléments ajoutés", [i for i in new_items if i not in old_items]),
        ("éléments retirés", [i for i in old_items if i not in new_items]),
        (
            "éléments modifiés",
            [i for i in new_items if i in old_items and old_items[i] != new_items[i]],
        ),
    ):
        if ids:
            parts.append(f"{label} : {', '.join(ids)}")
    if not parts and list(old_items) != list(new_items):
        parts.append("ordre des éléments modifié")
    return " ; ".join(parts) or "contenu modifié"
