import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _default_settings(monkeypatch):
    """Every test starts on the bundled oefendata snapshot, whatever the environment says."""
    from impactlib import settings

    monkeypatch.setattr(settings, "_current", settings.Settings())
    yield
