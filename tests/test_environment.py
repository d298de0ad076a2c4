"""environment.yml (conda), pyproject.toml (pip) and the lock files must agree.

pyproject.toml and environment.yml list the same packages with the same minimum versions;
requirements/*.lock.txt hold the exact versions `make report` and `make test` install: compiled
from pyproject's current dependency lists (not stale), covering all of them, closed under their
own requirements, and inside every range environment.yml gives.
"""

import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock.txt"
TEST_LOCK = ROOT / "requirements" / "test.lock.txt"
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


# ---------------------------------------------------------------- the lock files


def _lock_script():
    spec = importlib.util.spec_from_file_location("requirements_lock", ROOT / "requirements" / "lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _lock(path: Path) -> dict[str, str]:
    """Canonical name -> exact version of every line of a lock file (refusing anything but ``name==version``)."""
    pins = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        requirement = line.split("#", 1)[0].strip()
        if not requirement:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+!-]*)", requirement)
        assert match, f"{path.name} line {number}: {requirement!r} is not an exact pin name==version"
        name = canonicalize_name(match.group(1))
        assert name not in pins, f"{path.name} line {number}: {name} is pinned twice"
        pins[name] = match.group(2)
    return pins


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, TEST_LOCK], ids=lambda p: p.name)
def test_lock_was_compiled_from_the_current_pyproject(lock):
    script = _lock_script()
    recorded = script.recorded_hash(lock)
    assert recorded is not None, f"{lock.name} has no '{script.HASH_PREFIX.strip()}' line. Fix: run `make lock`."
    assert recorded == script.dependency_hash(), (
        f"{lock.name} was compiled from other dependency lists than pyproject.toml's (requires-python, "
        "dependencies or the test extra changed since). Fix: run `make lock` and commit requirements/.")


def test_the_staleness_hash_changes_with_the_dependency_lists(monkeypatch):
    script = _lock_script()
    before = script.dependency_hash()
    project = _project()
    edited = {**project, "dependencies": project["dependencies"] + ["rich>=13"]}
    monkeypatch.setattr(script, "_project", lambda: edited)
    assert script.dependency_hash() != before
    edited = {**project, "optional-dependencies": {**project["optional-dependencies"],
                                                  "test": project["optional-dependencies"]["test"][:-1]}}
    assert script.dependency_hash() != before


@pytest.mark.parametrize("lock,extras", [(RUNTIME_LOCK, ()), (TEST_LOCK, ("test",))], ids=["runtime", "test"])
def test_lock_covers_every_dependency_of_pyproject_within_its_range(lock, extras):
    project = _project()
    pins = _lock(lock)
    wanted = project["dependencies"] + [r for extra in extras for r in project["optional-dependencies"][extra]]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock.name} has no {name} (pyproject: {text}). Fix: run `make lock`."
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock.name} pins {name}=={pins[name]}, outside pyproject's {text}. Fix: run `make lock`.")


def test_runtime_lock_has_the_test_lock_versions():
    runtime, test = _lock(RUNTIME_LOCK), _lock(TEST_LOCK)
    assert set(runtime) <= set(test), f"only in the runtime lock: {sorted(set(runtime) - set(test))}"
    differ = {name: (version, test[name]) for name, version in runtime.items() if test[name] != version}
    assert not differ, f"runtime and test locks pin different versions (runtime, test): {differ}"
    # The test-only peers are not in the runtime lock (pytest is: nbval, a runtime dependency, needs it;
    # playwright is: the runner prints the PDFs with it).
    assert not {"csdid", "moderndid", "diff-diff"} & set(runtime)
    assert "playwright" in runtime


#: The environment the locks are compiled for (requirements/lock.py's target), for evaluating markers.
_TARGET = {"python_version": "3.11", "python_full_version": "3.11.0", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "sys_platform": "linux", "os_name": "posix",
           "platform_system": "Linux", "platform_machine": "x86_64", "extra": ""}


def test_lock_is_closed_under_the_requirements_of_its_installed_packages():
    """Every requirement of a locked package is locked too, at a version it accepts.

    Read from the installed distributions' metadata, so it checks those installed at the locked
    version: all of them in a fresh `make test` environment (CI).
    """
    pins = _lock(TEST_LOCK)
    checked, missing = 0, []
    for name, version in pins.items():
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if dist.version != version:
            continue
        checked += 1
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate(_TARGET):
                continue
            dep = canonicalize_name(requirement.name)
            if dep not in pins or not requirement.specifier.contains(pins[dep], prereleases=True):
                missing.append(f"{name} {version} needs {text}, locked: {pins.get(dep, 'nothing')}")
    assert checked >= len(pins) // 2, f"only {checked} of {len(pins)} locked packages are installed at their version"
    assert not missing, "the lock is not closed: " + "; ".join(missing)


def test_environment_yml_agrees_with_the_lock():
    """Every package environment.yml names is locked, and every pin or range it gives admits the locked version."""
    pins = _lock(TEST_LOCK)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = [d for d in env["dependencies"] if isinstance(d, str) and _name(d) == "python"]
    assert python and SpecifierSet(python[0][len("python"):]).contains("3.11"), (
        f"environment.yml's {python} must admit Python 3.11, the version the lock is compiled for")
    for name, spec in _conda().items():
        name = canonicalize_name(name)
        assert name in pins, f"environment.yml names {spec}, which the lock does not have. Fix: add it to pyproject.toml and run `make lock`."
        specifier = SpecifierSet(spec[len(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]):].strip())
        assert specifier.contains(pins[name], prereleases=True), (
            f"environment.yml asks for {spec}, but the lock has {name}=={pins[name]}. Fix: align the two.")


def test_make_installs_from_the_lock_files():
    """`make report` and `make test` install the locked versions, then the project without dependencies."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    plans = {}
    for goal in ("report", "test"):
        # -n: print the commands without running them; -B: as if nothing were installed yet.
        out = subprocess.run(["make", "-n", "-B", goal], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        plans[goal] = out.stdout
    installs = {goal: [line for line in plan.splitlines() if " install " in line] for goal, plan in plans.items()}
    assert any("--no-deps -r requirements/runtime.lock.txt" in line for line in installs["report"])
    assert not any("test.lock.txt" in line for line in installs["report"])
    assert any("--no-deps -r requirements/test.lock.txt" in line for line in installs["test"])
    for goal, lines in installs.items():
        project = [line for line in lines if " -e ." in line]
        assert project and all("--no-deps" in line for line in project), f"make {goal}: {project}"
        # Only the lock files, the project and the pinned lock tool are installed.
        for line in lines:
            assert "lock.txt" in line or " -e ." in line or "requirements/lock.py --tool" in line, (
                f"make {goal} installs outside the lock: {line}")
    assert _lock_script().tool_requirement().startswith("uv==")
