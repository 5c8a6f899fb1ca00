"""Step 5 in the verkenner: the view over time, the table under every chart and the downloads."""

import math
from types import SimpleNamespace

import pytest

from impactlib import downloads, explorer, plots, query
from impactlib.compare import build_comparison
from impactlib.errors import ParameterError
from impactlib.regions import resolve
from widget_tree import control

ACUUT = "meldingen_acuut_structureel_pct"
ZW = "Zaanstreek-Waterland"


def _value(table, column_part, row_label, label_column="Periode"):
    col = next(c for c in table.columns if column_part in c)
    return table.loc[table[label_column] == row_label, col].iloc[0]


def test_time_view_shows_the_series_since_2019_with_the_national_line():
    result = explorer.explore(ZW, ACUUT, None, "tijd")
    periods = [p.title for p in query.available_periods(ACUUT)]
    table = result.table
    assert table["Periode"].tolist() == periods  # every half year since the first, up to the newest
    assert periods[0].endswith("2019") and any(t.endswith("*") for t in periods)  # provisional periods kept, marked
    assert round(_value(table, ZW, "1e halfjaar 2021"), 1) == 55.6  # published seed figure
    assert round(_value(table, "Nederland", "1e halfjaar 2021"), 1) == 42.8
    assert "sinds" in result.verdict or result.verdict == "geen verandering te zeggen"
    axes = result.figure.axes[0]
    assert [line.get_label() for line in axes.lines] == [ZW, "Nederland"]
    assert any("voorlopig" in t.get_text() for t in axes.texts)


def test_time_view_up_to_a_chosen_period():
    result = explorer.explore(ZW, ACUUT, "2021HJ01", "tijd")
    assert result.table["Periode"].iloc[-1] == "1e halfjaar 2021"
    assert "t/m 1e halfjaar 2021" in result.title


def _comparison_without(periods):
    comp = build_comparison(ACUUT, ZW, None)
    cut = comp.series[~comp.series["period"].isin(periods)].copy()
    cut.attrs = dict(comp.series.attrs)
    return SimpleNamespace(spec=comp.spec, period=comp.period, series=cut, unit=comp.unit,
                           category=comp.category, region=comp.region)


def test_a_gap_inside_the_series_breaks_the_line_and_is_named():
    comp = _comparison_without(["2022HJ02", "2023HJ01"])
    frame = explorer.series_frame(comp)
    assert len(frame) == len(query.available_periods(ACUUT))
    gap = frame[frame["period"].isin(["2022HJ02", "2023HJ01"])]
    assert gap["value"].isna().all() and gap["national"].notna().all()  # Nederland still has its figure there
    note = explorer.gap_note(frame, comp.region)
    assert "2e halfjaar 2022" in note and "1e halfjaar 2023" in note and "onderbroken" in note
    figure = plots.time_series_with_breaks(frame, note=note)
    ys = figure.axes[0].lines[0].get_ydata()
    assert sum(math.isnan(y) for y in ys) == 2  # matplotlib breaks the line at NaN: never bridged
    assert any("onderbroken" in t.get_text() for t in figure.axes[0].texts)


def test_a_series_that_stops_says_so_and_a_full_series_says_nothing():
    comp = _comparison_without(["2024HJ02", "2025HJ01"])
    note = explorer.gap_note(explorer.series_frame(comp), comp.region)
    assert "Na 2e halfjaar 2024" not in note and "Na 1e halfjaar 2024 zijn er geen cijfers meer" in note
    full = build_comparison(ACUUT, ZW, None)
    assert explorer.gap_note(explorer.series_frame(full), full.region) is None


@pytest.mark.parametrize("comparison", list(explorer.COMPARISONS))
@pytest.mark.parametrize("region", [ZW, "Nederland"])
def test_every_view_has_its_table(comparison, region):
    result = explorer.explore(region, ACUUT, "2021HJ01", comparison)
    assert len(result.table) >= 1 and len(result.table.columns) >= 2
    html = explorer.table_html(result)
    assert "<table" in html and "Bron: CBS" in html and "OEFENDATA" in html


