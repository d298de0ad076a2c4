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


def test_no_figure_imports_seaborn():
    assert not _settings("from evaluation.plots import core, programme, robustness\n")["seaborn_imported"]
    assert not _settings("from evaluation.plots import core\nimport pandas as pd\n"
                         "core.coverage_heatmap(pd.DataFrame({'indicator': ['IDI'], 'level': ['municipal'],"
                         " 'year': [2020], 'share': [0.5]}), 'Coverage')\n")["seaborn_imported"]


def _heatmap_pixels(draw, values, size, **kwargs):
    import matplotlib.pyplot as plt
    import numpy as np

    from evaluation.plots import core

    core.use_style()
    fig, ax = plt.subplots(figsize=size)
    draw(ax, values, **kwargs)
    ax.tick_params(axis="y", labelsize=5)
    fig.tight_layout()
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return pixels


def test_the_heat_map_has_seaborns_pixels():
    """core.heatmap draws what seaborn.heatmap draws: cells, blanks, labels, cell texts, colour bar."""
    import numpy as np
    import pandas as pd
    import seaborn as sns

    from evaluation.plots import core

    rng = np.random.default_rng(7)
    small = pd.DataFrame(rng.uniform(0, 100, (3, 9)), index=["Nacional", "Departamental", "Municipal"],
                         columns=range(2016, 2025))
    small.iloc[0, 2] = small.iloc[2, 8] = np.nan
    text = small.map(lambda v: "" if pd.isna(v) else f"{v:.0f}".replace("0", "o")).to_numpy()
    ours = _heatmap_pixels(core.heatmap, small, (9, 2.5), vmin=0, vmax=100, cmap="Blues", linewidths=0.5,
                           annot=text)
    theirs = _heatmap_pixels(lambda ax, v, **k: sns.heatmap(v, ax=ax, cbar=False, fmt="", **k), small, (9, 2.5),
                             vmin=0, vmax=100, cmap="Blues", linewidths=0.5, annot=text)
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs)

    tall = pd.DataFrame(rng.uniform(0, 100, (60, 8)), index=[f"POL{i:02d} · municipal" for i in range(60)],
                        columns=range(2017, 2025))
    tall.iloc[5:9, 0] = np.nan
    ours = _heatmap_pixels(core.heatmap, tall, (9, 10), vmin=0, vmax=100, cmap="Blues", cbar_label="% with a score")
    theirs = _heatmap_pixels(lambda ax, v, **k: sns.heatmap(v, ax=ax, cbar=True, yticklabels=True,
                                                            cbar_kws={"label": "% with a score"}, **k),
                             tall, (9, 10), vmin=0, vmax=100, cmap="Blues")
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs)


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
