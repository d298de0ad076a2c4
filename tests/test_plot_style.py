"""The stored figure style is exactly seaborn's theme, and figures that do not draw with seaborn do not import it."""

from __future__ import annotations

import json
import subprocess
import sys

from evaluation.plots import style

_DUMP = ("import json, matplotlib as mpl, sys\n"
         "print(json.dumps({'rc': {k: repr(v) for k, v in mpl.rcParams.items()},"
         " 'seaborn_imported': 'seaborn' in sys.modules}))\n")


def _settings(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", "import matplotlib\nmatplotlib.use('Agg')\n" + code + _DUMP],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_style_json_is_what_the_installed_seaborn_makes():
    fresh = json.loads(json.dumps(style.from_seaborn()))
    assert fresh == style.stored(), "seaborn's theme changed: run `python -c \"from evaluation.plots import style; style.write()\"`"


def test_the_stored_style_sets_every_setting_as_seaborn_set_theme_does():
    seaborn = _settings("import seaborn as sns\nfrom evaluation.plots.style import THEME\nsns.set_theme(**THEME)\n")
    stored = _settings("from evaluation.plots import core\ncore.use_style()\n")
    assert not stored["seaborn_imported"]
    differ = {k: (seaborn["rc"][k], stored["rc"].get(k)) for k in seaborn["rc"] if seaborn["rc"][k] != stored["rc"].get(k)}
    assert differ == {}
    assert seaborn["rc"] != _settings("")["rc"]  # the theme does change matplotlib's defaults


def test_only_the_heat_maps_import_seaborn():
    assert not _settings("from evaluation.plots import core, programme, robustness\n")["seaborn_imported"]
    assert _settings("from evaluation.plots import core\nimport pandas as pd\n"
                     "core.coverage_heatmap(pd.DataFrame({'indicator': ['IDI'], 'level': ['municipal'],"
                     " 'year': [2020], 'share': [0.5]}), 'Coverage')\n")["seaborn_imported"]


def test_the_palette_is_seaborns_colour_blind_palette():
    import seaborn as sns

    for n in (None, 3, 13):
        assert style.palette(n) == (sns.color_palette("colorblind") if n is None else sns.color_palette("colorblind", n))


def test_the_default_colour_map_is_seaborns():
    dump = ("import json, sys, numpy as np, matplotlib as mpl\n"
            "print(json.dumps({n: mpl.colormaps[n](np.linspace(0, 1, 256)).tolist() for n in ('rocket', 'rocket_r')}"
            " | {'seaborn': 'seaborn' in sys.modules}))\n")

    def colours(code):
        done = subprocess.run([sys.executable, "-c", code + dump], capture_output=True, text=True, check=True)
        return json.loads(done.stdout)

    ours = colours("from evaluation.plots import style\nstyle.apply()\n")
    theirs = colours("import seaborn\n")
    assert ours.pop("seaborn") is False and theirs.pop("seaborn") is True
    assert ours == theirs
