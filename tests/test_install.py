"""The install: a lean `pip install .` runs `analyze` and `report --no-figures`; a missing extra is one
sentence naming it; the wheel carries what runs and says which core it has; library modules log.

The lean install is imitated without a new venv: the commands run in a subprocess in which every
optional module is made unimportable (``sys.modules[name] = None``: ``import`` raises
ModuleNotFoundError and ``importlib.util.find_spec`` finds nothing, as when it is not installed).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nmt_pressure import IMPLEMENTATION, __version__
from nmt_pressure.cli import main as cli
from nmt_pressure.extras import EXTRAS, MissingExtraError, require
from nmt_pressure.io.recording import write_recording
from nmt_pressure.logs import LOGGER, CliHandler, cli_logging

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "src/nmt_pressure/core/kernel"  # the compiled core's stages, which _core.pyx includes
#: Every module an extra (or the test extra) brings: none may be needed by the lean commands.
OPTIONAL = ("matplotlib", "PySide6", "pyqtgraph", "scipy", "pylsl", "pandas", "pyarrow")

LEAN = f"""
import sys
for name in {OPTIONAL!r}:
    sys.modules[name] = None  # not installed
from nmt_pressure.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def lean(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``nmt-pressure ARGS`` as installed without extras."""
    return subprocess.run([sys.executable, "-c", LEAN, *args], capture_output=True, text=True, timeout=120,
                          check=False, env=env)


def full(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nmt_pressure", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    """A ramp, an 8 s hold at 20 N and a release at 100 Hz."""
    t = np.arange(0.0, 11.0, 0.01)
    f = np.interp(t, [0.0, 0.5, 1.5, 9.5, 9.8, 11.0], [0.0, 0.0, 20.0, 20.0, 0.0, 0.0])
    f = f + np.random.default_rng(3).normal(0.0, 0.03, t.size)
    return write_recording(tmp_path / "session.csv", t, f, {"device": "synthetic"})


def the_one_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --------------------------------------------------------------------------------------------------
# the lean install
# --------------------------------------------------------------------------------------------------
def test_analyze_needs_no_extra_and_finds_the_same(recording: Path) -> None:
    p = lean("analyze", str(recording), "--json", "-")
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    ref = full("analyze", str(recording), "--json", "-")
    assert ref.returncode == 0, ref.stderr
    got, want = json.loads(p.stdout), json.loads(ref.stdout)
    assert got["holds"] and got["events"] == want["events"] and got["holds"] == want["holds"]


def test_report_without_figures_needs_no_extra(recording: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    p = lean("report", str(recording), "--out", str(out), "--no-figures", "--quiet")
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert (out / "index.html").is_file() and (out / "session.holds.csv").is_file()
    assert json.loads((out / "summary.json").read_text())["summary"]["holds"] == 1
    assert not list(out.glob("*.png"))


def test_report_with_figures_names_the_report_extra(recording: Path, tmp_path: Path) -> None:
    out = tmp_path / "rep"
    p = lean("report", str(recording), "--out", str(out), "--quiet")
    assert p.returncode == 2
    line = the_one_line(p.stderr)
    assert line == ("nmt-pressure: error: `report` with figures needs matplotlib: pip install "
                    "'nmt-pressure[report]' (or use --no-figures).")
    assert not out.exists()  # refused before anything was written


def test_dash_names_the_gui_extra() -> None:
    p = lean("dash", "--sim", "--duration", "1", env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert p.returncode == 2
    line = the_one_line(p.stderr)
    assert "pip install 'nmt-pressure[gui]'" in line and "nmt-pressure monitor" in line


def test_lsl_names_the_lsl_extra() -> None:
    p = lean("monitor", "--port", "loop://", "--lsl", "--duration", "1")
    assert p.returncode == 2
    assert "pip install 'nmt-pressure[lsl]'" in the_one_line(p.stderr)


def test_the_command_line_imports_no_optional_module() -> None:
    """Importing the CLI (what every command does first) loads none of the extras' modules."""
    code = ("import sys, nmt_pressure.cli.main, nmt_pressure.analysis.batch, nmt_pressure.outputs.live; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {OPTIONAL!r}))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert p.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------------
# extras.require
# --------------------------------------------------------------------------------------------------
def test_require_returns_the_module() -> None:
    assert require("json", "data") is json


def test_require_names_the_extra_and_the_alternative(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError) as info:
        require("pandas", "data", "`Recording.to_pandas()`", instead="use to_dict()")
    assert str(info.value) == ("`Recording.to_pandas()` needs pandas: pip install 'nmt-pressure[data]' "
                               "(or use to_dict()).")
    assert (info.value.module, info.value.extra) == ("pandas", "data")


def test_require_tells_a_broken_install_from_a_missing_one(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nmt_fake_plot.py").write_text("import nmt_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingExtraError) as info:
        require("nmt_fake_plot", "report", "drawing")
    text = str(info.value)
    assert "installed but fails to import" in text and "nmt_no_such_dependency" in text
    assert "pip install" not in text  # installing the extra again would not help


def test_require_refuses_an_unknown_extra() -> None:
    with pytest.raises(ValueError, match="unknown extra"):
        require("json", "plots")


def test_every_extra_is_declared_in_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    assert set(EXTRAS) <= set(extras["all"][0].split("[", 1)[1].rstrip("]").split(","))


# --------------------------------------------------------------------------------------------------
# which core runs
# --------------------------------------------------------------------------------------------------
def test_version_says_which_core_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"nmt-pressure {__version__}: ")
    assert ("compiled core" in out) == (IMPLEMENTATION == "cython")
    assert ("pure-Python golden model" in out) == (IMPLEMENTATION == "python")


def test_version_names_the_golden_model_when_asked_for() -> None:
    p = subprocess.run([sys.executable, "-m", "nmt_pressure", "--version"], capture_output=True, text=True,
                       timeout=60, check=True, env=dict(os.environ, NMT_PRESSURE_PUREPYTHON="1"))
    assert "pure-Python golden model" in p.stdout and "NMT_PRESSURE_PUREPYTHON is set" in p.stdout


# --------------------------------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------------------------------
def source_tree(dest: Path) -> Path:
    """What a fresh clone holds (no build products), copied so that builds leave the checkout alone."""
    ignore = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.so",
                                    "*.c", "*.html", ".*_cache")
    for name in ("src", "firmware_sim"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md", "MANIFEST.in"):
        shutil.copy(ROOT / name, dest / name)
    return dest


#: The wheel builds below use a "compiler" that always fails: quick, and the golden model's fallback path
#: (Cython still reads every source first).
needs_false_compiler = pytest.mark.skipif(
    importlib.util.find_spec("Cython") is None or shutil.which("false") is None,
    reason="needs Cython in this venv (the `test` extra) and /bin/false")


def wheel_without_compiler(src: Path, out: Path, require: bool = False) -> subprocess.CompletedProcess[str]:
    """``pip wheel`` of ``src`` into ``out`` with that compiler; ``require`` sets
    NMT_PRESSURE_REQUIRE_COMPILED=1, as ``make`` does."""
    env = dict(os.environ, CC="false", LDSHARED="false")
    env.pop("NMT_PRESSURE_REQUIRE_COMPILED", None)
    if require:
        env["NMT_PRESSURE_REQUIRE_COMPILED"] = "1"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-v",
           "-w", str(out), str(src)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=env)


