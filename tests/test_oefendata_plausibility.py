"""The oefendata behave like real data (issue 14): no one-period spikes in the VT-regio series of the
share indicators, no two VT-regio's alike in population or context, totals that are the sum of their
parts within CBS rounding. The measures are those `make oefendata` prints (impactlib.oefendata_checks)."""

from impactlib import oefendata_checks as checks


def test_series_spike_metric():
    assert checks.series_spikes([50.0, 55.0, 50.5]) == [(1, 4.5)]
    assert checks.series_spikes([50.0, 51.0, 52.0]) == []
    assert checks.series_spikes([50.0, 45.0, 47.0, float("nan"), 40.0]) == [(1, 2.0)]


def test_no_one_period_spike_above_five_points():
    spike = checks.largest_spike()
    assert spike.size <= 5.0, str(spike)
    assert spike.size > 0  # the series do move


def test_no_two_vt_regions_share_a_population():
    assert checks.identical_population_pairs() == []


def test_no_two_vt_regions_share_a_context_value():
    assert checks.identical_context_pairs() == []


def test_sums_equal_their_parts_within_cbs_rounding():
    dev = checks.largest_sum_deviation()
    assert dev.ratio <= 1.0, str(dev)
