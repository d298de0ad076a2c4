"""The README written beside the demo tables: what is real, what is simulated, and how."""

from __future__ import annotations

import pandas as pd

from .adoption import REPORTING_DATE
from .outcomes import INDICATOR_WEIGHT, LEVEL_SPREAD, NOISE_SD, SLOPE, THETA
from .programme import BUDGET_COP
from .surveys import DIRECTOR_ITEMS, OFFICE_ITEMS


def _cohort_table(tables: dict[str, pd.DataFrame]) -> str:
    adoption, entities = tables["adoption"], tables["entities"]
    level = adoption["entity_id"].map(entities.set_index("entity_id")["level"])
    head = adoption["entity_id"].map(entities.set_index("entity_id")["head_of_sector"]) == 1
    group = level.where(~head, "national (head of sector)").replace({"national": "national (other)"})
    counts = pd.crosstab(adoption["adoption_date"].dt.year, group)
    order = [c for c in ("municipal", "departmental", "national (head of sector)", "national (other)")
             if c in counts.columns]
    counts = counts[order]
    totals = entities["level"].where(entities["head_of_sector"] == 0, "national (head of sector)").replace(
        {"national": "national (other)"}).value_counts()
    lines = ["| cohort | " + " | ".join(order) + " |", "| --- |" + " --- |" * len(order)]
    for year, row in counts.iterrows():
        lines.append(f"| {year} | " + " | ".join(str(int(row[c])) for c in order) + " |")
    lines.append("| never | " + " | ".join(str(int(totals[c] - counts[c].sum())) for c in order) + " |")
    return "\n".join(lines)


def _items(items: dict) -> str:
    return "\n".join(f"| `{name}` | {trait} | {loading:+.2f} |" for name, (trait, loading, _) in items.items())


