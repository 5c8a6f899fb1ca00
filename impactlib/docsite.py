"""The Dutch documentation site: hand-written pages from ``docs/`` plus pages made from the project.

``impactmonitor docs build`` (or ``python -m impactlib.docsite build``) copies ``docs/`` to a
temporary build folder, adds the generated pages there — never in ``docs/`` itself — and runs
MkDocs (mkdocs-material) in strict mode: a warning or a broken link stops the build.

Generated pages:

- ``indicatoren.md`` — every row of the catalogue (instrument 02): theme, source, regional,
  time series, availability, levels and where to find the figure (:func:`indicator_page`);
- ``routewijzer.md`` — every policy question in ``parameters/questions/`` with its
  indicators and questions for step 6 (:func:`routewijzer_page`);
- ``cli.md`` — the ``--help`` of every sub-command, taken from the parser itself
  (:func:`cli_page`);
- ``galerij/index.md`` — the worked examples of a batch output folder (``outputs/`` by
  default), one row per Veilig Thuis-regio and one column per question, with the reports
  (and conversation handouts, where made) copied into the site and an oefendata label where
  a report carries the banner (:func:`gallery`).

The finished site replaces ``--out`` only when that folder is empty or an earlier site (it
holds :data:`MARKER`); it is built next to it first and moved into place, so a failed build
leaves the previous site as it was.

>>> print(indicator_page().splitlines()[0])
# Indicatoren
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import catalogue, sources, table_specs, themes
from .errors import DataFault, UserInputError
from .formatting import format_count
from .params import PROJECT_ROOT, Question, all_questions
from .regions import all_regions, regions_at

__all__ = [
    "indicator_page",
    "routewijzer_page",
    "cli_page",
    "Gallery",
    "gallery",
    "generated_pages",
    "build",
    "DOCS_DIR",
    "CONFIG",
    "EXAMPLE_QUESTIONS",
    "MARKER",
]

DOCS_DIR = PROJECT_ROOT / "docs"
CONFIG = PROJECT_ROOT / "mkdocs.yml"
QUESTIONS_DIR = PROJECT_ROOT / "parameters" / "questions"
#: The two questions of the worked examples (instruments 05 and 06), first in the gallery.
EXAMPLE_QUESTIONS = ("heftig-structureel-geweld", "eerder-beter-in-beeld")
#: A file in the root of every site this module builds; only such a folder is ever replaced.
MARKER = ".impactmonitor-site"
#: What a report carries at the top when it was made from oefendata (see impactlib.run.export).
BANNER_MARK = b'class="oefendata-banner"'
#: ``impactmonitor handout`` writes ``<regio>/gesprek-<vraag>.html`` next to the report.
HANDOUT_PREFIX = "gesprek-"
_HELP_WIDTH = 80
_LEVEL_ORDER = ("land", "landsdeel", "provincie", "vt", "gemeente")
_LEVEL_WORDS = {"land": "land", "landsdeel": "landsdeel", "provincie": "provincie", "vt": "VT-regio", "gemeente": "gemeente"}


def _cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ").strip()


def _yes(flag: bool) -> str:
    return "ja" if flag else "nee"


# --------------------------------------------------------------------------- indicatoren
def _levels(spec) -> str:
    """The region levels every table of an open indicator holds, e.g. 'land t/m gemeente'."""
    tables = table_specs()
    sets = [set(tables.get(t, {}).get("levels") or []) for t in spec.tables]
    common = [lvl for lvl in _LEVEL_ORDER if sets and all(lvl in s for s in sets)]
    if common == list(_LEVEL_ORDER):
        return "land t/m gemeente"
    return ", ".join(_LEVEL_WORDS[lvl] for lvl in common) or "onbekend"


def _availability(spec) -> str:
    if spec.is_open:
        from .query import cited_tables

        real = cited_tables(spec.tables)
        tables = ", ".join(f"`{t}`" for t in real)
        if not real:
            return f"open data CBS (tabelnummer nog niet vastgesteld); niveaus: {_levels(spec)}"
        unnamed = "" if len(real) == len(spec.tables) else " en een tabel waarvan het nummer nog niet is vastgesteld"
        return f"open data CBS, tabel {tables}{unnamed}; niveaus: {_levels(spec)}"
    return f"niet in open data; {_cell(spec.where)}"


def indicator_page() -> str:
    """Markdown: every catalogue row, grouped by theme, with source and where to find it."""
    cat = list(catalogue().values())
    n_open = sum(s.is_open for s in cat)
    lines = [
        "# Indicatoren",
        "",
        "Dit overzicht is gemaakt uit de catalogus van het programma (`impactlib/data/catalogue.yaml`, "
        "naar instrument 02 *Overzicht van beschikbare indicatoren*). Het noemt alle "
        f"{format_count(len(cat))} indicatoren van de Impactmonitor; {format_count(n_open)} daarvan "
        "berekent `impactmonitor` zelf uit de open data van CBS, de andere staan met de plek waar u ze vindt.",
        "",
        "- **Regionaal**: *ja* = per regio, *deels* = voor een deel van de regio's, *nee* = alleen landelijk.",
        "- **Beschikbaar en waar**: de CBS-tabel(len) en de regio-niveaus waarvoor CBS het cijfer publiceert, "
        "of waar u een cijfer vindt dat niet in de open data staat.",
        "- **Opvragen**: `impactmonitor show ID --region REGIO --period PERIODE` "
        "(zie [Cijfers lezen](cijfers-lezen.md) voor hoe u het leest).",
        "",
    ]
    for theme, label in themes().items():
        rows = [s for s in cat if s.theme == theme]
        if not rows:
            continue
        lines += [f"## {label}", "", "| indicator | bron | regionaal | tijdreeks | beschikbaar en waar |",
                  "|---|---|---|---|---|"]
        lines += [
            f'| <a id="{s.id}"></a>{_cell(s.name)}<br>`{s.id}` | {_cell(s.source_name)} | {s.regional} | '
            f"{_yes(s.time_series)} | {_availability(s)} |"
            for s in rows
        ]
        lines.append("")
    lines += ["## Bronnen", "", "| nr. | bron | eigenaar | waar |", "|---|---|---|---|"]
    lines += [f"| {n} | {_cell(s['name'])} | {_cell(s.get('owner'))} | {_cell(s['where'])} |" for n, s in sources().items()]
    lines += ["", "CBS-cijfers vallen onder de licentie CC BY 4.0: noem CBS en het tabelnummer als bron.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- routewijzer
def _questions(folder: Path) -> list[Question]:
    """The validated questions whose YAML file is in ``folder``, in file-name order."""
    stems = sorted(p.stem for p in Path(folder).glob("*.yaml"))
    known = all_questions(near=Path(folder).parent) if stems else {}
    return [known[s] for s in stems if s in known]


def _indicator_link(ident: str) -> str:
    spec = catalogue()[ident]
    return f"[{_cell(spec.name)}](indicatoren.md#{ident})" + ("" if spec.is_open else " *(niet in open data)*")


def routewijzer_page(folder: Path | str = QUESTIONS_DIR) -> str:
    """Markdown: every policy question of the routewijzer with its indicator combination."""
    questions = _questions(Path(folder))
    lines = [
        "# Routewijzer",
        "",
        "De routewijzer koppelt beleidsvragen die regio's vaak stellen aan een combinatie van indicatoren "
        "(aanbeveling 3.4). Elke vraag hieronder staat in `parameters/questions/<id>.yaml`; met die id "
        "maakt `impactmonitor run` het uitgewerkte voorbeeld (stap 1–6) voor uw regio.",
        "",
        "| vraag | id |",
        "|---|---|",
    ]
    lines += [f"| [{_cell(q.title)}](#{q.id}) | `{q.id}` |" for q in questions]
    lines.append("")
    for q in questions:
        lines += [f"## {q.title} {{#{q.id}}}", "", q.why.strip(), ""]
        if q.goal:
            lines += [f"**Doel.** {q.goal.strip()}", ""]
        lines += ["**Deelvragen (stap 2)**", ""] + [f"- {s}" for s in q.sub_questions] + [""]
        lines += ["**Indicatoren (stap 3)**", ""] + [f"- {_indicator_link(i)}" for i in q.indicators] + [""]
        headline = catalogue()[q.headline].name + (f" ({q.headline_category})" if q.headline_category else "")
        lines += [f"**Kerncijfer in overzichten:** {headline}.", ""]
        lines += ["**Pagina's van het CBS-dashboard:** " + "; ".join(q.dashboard) + ".", ""]
        if q.reflection:
            lines += ["**Vragen voor stap 6**", ""] + [f"- {r}" for r in q.reflection] + [""]
        lines += ["```bash", f'impactmonitor run --region "Uw regio" --question {q.id}',
                  f"impactmonitor run --all-regions --question {q.id}   # alle 26 Veilig Thuis-regio's", "```", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- CLI reference
def _sub_actions(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    """(name, parser, one-line help) of each sub-command of ``parser``, in --help order."""
    out = []
    for action in parser._actions:  # argparse keeps sub-parsers here only
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            out += [(name, p, helps.get(name, "")) for name, p in action.choices.items()]
    return out


def _help_text(parser: argparse.ArgumentParser) -> str:
    """``parser.format_help()`` at a fixed width, so the page does not depend on the terminal."""
    original = parser.formatter_class
    parser.formatter_class = lambda prog: original(prog, width=_HELP_WIDTH)
    try:
        return parser.format_help().rstrip()
    finally:
        parser.formatter_class = original


def cli_page(parser: argparse.ArgumentParser | None = None) -> str:
    """Markdown: the help of ``impactmonitor`` and of every (nested) sub-command."""
    if parser is None:
        from .cli import build_parser

        parser = build_parser()
    lines = [
        "# CLI-referentie",
        "",
        "Deze pagina is gemaakt uit de opdrachtregel zelf: wat hier staat, is wat "
        "`impactmonitor OPDRACHT --help` toont. De kopjes in de hulptekst zijn Engels "
        "(*usage* = gebruik, *positional arguments* = verplichte argumenten, *options* = opties).",
        "",
        "Foute invoer geeft één regel uitleg en exitcode 2; een storing (netwerk, schijf, kapotte cache) "
        "exitcode 1. Met `impactmonitor --debug OPDRACHT ...` ziet u bij een fout de volledige traceback. "
        "Zie [Betrouwbaarheid](betrouwbaarheid.md).",
        "",
        "```text",
        _help_text(parser),
        "```",
        "",
    ]

    def section(prefix: str, depth: int, node: argparse.ArgumentParser) -> None:
        for name, sub, summary in _sub_actions(node):
            title = f"{prefix} {name}"
            lines.extend([f"{'#' * depth} {title}", ""])
            if summary:
                lines.extend([summary[0].upper() + summary[1:] + ".", ""])
            lines.extend(["```text", _help_text(sub), "```", ""])
            section(title, min(depth + 1, 4), sub)

    section("impactmonitor", 2, parser)
    return "\n".join(lines)


# --------------------------------------------------------------------------- gallery
@dataclass
class Gallery:
    """The gallery page and the report files it links (site path → file in the batch folder)."""

    page: str
    files: dict[str, Path] = field(default_factory=dict)
    regions: list[str] = field(default_factory=list)  # VT-regio names with at least one report


def _is_oefendata(report: Path) -> bool:
    """Does the HTML report carry the oefendata banner? (read in chunks; it sits near the top)."""
    tail = b""
    with open(report, "rb") as handle:
        while chunk := handle.read(1 << 20):
            if BANNER_MARK in tail + chunk:
                return True
            tail = chunk[-len(BANNER_MARK):]
    return False


_HOW_TO = [
    "```bash",
    "make examples                                                  # de twee voorbeelden",
    "impactmonitor run --all-regions --question heftig-structureel-geweld",
    "impactmonitor run --all-regions --question eerder-beter-in-beeld",
    "make docs                                                      # daarna de site opnieuw",
    "```",
]


def gallery(batch_dir: Path | str | None = "outputs") -> Gallery:
    """The gallery page for the reports in ``batch_dir`` (``<regio-slug>/<vraag-id>.html``).

    Every VT-regio gets a row, every question found (the two example questions always) a
    column; reports of other regions (gemeenten, provincies) are listed below the table.
    """
    base = Path(batch_dir).expanduser() if batch_dir else None
    questions = all_questions(near=QUESTIONS_DIR.parent)
    by_slug = {r.slug: r for r in all_regions()}
    found: dict[tuple[str, str], Path] = {}
    handouts: dict[tuple[str, str], Path] = {}
    if base is not None and base.is_dir():
        for report in sorted(base.glob("*/*.html")):
            slug, name = report.parent.name, report.stem
            qid = name.removeprefix(HANDOUT_PREFIX)
            if slug in by_slug and qid in questions and report.is_file():
                (handouts if name != qid else found)[(slug, qid)] = report
    handouts = {key: path for key, path in handouts.items() if key in found}
    qids = list(EXAMPLE_QUESTIONS) + sorted({q for _, q in found} - set(EXAMPLE_QUESTIONS))
    files = {f"galerij/{path.parent.name}/{path.name}": path for path in [*found.values(), *handouts.values()]}
    oefen = {key: _is_oefendata(path) for key, path in found.items()}

    def link(slug: str, qid: str) -> str:
        if (slug, qid) not in found:
            return "—"
        handout = f" · [handout]({slug}/{HANDOUT_PREFIX}{qid}.html)" if (slug, qid) in handouts else ""
        return f"[rapport]({slug}/{qid}.html){handout}" + (" · *oefendata*" if oefen[(slug, qid)] else "")

    vt = sorted(regions_at("vt"), key=lambda r: r.name.casefold())
    with_reports = [r.name for r in vt if any((r.slug, q) in found for q in qids)]
    where = f"`{base}`" if base is not None else "(geen map)"
    lines = [
        "# Galerij van uitgewerkte voorbeelden",
        "",
        "Het stappenplan (stap 1–6) uitgewerkt per Veilig Thuis-regio, voor de beleidsvragen van de twee "
        "voorbeelden uit de handreiking: Zaanstreek-Waterland (*heftig en structureel geweld*) en Drenthe "
        "(*eerder en beter in beeld*). Elk rapport is een HTML-pagina met tekst, tabellen en grafieken.",
        "",
    ]
    if not found:
        lines += [
            "!!! note \"Nog geen voorbeelden\"",
            f"    In {where} staan nog geen uitgewerkte voorbeelden. Maak ze en bouw de site opnieuw:",
            "",
        ] + ["    " + line for line in _HOW_TO] + [""]
        return Gallery("\n".join(lines), {}, [])
    if any(oefen.values()):
        lines += [
            "!!! warning \"Oefendata\"",
            "    Rapporten met het label *oefendata* zijn gemaakt met de meegeleverde oefensnapshot: die cijfers "
            "zijn **synthetisch** (behalve de gepubliceerde voorbeeldcijfers van Zaanstreek-Waterland en Drenthe "
            "en enkele landelijke cijfers). Gebruik ze om te oefenen, niet voor beleid. Echte cijfers: "
            "zie [Oefendata en live CBS-data](../oefendata-en-live.md).",
            "",
        ]
    lines += [
        f"Rapporten gevonden voor {format_count(len(with_reports))} van de {format_count(len(vt))} Veilig Thuis-regio's "
        f"(map {where}).",
        "",
        "| Veilig Thuis-regio | " + " | ".join(_cell(questions[q].title) for q in qids) + " |",
        "|---|" + "---|" * len(qids),
    ]
    lines += [f"| {_cell(r.name)} | " + " | ".join(link(r.slug, q) for q in qids) + " |" for r in vt]
    lines.append("")
    others = sorted({slug for slug, _ in found} - {r.slug for r in vt}, key=lambda s: by_slug[s].name)
    if others:
        lines += ["## Andere regio's", ""]
        for slug in others:
            region = by_slug[slug]
            parts = [f"{_cell(questions[q].title)}: {link(slug, q)}" for q in qids if (slug, q) in found]
            lines.append(f"- **{region.name}** ({region.level_label}): " + "; ".join(parts))
        lines.append("")
    if len(with_reports) < len(vt):
        lines += ["Ontbreken er regio's? Maak alle voorbeelden en bouw de site opnieuw:", ""] + _HOW_TO + [""]
    return Gallery("\n".join(lines), files, with_reports)


# --------------------------------------------------------------------------- build
def generated_pages(batch_dir: Path | str | None = "outputs") -> tuple[dict[str, str], Gallery]:
    """``{site path: Markdown}`` of every generated page, and the gallery (with its report files)."""
    shown = gallery(batch_dir)
    pages = {
        "indicatoren.md": indicator_page(),
        "routewijzer.md": routewijzer_page(),
        "cli.md": cli_page(),
        "galerij/index.md": shown.page,
    }
    return pages, shown


def _place(source: Path, target: Path) -> None:
    """A hard link when the file system allows it (the reports are large), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(" ".join(record.getMessage().split()))


