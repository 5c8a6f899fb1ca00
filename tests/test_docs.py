"""The documentation site: generated pages match the project, and the site builds in strict mode."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from impactlib import docsite, query
from impactlib.catalogue import catalogue
from impactlib.cli import build_parser, main
from impactlib.errors import DataFault, UserInputError
from impactlib.params import PROJECT_ROOT
from impactlib.regions import regions_at

DOCS = PROJECT_ROOT / "docs"
BANNER = '<div class="oefendata-banner" role="alert">OEFENDATA</div>'


def fake_batch(folder: Path, *, synthetic: bool = True) -> Path:
    """A batch output folder as ``impactmonitor run --all-regions`` leaves it, in miniature."""
    for region in regions_at("vt"):
        for qid in docsite.EXAMPLE_QUESTIONS:
            path = folder / region.slug / f"{qid}.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            body = BANNER if synthetic else ""
            path.write_text(f"<!DOCTYPE html><html><body>{body}<h1>{region.name}</h1></body></html>", encoding="utf-8")
            path.with_suffix(".ipynb").write_text("{}", encoding="utf-8")
    (folder / "index.html").write_text("<html><body>index</body></html>", encoding="utf-8")
    (folder / "drenthe" / f"gesprek-{docsite.EXAMPLE_QUESTIONS[1]}.html").write_text("<html>handout</html>")
    (folder / "atlantis").mkdir()
    (folder / "atlantis" / "heftig-structureel-geweld.html").write_text("<html>not a region</html>")
    (folder / "twente" / "niet-een-vraag.html").write_text("<html>not a question</html>")
    (folder / "twente" / "heftig-structureel-geweld.mislukt.ipynb").write_text("{}")
    return folder


# --------------------------------------------------------------------------- generated pages
def test_indicator_page_lists_every_catalogue_row_with_its_facts():
    page = docsite.indicator_page()
    rows = [line for line in page.splitlines() if line.startswith('| <a id="')]
    ids = [re.match(r'\| <a id="([^"]+)"', line).group(1) for line in rows]
    assert ids and sorted(ids) == sorted(catalogue())
    for spec, row in zip(catalogue().values(), rows):
        assert spec.name.replace("|", "\\|") in row and f"`{spec.id}`" in row
        assert spec.source_name in row and f"| {spec.regional} |" in row
        assert ("open data CBS" in row) == spec.is_open
        if spec.is_open:
            assert all(f"`{t}`" in row for t in spec.tables if query.is_cbs_table_id(t))
        else:
            assert spec.where in row


def test_routewijzer_lists_every_question_file_with_its_indicators():
    page = docsite.routewijzer_page()
    files = sorted((PROJECT_ROOT / "parameters" / "questions").glob("*.yaml"))
    assert files
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert f"{{#{raw['id']}}}" in page and raw["title"] in page
        for ident in raw["indicators"]:
            assert f"(indicatoren.md#{ident})" in page
        assert f"--question {raw['id']}" in page


def test_routewijzer_of_an_empty_folder_has_no_questions(tmp_path):
    page = docsite.routewijzer_page(tmp_path)
    assert page.startswith("# Routewijzer") and "## " not in page


def _commands(parser, prefix="impactmonitor"):
    for name, sub, _ in docsite._sub_actions(parser):
        yield f"{prefix} {name}"
        yield from _commands(sub, f"{prefix} {name}")


def test_cli_reference_has_every_registered_command_with_its_help():
    page = docsite.cli_page()
    commands = list(_commands(build_parser()))
    assert {"impactmonitor show", "impactmonitor data status", "impactmonitor docs build"} <= set(commands)
    headings = set(re.findall(r"^#{2,4} (impactmonitor[\w -]*)$", page, flags=re.M))
    assert headings == set(commands)
    assert "usage: impactmonitor show [-h] --region REGION" in page
    assert "--gallery GALLERY" in page


def test_gallery_of_a_missing_folder_says_how_to_make_the_examples(tmp_path):
    shown = docsite.gallery(tmp_path / "leeg")
    assert shown.files == {} and shown.regions == []
    assert "Nog geen voorbeelden" in shown.page and "make examples" in shown.page
    assert "--all-regions --question heftig-structureel-geweld" in shown.page


def test_gallery_links_every_region_and_both_questions_with_the_oefendata_label(tmp_path):
    shown = docsite.gallery(fake_batch(tmp_path / "outputs"))
    vt = regions_at("vt")
    assert len(shown.regions) == len(vt) == 25  # the VT-regio's of the newest layout
    reports = {k for k in shown.files if not Path(k).name.startswith("gesprek-")}
    assert len(reports) == 2 * len(vt) and "galerij/drenthe/gesprek-eerder-beter-in-beeld.html" in shown.files
    for region in vt:
        row = next(line for line in shown.page.splitlines() if line.startswith(f"| {region.name} |"))
        for qid in docsite.EXAMPLE_QUESTIONS:
            assert f"[rapport]({region.slug}/{qid}.html)" in row
        assert row.count("*oefendata*") == 2
    assert "atlantis" not in shown.page and "niet-een-vraag" not in shown.page and "Ontbreken" not in shown.page
    assert "!!! warning \"Oefendata\"" in shown.page


def test_gallery_without_banner_has_no_oefendata_label_and_names_missing_regions(tmp_path):
    folder = fake_batch(tmp_path / "outputs", synthetic=False)
    shutil.rmtree(folder / "twente")
    shown = docsite.gallery(folder)
    assert "oefendata" not in shown.page.lower() and len(shown.regions) == len(regions_at("vt")) - 1
    assert "| Twente | — | — |" in shown.page and "Ontbreken er regio's?" in shown.page


def test_oefendata_banner_is_found_across_read_chunks(tmp_path):
    report = tmp_path / "r.html"
    report.write_bytes(b"x" * ((1 << 20) - 5) + docsite.BANNER_MARK)
    assert docsite._is_oefendata(report)
    report.write_bytes(b"x" * (1 << 21))
    assert not docsite._is_oefendata(report)


# --------------------------------------------------------------------------- hand-written pages
def test_generated_pages_are_not_in_docs():
    pages, _ = docsite.generated_pages(None)
    assert not [p for p in pages if (DOCS / p).exists()]


def test_reliability_table_has_stable_ids_and_exit_codes():
    text = (DOCS / "betrouwbaarheid.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| id |"))
    assert [c.strip() for c in header.strip("|").split("|")] == ["id", "situatie", "wat u ziet", "exitcode", "test"]
    rows = [re.split(r"(?<!\\)\|", line.strip().strip("|")) for line in text.splitlines() if re.match(r"\| R\d\d ", line)]
    assert len(rows) >= 20 and all(len(r) == 5 for r in rows)
    ids = [r[0].strip() for r in rows]
    assert ids == [f"R{i:02d}" for i in range(1, len(ids) + 1)]
    assert {r[3].strip() for r in rows} <= {"0", "1", "2", "130"}
    assert not [r for r in rows if "Traceback" in r[2]]


def test_local_indicator_page_describes_every_schema_column():
    schema = yaml.safe_load((PROJECT_ROOT / "impactlib" / "data" / "local_schema.yaml").read_text(encoding="utf-8"))
    page = (DOCS / "lokale-indicatoren.md").read_text(encoding="utf-8")
    for column in [*schema["columns"], *schema.get("optional_columns", {})]:
        assert f"| `{column}` |" in page
    for unit in schema["columns"]["eenheid"]["choices"]:
        assert f"`{unit}`" in page


def test_every_data_environment_variable_is_documented():
    code = "".join(p.read_text(encoding="utf-8") for p in [PROJECT_ROOT / "impactlib" / "settings.py",
                                                            *(PROJECT_ROOT / "impactlib" / "sources").glob("*.py")])
    variables = set(re.findall(r"IMPACTMONITOR_[A-Z0-9_]+", code))
    page = (DOCS / "oefendata-en-live.md").read_text(encoding="utf-8")
    assert {"IMPACTMONITOR_CBS_HOST", "IMPACTMONITOR_CBS4_HTTPS"} <= variables
    assert not [v for v in variables if f"`{v}`" not in page]


# --------------------------------------------------------------------------- the build
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built once, in strict mode, through the command line, from a fake batch folder."""
    base = tmp_path_factory.mktemp("docs")
    gallery = fake_batch(base / "outputs")
    out = base / "outputs" / "site"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["docs", "build", "--out", str(out), "--gallery", str(gallery), "--json"])
    assert code == 0
    return out, json.loads(buffer.getvalue())