@needs_false_compiler
def test_the_sdist_carries_the_cython_sources_and_builds(tmp_path: Path) -> None:
    """A source distribution holds the core's Cython sources (every stage file _core.pyx includes), not
    the C generated from them, and a wheel builds from it."""
    tree = source_tree(tmp_path / "tree")
    p = subprocess.run([sys.executable, "setup.py", "-q", "sdist", "-d", str(tmp_path / "sdist")], cwd=tree,
                       capture_output=True, text=True, timeout=300, check=False)
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    (sdist,) = (tmp_path / "sdist").glob("nmt_pressure-*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(tmp_path / "unpacked", filter="data")
        else:
            tar.extractall(tmp_path / "unpacked")
    kernel = {f"src/nmt_pressure/core/kernel/{p.name}" for p in (ROOT / KERNEL).glob("*.pxi")}
    assert kernel and kernel <= names, sorted(names)
    assert {"src/nmt_pressure/_core.pyx", "src/nmt_pressure/io/_csvscan.pyx", "setup.py"} <= names
    assert not [n for n in names if n.endswith((".c", ".so", ".html"))]
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    p = wheel_without_compiler(unpacked, tmp_path / "whl")
    assert p.returncode == 0, (p.stdout + p.stderr)[-3000:]
    assert "compiled core could not be built" in p.stdout + p.stderr  # it got as far as the compiler
    assert list((tmp_path / "whl").glob("nmt_pressure-*.whl"))


def test_a_build_without_cython_says_so(tmp_path: Path) -> None:
    tree = source_tree(tmp_path / "tree")
    code = ("import runpy, sys; sys.modules['Cython'] = None; sys.argv = ['setup.py', '--name']; "
            "runpy.run_path('setup.py', run_name='__main__')")
    p = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, timeout=120,
                       check=False)
    assert p.returncode != 0
    assert "Cython is needed to build nmt_pressure's compiled core" in p.stderr, p.stderr
    assert "pip install 'Cython>=3.0'" in p.stderr


