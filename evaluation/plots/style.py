"""The suite's figure style: seaborn's white-grid theme with its colour-blind palette, as matplotlib settings.

Every figure uses seaborn's theme (``seaborn.set_theme`` with :data:`THEME`).
Importing seaborn costs a notebook most of a second (it imports ``scipy.stats``),
so the settings that theme makes are kept in ``style.json`` beside this module
and applied with matplotlib alone; the heat maps are drawn with matplotlib as
``seaborn.heatmap`` draws them (``evaluation.plots.core.heatmap``). No figure
imports seaborn.

``style.json`` is generated from the installed seaborn (``python -c "from
evaluation.plots import style; style.write()"`` rewrites it). ``tests/test_plot_style.py`` applies the
theme both ways in fresh processes and fails if any matplotlib setting differs,
so a new seaborn version cannot change the figures unnoticed. (``set_theme``
also remaps the one-letter colour codes "b", "g", ...; no figure of the suite
uses them.)
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

#: The arguments of ``seaborn.set_theme`` that make the suite's style.
THEME = {"style": "whitegrid", "context": "notebook", "palette": "colorblind",
         "rc": {"figure.dpi": 100, "savefig.dpi": 100, "axes.spines.top": False, "axes.spines.right": False,
                "axes.titlesize": 12, "axes.titleweight": "bold"}}
STYLE_FILE = Path(__file__).with_name("style.json")


def from_seaborn() -> dict:
    """The settings ``seaborn.set_theme(**THEME)`` makes, read from the installed seaborn (imports it)."""
    import matplotlib as mpl
    import seaborn as sns

    touched = set(sns.axes_style(THEME["style"])) | set(sns.plotting_context(THEME["context"])) \
        | set(THEME["rc"]) | {"font.family", "axes.prop_cycle"}
    with mpl.rc_context():
        sns.set_theme(**THEME)
        settings = {key: mpl.rcParams[key] for key in sorted(mpl.rcParams) if key in touched}
    colors = [list(c) for c in settings.pop("axes.prop_cycle").by_key()["color"]]
    palette = [list(c) for c in sns.color_palette(THEME["palette"])]
    # the theme's default colour map is seaborn's own ("rocket"), which matplotlib knows only once seaborn
    # registered it: its colours are kept too
    cmap = settings["image.cmap"]
    colormap = mpl.colormaps[cmap]
    # seaborn registers its colour maps as ListedColormap of a list of RGB colours
    assert isinstance(colormap, mpl.colors.ListedColormap) and isinstance(colormap.colors, list)
    colormaps = {cmap: [list(c) for c in colormap.colors]}
    return {"seaborn": sns.__version__, "rc": settings, "cycle": colors, "palette": palette,
            "colormaps": colormaps}


@lru_cache(maxsize=1)
def stored() -> dict:
    """The settings in ``style.json``."""
    return json.loads(STYLE_FILE.read_text(encoding="utf-8"))


def palette(n_colors: int | None = None) -> list[tuple[float, float, float]]:
    """seaborn's colour-blind palette as RGB tuples: its 10 colours, or ``n_colors`` of them, cycled as
    ``seaborn.color_palette("colorblind", n_colors)`` does."""
    colors = [tuple(c) for c in stored()["palette"]]
    return colors if n_colors is None else [colors[i % len(colors)] for i in range(n_colors)]


def apply() -> None:
    """Set matplotlib's settings to the suite's theme (what ``seaborn.set_theme(**THEME)`` sets)."""
    import matplotlib as mpl
    from cycler import cycler

    settings = stored()
    for name, colors in settings["colormaps"].items():
        if name not in mpl.colormaps:  # seaborn, once imported, leaves a registered colour map as it is
            lut = [tuple(c) for c in colors]
            mpl.colormaps.register(mpl.colors.ListedColormap(lut, name), name=name)
            mpl.colormaps.register(mpl.colors.ListedColormap(lut[::-1], name + "_r"), name=name + "_r")
    mpl.rcParams.update(settings["rc"])
    mpl.rcParams["axes.prop_cycle"] = cycler(color=[tuple(c) for c in settings["cycle"]])


def write() -> Path:
    """Rewrite ``style.json`` from the installed seaborn."""
    STYLE_FILE.write_text(json.dumps(from_seaborn(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return STYLE_FILE