def _mkdocs(docs_dir: Path, site_dir: Path, config: Path, strict: bool) -> None:
    try:
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException
    except ImportError:
        raise DataFault("MkDocs ontbreekt; installeer het met: pip install -e '.[docs]' (of: make docs).") from None
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    logger.propagate = False  # MkDocs' own lines stay out of the terminal; the first one is in the error
    try:
        cfg = load_config(config_file=str(config), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=strict)
        mkdocs_build(cfg)
    except MkDocsException as exc:
        first = (collect.messages[0] if collect.messages else str(exc)).rstrip(".")
        raise DataFault(
            f"De documentatiesite is niet gebouwd ({len(collect.messages)} waarschuwing(en)): {first}; "
            "herstel dit in docs/ en bouw opnieuw."
        ) from None
    finally:
        logger.removeHandler(collect)
        logger.propagate = True


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UserInputError(f"{out} is een bestand; geef met --out een map voor de site op.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UserInputError(f"{out} bestaat al en is geen documentatiesite; kies met --out een lege of nieuwe map.")


def build(out: Path | str = "outputs/site", *, gallery_dir: Path | str | None = "outputs",
          docs_dir: Path = DOCS_DIR, config: Path = CONFIG, strict: bool = True) -> dict:
    """Build the site into ``out`` (see the module doc); return a summary for the CLI."""
    out = Path(out).expanduser().resolve()
    _check_target(out)
    if not Path(docs_dir).is_dir() or not Path(config).is_file():
        raise DataFault(f"De bronnen van de documentatie ontbreken ({docs_dir}, {config}); gebruik een volledige kopie van het project.")
    pages, shown = generated_pages(gallery_dir)
    clash = [p for p in pages if (Path(docs_dir) / p).exists()]
    if clash:
        raise DataFault(f"docs/{clash[0]} wordt gegenereerd en hoort niet in docs/; verwijder het bestand.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".docs-build-", dir=out.parent))
    except OSError as exc:
        raise DataFault(f"Kan niet schrijven in {out.parent} ({exc.strerror or exc}); kies met --out een schrijfbare map.") from None
    try:
        source = work / "docs"
        shutil.copytree(docs_dir, source)
        for name, text in pages.items():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_text(text, encoding="utf-8")
        for name, path in shown.files.items():
            _place(path, source / name)
        site = work / "site"
        _mkdocs(source, site, Path(config), strict)
        (site / MARKER).write_text("Gebouwd door impactmonitor docs build; deze map wordt bij de volgende build vervangen.\n",
                                   encoding="utf-8")
        if out.exists():
            out.rename(work / "previous")
        site.rename(out)
    except OSError as exc:
        raise DataFault(f"Kan de site niet schrijven in {out} ({exc.strerror or exc}); kies met --out een schrijfbare map.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n_pages = sum(1 for _ in Path(docs_dir).rglob("*.md")) + len(pages)
    return {"site": str(out), "index": str(out / "index.html"), "pages": n_pages, "reports": len(shown.files),
            "gallery": str(gallery_dir) if gallery_dir else None, "gallery_regions": len(shown.regions)}


def main(argv: list[str] | None = None) -> int:
    """``python -m impactlib.docsite build [--out DIR] [--gallery DIR]`` = ``impactmonitor docs ...``."""
    from .cli import main as cli_main

    return cli_main(["docs", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