def readme_text(arguments: dict, tables: dict[str, pd.DataFrame], imputed: pd.DataFrame) -> str:
    """The folder's README, filled in with the arguments and the tables written."""
    entities = tables["entities"]
    n_level = entities["level"].value_counts()
    call = "write_demo(folder, " + ", ".join(f"{k}={v!r}" for k, v in arguments.items()) + ")"
    imputed_list = ", ".join(f"{i} {n}" for i, n in zip(imputed["entity_id"], imputed["name"])) or "none kept"
    adoption, outcomes = tables["adoption"], tables["outcomes"]
    level = adoption["entity_id"].map(entities.set_index("entity_id")["level"])
    at_report = int(((level != "national") & (adoption["adoption_date"] <= pd.Timestamp(REPORTING_DATE))).sum())
    rows = "\n".join(f"| `{name}.csv` | {len(frame):,} |" for name, frame in tables.items())
    blank = int(outcomes["value"].isna().sum())
    return f"""# GCIO demo data — SYNTHETIC

**The adoption dates, outcome scores, survey answers, monitoring figures and
budget split in this folder are simulated.** They look like the real data
the suite will read, and they come with the true effects, so that the
notebooks can be run, checked and taught before real data arrive. Never
quote a number from this folder as a finding about Colombia.

Written by

    evaluation.demo.{call}

Do not edit these files by hand: a test compares the default folder with a
fresh write. To regenerate the default folder, from the project root:

    .venv/bin/python -m evaluation.demo            # writes data/demo
    gcio-eval demo --out data/demo                 # the same, through the CLI

## What is real

* The **entities**: {n_level.get('municipal', 0):,} municipalities (DIVIPOLA code as `entity_id`, e.g.
  `05001` = Alcaldía de Medellín) with their real covariates from
  `data/colombia/municipalities.csv` (DANE, CEDE Panel Municipal; see that
  folder's README); {n_level.get('departmental', 0)} departmental governments (`D05` = Gobernación de
  Antioquia), whose covariates are population sums and population-weighted
  averages of their municipalities; {n_level.get('national', 0)} national entities (`N0001`...) with
  their real names in Colombia's 24 administrative sectors, one head of
  sector each. National entities carry the country's totals and averages.
* The programme's totals (OECD good-practice sheet): 286 territorial CIO
  posts, 160 leaders trained, 59 bulletins, 6 magazine issues, about 120
  workshop participants, 96 and 21 survey respondents, a budget of
  COP {BUDGET_COP:,}.

Imputed: the 2005 poverty measures (NBI, IPM) are blank in the source for 12
of the 1,122 municipalities; each blank takes the median of its department's
other municipalities. Imputed here: {imputed_list}.
Synthetic covariates: `it_staff` (IT team size), `budget_cop_billions` (annual
budget, COP thousand millions), `special_regime` (state companies and autonomous
universities that answer only some FURAG policies) and `peer_group` (a
FURAG-like group built from population and poverty, not the official one).
Areas not municipalised ("(ANM)", no mayor) are kept as entities but never
adopt and report no scores.

## How adoption was simulated (`adoption.csv`)

Proportional hazards in calendar time from 10 March 2016 (Decree 415 of 2016)
to 2023: the rate rises with population, urbanisation, IT team size and
being a departmental capital, falls with poverty; heads of sector have a
rate about seven times their agencies' (they were prioritised), and an
unobserved "digital maturity" that also raises scores shifts it too. Adoption
is therefore selected on observables (and on a time-invariant unobservable
that differences remove). **The reporting date is {REPORTING_DATE.isoformat()}**: exactly
{at_report} territorial (departmental + municipal) entities have adopted by then,
the 286 the programme reported (scaled down for subsets of municipalities);
more adopt up to 2023 and many never do. Dates are working days, ISO
formatted; post titles follow the sheet ("Secretario TIC", "Asesor TIC",
"Asesor TIC sénior", "Director de Tecnologías y Sistemas de Información").

{_cohort_table(tables)}

## How outcomes were simulated (`outcomes.csv`)

Long table `entity_id, year, indicator, value` (0-100, two decimals): `GEL`
(a Gobierno-en-Línea-like index) from {arguments['first_year']} to 2017; `POL07` (Gobierno Digital),
`POL08` (Seguridad Digital) and `IDI` from 2018 to {arguments['last_year']}. Untreated score:

    Y0 = year effect[indicator, national/territorial] + entity level + slope_i * (year - 2020) + noise

* Year effects are solved so that the mean reported score (treated and
  untreated, at effect scale 1) equals the published averages of
  `docs/furag_format.md` (Índice de Gobierno Digital 2018-2021 for POL07,
  IDI 2022) by national / territorial group; other years and indicators
  follow assumed paths that continue those (`evaluation.demo.outcomes.TARGETS`),
  held at the nearest tabulated year outside 2014-2025.
* Entity levels (spread ±{LEVEL_SPREAD['territorial']:g} territorial, ±{LEVEL_SPREAD['national']:g} national; departments 4 points
  above municipalities) depend on capacity and on the unobserved maturity.
* **Trends depend on covariates that also drive adoption**: territorial
  `slope = {SLOPE['territorial']['urban_share_2014']} x urban_share_2014 {SLOPE['territorial']['multidim_poverty_2005']} x multidim_poverty_2005`,
  national `slope = {SLOPE['national']['it_staff']} x it_staff` (points a year, centred within the
  group; flat outside 2014-2025). Early adopters would have improved faster
  anyway, so before/after, TWFE and unconditional DiD overstate the effect;
  Callaway-Sant'Anna with `urban_share_2014`, `multidim_poverty_2005` (territorial)
  or `it_staff` (national) as covariates recovers it. Year effects differ
  between national and territorial entities: estimate each group apart, or
  include the level among the covariates.
* Noise: normal, sd {NOISE_SD['territorial']:g} (territorial) / {NOISE_SD['national']:g} (national), truncated at 3 sd.
* Effect: `Y1 = Y0 + effect_scale x theta_i x w_indicator x (1 - exp(-e / 1.5)) x (100 - Y0)`,
  `e` = years since adoption: 0 in the adoption year, about half the plateau a year later,
  a plateau after four years, no fading. `theta` = {THETA['municipal']} municipal,
  {THETA['departmental']} departmental, {THETA['national']} national, ±30 % with IT team size; `w` = {INDICATOR_WEIGHT['POL07']:g} for
  POL07 and GEL, {INDICATOR_WEIGHT['POL08']:g} for POL08, {INDICATOR_WEIGHT['IDI']:g} for IDI. In points, effects are larger
  for municipalities (more room below 100). Scores stay inside (0, 100) by
  construction; nothing is clipped.
* Missing: about 3 % of municipal and 1-2 % of other entity-years unreported
  in FURAG (all its indices that year), 5-10 % in GEL; those rows are absent. Special-regime
  entities have a row with a **blank** POL08 (the index does not apply:
  {blank} cells).

## What `truth.csv` contains

One row per treated entity, year and indicator (`event_time` >= 0) where the
indicator applies, reported or not: `entity_id, year, indicator, cohort`
(adoption year), `event_time, effect` = Y(1) − Y(0) of the stored (rounded)
scores, `reported` (1 if the score is in `outcomes.csv`). Pre-adoption effects
are zero. `evaluation.demo.true_effects(truth, by=...)` aggregates it like
Callaway & Sant'Anna (`overall`, `event_time`, `cohort`, `year`,
`cohort_year`); pass the cohorts an estimator identified (with the FURAG
indices starting in 2018, cohorts 2016-2018 have no pre-adoption FURAG year).

## Surveys (2015 diagnosis)

`survey_ict_offices.csv` (96 offices, national and territorial, a few
without entity code) and `survey_directors.csv` (21 directors). Items are
Likert 1-5 from a graded-response model, `latent = loading x trait +
sqrt(1 - loading^2) x noise`, about 3 % blank answers, a synthetic `comment`.
ICT offices: traits `skills` and `alignment`, correlation 0.4; skills rise
with IT team size. Directors: one `alignment` trait, 0.5 sd above the
offices' (a perception gap). Negative loadings are reverse-keyed items.

| item (ICT offices) | trait | loading |
| --- | --- | --- |
{_items(OFFICE_ITEMS)}

| item (directors) | trait | loading |
| --- | --- | --- |
{_items(DIRECTOR_ITEMS)}

## Monitoring and costs

`monitoring.csv`: `cio_posts_created` counts territorial adoptions per year
from `adoption.csv` (targets 2016-2018 assumed); the other outputs split the
sheet's totals over 2015-2018 (split and targets assumed). `costs.csv`:
budget lines of 2015-2016 summing to exactly COP {BUDGET_COP:,} (split
assumed).

## Files

| file | rows |
| --- | --- |
{rows}

`dataset.yml` records the arguments, the reporting date and the covariates
that drive the untreated trends.
"""
