"""tools/check_imports.py: the package's import graph has no circle and nothing imports upwards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parent.parent / "tools" / "check_imports.py"


def run(root: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(TOOL), "--graph"] + (["--root", str(root)] if root else [])
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def test_the_package_has_no_circle_and_no_upward_import() -> None:
    p = run()
    assert p.returncode == 0, p.stdout + p.stderr
    assert "no circle, no upward import" in p.stdout
    # the graph is real: the reader thread sits on the codec and the core
    line = next(x for x in p.stdout.splitlines() if x.split()[1:2] == ["nmt_pressure.link.reader"])
    assert "nmt_pressure.core.detector" in line and "nmt_pressure.protocol" in line


def plant(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        f = root / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)


def test_an_upward_import_a_lazy_circle_and_the_face_are_each_named(tmp_path: Path) -> None:
    plant(tmp_path, {
        "src/nmt_pressure/__init__.py": "from nmt_pressure.core.detector import analyze\n",
        "src/nmt_pressure/core/__init__.py": "",
        "src/nmt_pressure/core/detector.py": "def analyze():\n    from nmt_pressure.analysis import report\n",
        "src/nmt_pressure/analysis/__init__.py": "",
        "src/nmt_pressure/analysis/report.py": "from nmt_pressure.analysis import batch\n",
        "src/nmt_pressure/analysis/batch.py": "def f():\n    from nmt_pressure.analysis import report\n",
        "src/nmt_pressure/io/__init__.py": "",
        "src/nmt_pressure/io/recording.py": "from nmt_pressure import __version__\n",
        "firmware_sim/__init__.py": "from nmt_pressure.cli import main\n",
        "src/nmt_pressure/cli/__init__.py": "",
        "src/nmt_pressure/cli/main.py": "import firmware_sim\n",
    })
    p = run(tmp_path)
    assert p.returncode == 1
    out = p.stdout
    assert "nmt_pressure.core.detector (core) imports nmt_pressure.analysis.report (analysis): upwards" in out
    assert "circle: nmt_pressure.analysis.batch -> nmt_pressure.analysis.report -> " \
           "nmt_pressure.analysis.batch" in out
    assert "imports the package's face" in out and "io/recording.py:1" in out
    assert "firmware_sim imports nmt_pressure.cli" in out
    assert "cli.main imports firmware_sim" not in out  # the simulator's front door is allowed
