"""Batches per level: all gemeenten or provincies, or those inside one VT-regio or provincie."""

import os

import pytest

from impactlib import figures, regions
from impactlib.cli import main
from impactlib.errors import UserInputError
from impactlib.run import batch, execute

from test_run import template  # noqa: F401 - the tiny template fixture


def test_default_is_every_veilig_thuis_regio():
    assert batch.batch_regions() == regions.regions_at("vt")
    assert batch.batch_regions("provincie") == regions.regions_at("provincie")


def test_gemeenten_of_one_veilig_thuis_regio():
    parent = regions.resolve("Zaanstreek-Waterland", "vt").region
    chosen = batch.batch_regions("gemeente", "Zaanstreek-Waterland")
    assert chosen and all(r.level == "gemeente" and r.vt_regio == parent.key for r in chosen)
    assert chosen == [r for r in regions.regions_at("gemeente") if r.vt_regio == parent.key]


def test_gemeenten_of_one_provincie_and_vt_regios_of_a_provincie():
    drenthe = regions.resolve("Drenthe", "provincie").region
    chosen = batch.batch_regions("gemeente", "Drenthe (PV)")
    assert chosen and all(r.provincie == drenthe.key for r in chosen)
    holland = regions.resolve("Noord-Holland", "provincie").region
    vts = batch.batch_regions("vt", holland)
    assert regions.resolve("Zaanstreek-Waterland").region in vts and all(r.provincie == holland.key for r in vts)


@pytest.mark.parametrize("level, within", [("gemeente", "Zaanstad"), ("provincie", "Zaanstreek-Waterland"),
                                           ("vt", "Twente")])
def test_within_something_that_holds_none_of_the_level_is_a_user_error(level, within):
    with pytest.raises(UserInputError):
        batch.batch_regions(level, within)


def test_within_without_all_regions_is_refused(capsys):
    assert main(["run", "--region", "Zaanstad", "--question", "adviesvragers", "--within", "Drenthe"]) == 2
    assert "--within" in capsys.readouterr().err


def test_cli_gemeente_batch_writes_every_report_and_an_index_per_gemeente(template, tmp_path, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setattr(execute, "TEMPLATE", template)
    wanted = batch.batch_regions("gemeente", "Zaanstreek-Waterland")[:2]
    monkeypatch.setattr(batch, "regions_at", lambda level: wanted if level == "gemeente" else [])
    code = main(["run", "--all-regions", "--level", "gemeente", "--within", "Zaanstreek-Waterland",
                 "--question", "adviesvragers", "--period", "2021HJ01", "--jobs", "2", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and f"{len(wanted)} van {len(wanted)} regio's gelukt" in out
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Stappenplan 1–6 per gemeente" in page and "<th>Gemeente</th>" in page
    for r in wanted:
        assert (tmp_path / r.slug / "adviesvragers.html").exists() and r.name in page
    assert figures.CACHE_ENV not in os.environ  # the batch's chart folder was only for its kernels