def test_site_builds_strict_with_every_page(site):
    out, summary = site
    n = len(regions_at("vt"))
    assert summary["reports"] == 2 * n + 1 and summary["gallery_regions"] == n
    nav = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]

    def pages(items):
        for item in items:
            for value in item.values():
                yield from (pages(value) if isinstance(value, list) else [value])

    for page in pages(nav):
        assert (out / page.replace(".md", ".html")).is_file(), page
    assert (out / docsite.MARKER).exists()
    assert not list(out.parent.glob(".docs-build-*"))  # the build folder is gone


def test_site_gallery_links_every_region_to_copied_reports(site):
    out, _ = site
    html = (out / "galerij" / "index.html").read_text(encoding="utf-8")
    links = set(re.findall(r'href="([a-z0-9-]+/(?:heftig-structureel-geweld|eerder-beter-in-beeld)\.html)"', html))
    n = len(regions_at("vt"))
    assert len({link.split("/")[0] for link in links}) == n and len(links) == 2 * n
    assert all((out / "galerij" / link).is_file() for link in links)
    assert "oefendata" in html


def test_site_indicator_page_has_every_catalogue_id(site):
    out, _ = site
    html = (out / "indicatoren.html").read_text(encoding="utf-8")
    assert all(f'id="{ident}"' in html for ident in catalogue())


