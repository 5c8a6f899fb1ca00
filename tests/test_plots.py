import math

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from impactlib import plots, regions  # noqa: E402
from impactlib.errors import NotAvailableError  # noqa: E402
from impactlib.periods import half_years  # noqa: E402
from impactlib.query import get_indicator, indicator_values  # noqa: E402

PROV = {"kind": "snapshot", "synthetic": True, "tables": ["84852NED"]}
REAL = {"kind": "live", "synthetic": False, "tables": ["84852NED"], "host": "opendata.cbs.nl"}


def tidy(rows, prov=PROV):
    df = pd.DataFrame(rows)
    for col, default in (("indicator", "meldingen_acuut_structureel_pct"), ("unit", "percent"), ("category", ""),
                         ("provisional", ""), ("national", 42.8)):
        if col not in df:
            df[col] = default
    df.attrs["source"] = prov
    return df


def vt_frame(prov=PROV):
    vts = regions.regions_at("vt", "2021HJ01")  # the 26 of that period
    return tidy([{"region_key": r.key, "region": r.name, "period": "2021HJ01", "value": 30.0 + i + 0.25}
                 for i, r in enumerate(vts)], prov)


def footer(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def tick_texts(fig: Figure, axis="y") -> list[str]:
    ax = fig.axes[0]
    fig.canvas.draw()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


def test_region_vs_national_bar_has_source_and_oefendata_note():
    df = tidy([{"region_key": "VT22", "region": "Zaanstreek-Waterland", "period": "2021HJ01", "value": 55.6}])
    fig = plots.region_vs_national_bar(df)
    assert isinstance(fig, Figure)
    text = footer(fig)
    assert "Bron: CBS, 84852NED (CC BY 4.0)" in text and "OEFENDATA" in text
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["55,6 %", "42,8 %"]
    assert "Zaanstreek-Waterland en Nederland, 1e halfjaar 2021" in fig._suptitle.get_text()


def test_real_data_has_no_oefendata_note():
    df = tidy([{"region_key": "VT22", "region": "Zaanstreek-Waterland", "period": "2021HJ01", "value": 55.6}], REAL)
    assert "OEFENDATA" not in footer(plots.region_vs_national_bar(df))


def test_time_series_marks_provisional_periods():
    periods = half_years("2023HJ01", "2025HJ01")
    df = tidy([{"region_key": "VT02", "region": "Drenthe", "period": p.key, "value": 20.5 + i / 4,
                "provisional": "*" if i >= 3 else "", "national": 21.0 + i / 10} for i, p in enumerate(periods)])
    fig = plots.time_series(df)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023-1", "2023-2", "2024-1", "2024-2*", "2025-1*"]
    assert "voorlopig" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Drenthe", "Nederland"]
    assert any("," in t for t in tick_texts(fig)) and not any("." in t for t in tick_texts(fig))


def test_ranked_dotplot_highlights_region():
    fig = plots.ranked_dotplot(vt_frame(), "Drenthe")
    ax = fig.axes[0]
    labels = {t.get_text(): t for t in ax.get_yticklabels()}
    assert len(labels) == 26
    assert labels["Drenthe"].get_color() == plots.REGION_COLOUR
    assert labels["Twente"].get_color() != plots.REGION_COLOUR
    assert any(t.get_text().startswith(" Nederland 42,8 %") for t in ax.texts)


def test_distribution_bars_region_and_national():
    df = tidy([{"region_key": "VT22", "region": "Zaanstreek-Waterland", "period": "2021HJ01", "category": c,
                "value": v, "national": n, "indicator": "duur_geweld_meldingen_pct"}
               for c, v, n in (("niet langer dan 1 week", 61.0, 47.0), ("langer dan 5 jaar", 1.4, 3.0))])
    fig = plots.distribution_bars(df)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["niet langer dan 1 week", "langer dan 5 jaar"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Zaanstreek-Waterland", "Nederland"]
    assert len([p for p in ax.patches if p.get_height() > 0]) >= 4


def test_tile_map_draws_the_periods_layout_and_unknowns_grey():
    df = vt_frame()
    df.loc[df.region_key == "VT23", "value"] = math.nan
    fig = plots.tile_map(df, "Zaanstreek-Waterland")
    tiles = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(tiles) == 26  # 2021: Brabant Noordoost and Zuidoost-Brabant, no Oost-Brabant yet
    assert len(set(plots.TILE_GRID.values())) == 26 and plots.TILE_GRID["VT27"] == plots.TILE_GRID["VT16"]
    later = df.assign(period="2024HJ01")
    later = later[later.region_key.isin([r.key for r in regions.regions_at("vt", 2024)])]
    assert len([p for p in plots.tile_map(later).axes[0].patches if isinstance(p, Rectangle)]) == 25
    assert sum(t.get_linewidth() > 1 for t in tiles) == 1
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("Zeeland") and t.endswith("onbekend") for t in texts)
    assert any(t == "Drenthe\n31,3 %" for t in texts)  # VT02: 31,25 rounds half up, decimal comma


def test_missing_period_is_a_clear_error():
    with pytest.raises(NotAvailableError):
        plots.region_vs_national_bar(vt_frame(), "2020HJ01")


def test_charts_on_snapshot_data():
    df = indicator_values("meldingen_acuut_structureel_pct", "vt", "2021HJ01", source="snapshot")
    assert "84852NED" in footer(plots.tile_map(df, "VT22"))
    series = get_indicator("meldingen_per_10k", "Drenthe", source="snapshot")
    text = footer(plots.time_series(series))
    assert "03759ned" in text and "OEFENDATA" in text


# --------------------------------------------------------------------------- issue 15: projector and screen readers
def _zw(indicator):
    from impactlib import query

    return query.get_indicator(indicator, "Zaanstreek-Waterland", None, source="snapshot")


def test_source_caption_is_at_least_as_large_as_the_tick_labels():
    fig = plots.region_vs_national_bar(_zw("meldingen_acuut_structureel_pct"), "2021HJ01")
    fig.canvas.draw()
    caption = [t for t in fig.texts if "Bron: CBS" in t.get_text()]
    assert caption and "OEFENDATA" in caption[0].get_text()
    ticks = [t.get_fontsize() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert ticks and caption[0].get_fontsize() >= max(ticks)


def test_distribution_bars_carry_value_labels_and_alt_text():
    fig = plots.distribution_bars(_zw("duur_geweld_meldingen_pct"), "2021HJ01")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "61,0 %" in labels and "1,4 %" in labels  # published figures of the worked example
    assert "niet langer dan 1 week: Zaanstreek-Waterland 61,0 %" in fig.alt_text
    assert "langer dan 5 jaar: Zaanstreek-Waterland 1,4 %" in fig.alt_text


def test_alt_text_states_region_and_national_values():
    fig = plots.region_vs_national_bar(_zw("meldingen_acuut_structureel_pct"), "2021HJ01")
    assert "Zaanstreek-Waterland 55,6 %, Nederland 42,8 %" in fig.alt_text
    series = _zw("meldingen_acuut_structureel_pct")
    line = plots.time_series(series[series["period"] <= "2021HJ01"])
    assert "1e halfjaar 2021 55,6 %" in line.alt_text and "Nederland:" in line.alt_text


def test_charts_draw_into_a_given_ax_and_compose_into_one_figure():
    bar = tidy([{"region_key": "VT22", "region": "Zaanstreek-Waterland", "period": "2021HJ01", "value": 55.6}])
    fig = Figure(figsize=(12, 4))
    left, right = fig.subplots(1, 2)
    assert plots.region_vs_national_bar(bar, ax=left) is fig
    assert plots.ranked_dotplot(vt_frame(), "Zaanstreek-Waterland", ax=right) is fig
    assert fig.axes[:2] == [left, right] and fig.texts == []  # drawn into the axes only, no caption yet
    assert [t.get_text() for t in left.texts] == ["55,6 %", "42,8 %"]
    assert "Zaanstreek-Waterland en Nederland" in left.get_title(loc="left")
    plots.finish_figure(fig, bar, "Twee grafieken")
    assert "Bron: CBS, 84852NED (CC BY 4.0)" in footer(fig) and fig._suptitle.get_text() == "Twee grafieken"
    assert fig.alt_text.startswith("Twee grafieken. ") and "Nederland 42,8 %" in fig.alt_text


def test_without_ax_every_chart_still_makes_its_own_figure():
    bar = tidy([{"region_key": "VT22", "region": "Zaanstreek-Waterland", "period": "2021HJ01", "value": 55.6}])
    one, two = plots.region_vs_national_bar(bar), plots.region_vs_national_bar(bar)
    assert one is not two and len(one.axes) == 1 and one.texts  # the source line under it


def test_one_pass_layout_is_the_two_pass_tight_layout_above_the_caption():
    """A chart of its own is measured once (``plots._tight``) and lands where matplotlib's
    ``tight_layout(rect=...)`` puts it; a figure of several axes keeps matplotlib's layout."""
    defaults = {k: matplotlib.rcParams[f"figure.subplot.{k}"] for k in ("left", "right", "bottom", "top", "wspace", "hspace")}
    for columns in (1, 2):
        fig = Figure(figsize=(7, 4))
        for ax in fig.subplots(1, columns, squeeze=False).ravel():
            ax.barh(["Zaanstreek-Waterland", "Gooi en Vechtstreek", "Drenthe"], [55.6, 42.8, 30.1])
            ax.set_xlabel("Percentage (%)")
        fig.suptitle("Een titel\nover twee regels", x=0.01, ha="left")
        fig.tight_layout(rect=(0, 0.12, 1, 1))
        expected = dict(vars(fig.subplotpars))
        fig.subplots_adjust(**defaults)
        plots._tight(fig, caption=0.12)
        got = dict(vars(fig.subplotpars))
        assert got == pytest.approx(expected, abs=1e-9), columns
        assert got["bottom"] > 0.12 and got["left"] > defaults["left"]  # room for the caption and the long names


def test_text_measured_once_per_process_gives_the_same_charts_and_follows_the_font_settings():
    """plots keeps text measurements for the process (:mod:`impactlib.textsize`): the SVG and PNG
    of a chart are the bytes matplotlib makes measuring every label itself, and a change of font
    settings is measured anew."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from impactlib import figures, textsize

    def charts() -> list[bytes]:
        frame = vt_frame()
        out = []
        for fig in (plots.ranked_dotplot(frame, "VT22"), plots.region_vs_national_bar(frame[frame["region_key"] == "VT22"])):
            for fmt in ("svg", "png"):
                data = figures.render(fig, fmt).data
                out.append(data.encode() if isinstance(data, str) else data)
        return out

    assert RendererAgg.get_text_width_height_descent.__wrapped__  # installed by importing plots
    remembered = charts() + charts()  # the second round from what was kept
    textsize.forget()
    try:
        assert not hasattr(RendererAgg.get_text_width_height_descent, "__wrapped__")
        assert charts() * 2 == remembered
    finally:
        textsize.remember()
    renderer = RendererAgg(100, 100, 100)
    prop = FontProperties(family="sans-serif", size=10)
    widths = []
    for font in ("DejaVu Sans", "DejaVu Sans Mono"):
        with matplotlib.rc_context({"font.sans-serif": [font]}):
            widths.append(renderer.get_text_width_height_descent("Zaanstreek-Waterland", prop, False)[0])
    assert widths[0] != widths[1]


@pytest.mark.parametrize("region, values", [
    ("Zaanstreek-Waterland", (61.0, 9.2, 1.4)),
    ("Zaanstreek-Waterland", (61.0, math.nan, 1.4)),  # an unknown value: no bar, as seaborn leaves it out
    ("Nederland", (47.0, 12.0, 3.0)),  # Nederland beside itself: one bar per category
])
def test_distribution_bars_are_the_bars_seaborn_draws(region, values):
    import warnings

    import seaborn as sns

    from impactlib.frame import long_form

    categories = ("niet langer dan 1 week", "> 1 week, < 1 maand", "langer dan 5 jaar")
    df = tidy([{"region_key": "VT22" if region != "Nederland" else "NL01", "region": region, "period": "2021HJ01",
                "category": c, "value": v, "national": n, "indicator": "duur_geweld_meldingen_pct"}
               for c, v, n in zip(categories, values, (47.0, 12.0, 3.0))])
    ours = plots.distribution_bars(df).axes[0]
    reference = Figure(figsize=(8, 4)).add_subplot()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sns.barplot(data=long_form(df), y="category", x="value", hue="who",
                    palette=[plots.REGION_COLOUR, plots.NATIONAL_COLOUR], ax=reference)

    def bars(ax):
        return sorted((round(p.get_y(), 9), round(p.get_height(), 9), round(p.get_width(), 9), p.get_facecolor())
                      for c in ax.containers for p in c)

    assert bars(ours) == bars(reference) and len(bars(ours)) == sum(not math.isnan(v) for v in values) + (
        3 if region != "Nederland" else 0)
    assert [t.get_text() for t in ours.get_yticklabels()] == [t.get_text() for t in reference.get_yticklabels()]
    assert ours.get_ylim() == reference.get_ylim()
    assert [h.get_facecolor() for h in ours.get_legend().legend_handles] == \
        [h.get_facecolor() for h in reference.get_legend().legend_handles]