def test_tables_of_the_comparisons():
    pair = explorer.explore(ZW, ACUUT, "2021HJ01", "nederland").table
    assert pair["Regio"].tolist() == [ZW, "Nederland"]
    assert [round(v, 1) for v in pair["Percentage (%)"]] == [55.6, 42.8]
    everyone = explorer.explore(ZW, ACUUT, "2021HJ01", "alle").table
    assert len(everyone) == 27 and everyone["Regio"].iloc[-1] == "Nederland"  # the 26 of 2021 and Nederland
    assert everyone.loc[everyone["Regio"] == ZW, "Plaats"].iloc[0] <= 2  # among the highest, as the seed says
    peers = explorer.explore(ZW, ACUUT, "2021HJ01", "vergelijkbaar").table
    assert peers["Regio"].iloc[0] == ZW and peers["Regio"].iloc[-1] == "Nederland" and len(peers) >= 3
    dist = explorer.explore("Drenthe", "melders_type_pct", "2021HJ01", "nederland").table
    assert "Politie" in dist["Categorie"].tolist() and {"Drenthe (%)", "Nederland (%)"} <= set(dist.columns)
    count = explorer.explore("Drenthe", "meldingen_aantal", "2021HJ01", "tijd").table
    assert not any("Nederland" in c for c in count.columns)  # a count has no national figure beside it


def test_csv_download_is_dutch_excel_with_source_and_label():
    result = explorer.explore(ZW, ACUUT, "2021HJ01", "nederland")
    data = result.csv()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel keeps é and –
    text = data.decode("utf-8-sig")
    assert ";55,6;" in text and ";42,8;" in text and "55.6" not in text  # decimal comma, ';' between fields
    head, table, foot = downloads.read_dutch_csv(data)
    assert head[0] == result.title and "OEFENDATA" in head[1]
    assert any(line.startswith("Bron: CBS") and "84852NED" in line and "CC BY 4.0" in line for line in foot)
    assert list(table.columns) == list(result.table.columns)
    assert table["Percentage (%)"].tolist() == [55.6, 42.8]
    assert result.filename("csv").endswith(".csv") and " " not in result.filename("csv")


def test_unknown_stays_empty_in_the_csv_never_zero():
    import pandas as pd

    frame = pd.DataFrame({"Regio": ["A", "B"], "Waarde": [1.25, math.nan]})
    data = downloads.dutch_csv(frame, title="t", source_line="Bron: CBS, X (CC BY 4.0)")
    _, table, foot = downloads.read_dutch_csv(data)
    assert table["Waarde"].iloc[0] == 1.3 and math.isnan(table["Waarde"].iloc[1])  # rounded half up; empty
    assert downloads.EMPTY_NOTE in foot
    assert "A;1,3\r\nB;\r\n" in data.decode("utf-8-sig")


def test_png_download_carries_source_and_label():
    result = explorer.explore(ZW, ACUUT, "2021HJ01", "tijd")
    png = result.png()
    assert png.startswith(b"\x89PNG")
    texts = " ".join(t.get_text() for t in result.figure.texts)
    assert "Bron: CBS" in texts and "OEFENDATA" in texts
    links = explorer.downloads_html(result, png)
    assert "verkenner-download-csv" in links and "verkenner-download-png" in links
    assert downloads.data_url(png, "image/png") in links and "download='verkenner-" in links


def test_link_html_escapes_every_text():
    link = downloads.link_html(b"x", "text/plain", "a'b<c>.csv", "<script>", "k")
    assert "<script>" not in link and "a&#x27;b&lt;c&gt;.csv" in link


def test_bad_comparison_names_the_time_view():
    with pytest.raises(ParameterError, match="tijd"):
        explorer.explore(ZW, ACUUT, None, "morgen")


def test_widgets_show_table_and_downloads_and_follow_a_change():
    ui = explorer.build_ui(ZW, ACUUT, "2021HJ01")
    table, links = control(ui, "tabel"), control(ui, "downloads")
    assert "55,6" in table.value and "42,8" in table.value
    before = links.value
    control(ui, "vergelijking").value = "tijd"
    assert "1e halfjaar 2019" in table.value and links.value != before
    control(ui, "regio").value = resolve("Twente").region.key
    assert "Twente" in table.value and "twente" in links.value
