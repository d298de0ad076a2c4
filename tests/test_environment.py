"""environment.yml (conda) and pyproject.toml (pip) must list the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge spells a few packages differently from PyPI.
CONDA_TO_PYPI = {"pyyaml": "pyyaml"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["test"]
    return {_name(r): r.strip() for r in reqs}


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str)]
    for entry in env["dependencies"]:
        if isinstance(entry, dict):  # the pip: section, for packages not on conda-forge
            specs += [p.split("#")[0].strip() for p in entry.get("pip", []) if not p.startswith("-e")]
    out = {}
    for spec in specs:
        name = CONDA_TO_PYPI.get(_name(spec), _name(spec))
        if name not in {"python", "pip"}:
            out[name] = spec.strip()
    return out


def test_same_package_names():
    pip_names, conda_names = set(_pyproject()), set(_conda())
    assert pip_names == conda_names, (
        f"only in pyproject.toml: {sorted(pip_names - conda_names)}; "
        f"only in environment.yml: {sorted(conda_names - pip_names)}"
    )


def test_same_minimum_versions():
    pip, conda = _pyproject(), _conda()
    for name, spec in pip.items():
        assert spec.replace(" ", "") == conda[name].replace(" ", ""), f"{name}: {spec} vs {conda[name]}"


def test_required_packages_present():
    for name in ["jupyterlab", "pandas", "statsmodels", "seaborn", "papermill", "nbval"]:
        assert name in _pyproject()