@needs_false_compiler
def test_the_wheel_carries_what_runs_and_a_missing_compiler_is_loud(tmp_path: Path) -> None:
    """Built without a working compiler: the golden model only, a warning, no generated C or Cython
    sources, the bundled drills; NMT_PRESSURE_REQUIRE_COMPILED=1 makes the same build fail, naming the
    fix."""
    tree = source_tree(tmp_path / "tree")
    p = wheel_without_compiler(tree, tmp_path / "whl")
    log = p.stdout + p.stderr
    assert p.returncode == 0, log[-3000:]
    assert "WARNING: nmt_pressure's compiled core could not be built" in log
    assert "would be ignored" not in log and "is absent from the `packages`" not in log
    (wheel,) = (tmp_path / "whl").glob("nmt_pressure-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.endswith((".c", ".pyx", ".html", ".so"))], names
    assert sorted(n for n in names if n.startswith("nmt_pressure/practice/bundled/")) == [
        "nmt_pressure/practice/bundled/alternating.toml", "nmt_pressure/practice/bundled/consistency.toml",
        "nmt_pressure/practice/bundled/tppr.toml"]
    # The golden model is what runs here: every one of its stage modules must ship.
    golden = sorted(n for n in names if n.startswith("nmt_pressure/core/golden/"))
    assert golden == sorted(f"nmt_pressure/core/golden/{p.name}"
                            for p in (ROOT / "src/nmt_pressure/core/golden").glob("*.py")), golden
    assert {"nmt_pressure/data/example_session.csv", "nmt_pressure/py.typed",
            "firmware_sim/__main__.py"} <= set(names)

    shutil.rmtree(tree / "build")
    p = wheel_without_compiler(tree, tmp_path / "whl", require=True)
    assert p.returncode != 0
    assert "NMT_PRESSURE_REQUIRE_COMPILED is set: install a C compiler" in p.stdout + p.stderr


# --------------------------------------------------------------------------------------------------
# library modules log; the command prints
# --------------------------------------------------------------------------------------------------
def test_the_command_prints_the_library_log_as_its_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    undo = cli_logging("nmt-pressure")
    try:
        assert cli_logging("nmt-pressure")() is None  # nested: a no-op, the outer one stays
        logging.getLogger("nmt_pressure.outputs.recorder").error("recording to x.csv stopped: %s.",
                                                                 "disk full")
        logging.getLogger("nmt_pressure.link.listeners").warning(
            "LiveRecorder stopped (boom); monitoring on.")
        logging.getLogger("nmt_pressure.outputs.live").info("summary: 1 samples.")
        logging.getLogger("nmt_pressure.outputs.live").debug("not shown")
    finally:
        undo()
    assert capsys.readouterr().err == ("nmt-pressure: error: recording to x.csv stopped: disk full.\n"
                                       "nmt-pressure: warning: LiveRecorder stopped (boom); monitoring on.\n"
                                       "summary: 1 samples.\n")
    logger = logging.getLogger(LOGGER)
    assert not [h for h in logger.handlers if isinstance(h, CliHandler)] and logger.propagate


def test_without_the_command_the_library_does_not_print(capsys: pytest.CaptureFixture[str],
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    logging.getLogger("nmt_pressure.outputs.live").info("summary: 1 samples.")
    assert capsys.readouterr().err == ""
    assert [r.getMessage() for r in caplog.records] == ["summary: 1 samples."]
