"""Every figure of the suite, in one consistent seaborn style.

``core`` holds the style, the :class:`Chart` type (PNG plus alt text) and the
figures of the data-quality and impact reports; the other modules add the
figures of one report each, built on the same style. Plot functions take
tidy tables made elsewhere and only draw them (plotting never re-estimates);
the caller states the finding in the title because only the caller knows it.
"""

from evaluation.plots.core import (
    ESTIMATE_COLOR,
    LEVEL_COLORS,
    TRUTH_COLOR,
    Chart,
    adoption_timeline,
    coverage_heatmap,
    estimate_comparison,
    event_study,
    finish,
    use_style,
)

__all__ = ["Chart", "use_style", "finish", "LEVEL_COLORS", "ESTIMATE_COLOR", "TRUTH_COLOR",
           "coverage_heatmap", "adoption_timeline", "event_study", "estimate_comparison"]