def test_build_refuses_to_replace_a_folder_that_is_not_a_site(tmp_path):
    keep = tmp_path / "mijn-map"
    keep.mkdir()
    (keep / "belangrijk.txt").write_text("niet weggooien")
    with pytest.raises(UserInputError, match="geen documentatiesite"):
        docsite.build(keep, gallery_dir=None)
    assert (keep / "belangrijk.txt").read_text() == "niet weggooien"


def test_a_broken_link_stops_the_build_and_keeps_the_previous_site(tmp_path, site):
    previous, _ = site
    out = tmp_path / "site"
    shutil.copytree(previous, out)
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    with open(docs / "faq.md", "a", encoding="utf-8") as handle:
        handle.write("\nZie [deze pagina](bestaat-niet.md).\n")
    with pytest.raises(DataFault, match="bestaat-niet.md") as exc:
        docsite.build(out, gallery_dir=None, docs_dir=docs)
    assert "\n" not in str(exc.value)
    assert (out / docsite.MARKER).exists() and (out / "galerij" / "drenthe" / "eerder-beter-in-beeld.html").exists()
    assert not list(tmp_path.glob(".docs-build-*"))


def test_indicator_page_cites_no_placeholder_table():
    """A figure without a real CBS table id is not shown as one (issue 15, point 9)."""
    from impactlib import docsite, query

    page = docsite.indicator_page()
    assert "OTS_REGIO" not in page
    for ident in __import__("re").findall(r"`(\w+)`", page):
        if ident.isupper() or ident.endswith(("NED", "ned")):
            assert query.is_cbs_table_id(ident), ident


def test_make_docs_builds_the_gallery_it_links_first():
    """On a fresh clone `make docs` runs what the gallery needs (issue 15, point 11)."""
    from impactlib.params import PROJECT_ROOT

    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    docs = next(line for line in makefile.splitlines() if line.startswith("docs:"))
    assert "gallery" in docs.split(":", 1)[1].split()
    gallery = makefile[makefile.index("\ngallery:"):]
    gallery = gallery[: gallery.index("\n\n", 1)]
    assert "--all-regions" in gallery and "GALLERY_QUESTIONS" in gallery
    assert "heftig-structureel-geweld" in makefile and "eerder-beter-in-beeld" in makefile
