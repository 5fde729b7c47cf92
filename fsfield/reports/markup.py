"""Escaping and page shells shared by the Markdown and HTML renderers.

Every piece of user text (comments, names, titles) goes through :func:`md` or :func:`esc`:
a comment holding ``<script>`` must print as text, never run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from fsfield.domain.template import AnswerStatus

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")

STATUS_CLASS = {
    AnswerStatus.CONFORME: "ok",
    AnswerStatus.A_AMELIORER: "warn",
    AnswerStatus.NON_CONFORME: "bad",
    AnswerStatus.SANS_OBJET: "na",
    AnswerStatus.NON_VERIFIE: "na",
}


def md(text: object, *, indent: int = 0) -> str:
    """User text made inert in Markdown; line breaks kept as hard breaks, indented by ``indent``."""
    lines = [_MD_SPECIAL.sub(r"\\\1", line.strip()) for line in str(text).splitlines()]
    lines = [line for line in lines if line] or [""]
    return ("  \n" + " " * indent).join(lines)


def md_cell(text: object) -> str:
    """User text for one cell of a Markdown table (one line, pipes escaped)."""
    return md(" ".join(str(text).split())) or " "


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "") -> str:
    """A Markdown table; cells are escaped. ``align`` holds one of l/r per column (default l)."""
    rules = ["---:" if (align[i:i + 1] == "r") else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |", "| " + " | ".join(rules) + " |"]
    for row in rows:
        lines.append("| " + " | ".join(md_cell(c) for c in row) + " |")
    return "\n".join(lines)


def esc(text: object) -> str:
    """User text escaped for HTML; line breaks become ``<br>``."""
    return "<br>".join(html.escape(line) for line in str(text).splitlines()) or ""


def html_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "", cls: str = ""
) -> str:
    """An HTML table; every cell is escaped. ``align`` holds one of l/r per column."""
    def td(tag: str, i: int, value: object) -> str:
        right = ' class="num"' if align[i:i + 1] == "r" else ""
        return f"<{tag}{right}>{esc(value)}</{tag}>"

    head = "".join(td("th", i, h) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(td("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows
    )
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def status_badge(status: AnswerStatus | None) -> str:
    """A coloured label for an answer status (HTML)."""
    if status is None:
        return '<span class="badge na">Sans réponse</span>'
    return f'<span class="badge {STATUS_CLASS[status]}">{html.escape(status.label)}</span>'


_CSS = """
:root { --ink: #1e1e1e; --muted: #5a5a5a; --line: #d0d0d0; --blue: #000091; }
* { box-sizing: border-box; }
body { font-family: "Marianne", Arial, Helvetica, sans-serif; color: var(--ink);
       max-width: 960px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; font-size: 15px; }
header { border-bottom: 3px solid var(--blue); margin-bottom: 1.5rem; padding-bottom: .5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; color: var(--blue); }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .6rem; border-bottom: 1px solid var(--line);
     padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.meta { color: var(--muted); margin: .2rem 0; }
.draft { border: 2px dashed #b34000; color: #b34000; padding: .4rem .8rem; font-weight: bold; }
.flag { color: #b34000; font-weight: bold; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f0f0f6; }
td.num, th.num { text-align: right; white-space: nowrap; }
ul.items { list-style: none; padding-left: 0; }
ul.items li { padding: .35rem 0; border-bottom: 1px solid #eee; }
.comment { color: var(--muted); margin: .15rem 0 0 1rem; font-style: italic; }
.badge { display: inline-block; min-width: 7.5rem; padding: 0 .4rem; border-radius: 3px;
         font-size: .85rem; font-weight: bold; margin-right: .4rem; text-align: center; }
.badge.ok { background: #dff3e4; color: #18753c; }
.badge.warn { background: #fff0d6; color: #8a5200; }
.badge.bad { background: #fde2e1; color: #ce0500; }
.badge.na { background: #eee; color: var(--muted); }
.bars { margin: .5rem 0 1rem; }
.bar-row { display: flex; align-items: center; gap: .5rem; margin: .15rem 0; }
.bar-label { width: 6.5rem; }
.bar-track { display: block; flex: 1; background: #f3f3f8; height: 1.1rem; }
.bar { display: block; background: var(--blue); height: 100%; -webkit-print-color-adjust: exact;
       print-color-adjust: exact; }
.bar-value { width: 2.5rem; text-align: right; }
.figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; padding: 0; }
.figures li { list-style: none; border: 1px solid var(--line); padding: .5rem .8rem;
              min-width: 10rem; }
.figures b { display: block; font-size: 1.5rem; color: var(--blue); }
footer { margin-top: 2rem; color: var(--muted); font-size: .85rem;
         border-top: 1px solid var(--line); padding-top: .4rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  table, li, .bar-row { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  @page { size: A4; margin: 15mm; }
}
"""


def page(title: str, body: str, *, footer: str = "") -> str:
    """A standalone printable HTML page (inline CSS, no external asset). ``title`` is user text;
    ``body`` is already-escaped HTML."""
    foot = f"<footer>{esc(footer)}</footer>" if footer else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n{foot}\n</body>\n</html>\n"
    )
