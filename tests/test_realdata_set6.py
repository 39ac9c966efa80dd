"""tools/realdata_set6.py: a leg press's log, a gimbal's force/torque files and an elderly data set's
workbooks at pinned commits become recordings in newtons."""

from __future__ import annotations

import io
import json
import math
import shutil
import statistics
import subprocess
import zipfile
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from realdata_labels import assert_well_formed
from toolmods import load_tool

s6 = load_tool("realdata_set6")
ro = load_tool("realdata_out")  # the converters' shared source helpers
sd = load_tool("score_detection")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

G = 9.80665
N_PER_LBF = 4.44822
NAMES = ["biostrength_legpress_isometric_right_50hz", "biostrength_legpress_isometric_left_50hz",
         "gimbal_mvf_s2_pre_50hz", "gimbal_mvf_s8_post_50hz", "gimbal_mvf_s1_pre_50hz",
         "elderly_knee_extension_id2_2000hz", "elderly_knee_extension_id14_2000hz",
         "elderly_knee_extension_id19_2000hz", "elderly_knee_extension_id26_2000hz",
         "elderly_plantar_flexion_id9_2000hz", "elderly_plantar_flexion_id11_2000hz"]
# The converted recordings' last sample times (s), so that the labels can be checked against the spans
# without the repositories.
SPANS = {"biostrength_legpress_isometric_right_50hz": 24.593,
         "biostrength_legpress_isometric_left_50hz": 38.703,
         "gimbal_mvf_s2_pre_50hz": 6.66, "gimbal_mvf_s8_post_50hz": 6.66, "gimbal_mvf_s1_pre_50hz": 6.78,
         **{name: 10.0 for name in NAMES if name.startswith("elderly_")}}
# Where this machine keeps mirrors of the three repositories (CI has none: the test using them skips).
MIRRORS = Path("/work/.mirror")
MIRROR = {s6.BIOSTRENGTH: MIRRORS / "lzoffoli-tg+labanalysis" / "repo",
          s6.GIMBAL: MIRRORS / "ftessari23+GimbalForceAnalysis" / "repo",
          s6.ELDERLY: MIRRORS / f"{s6.ELDERLY.replace('/', '+')}" / "repo"}

Rows = list[tuple[float, float]]

# The Biostrength log: a header whose first cell is already a time, then 19 '|'-separated cells a row,
# the time in s (irregular: 11-55 ms apart), the third cell UserTorque(Nm).
BS_HEADER = ("0000.039|RX|UserTorque(Nm)|Velocity(rad)|Position(mm)|Position(rad)|Roller|Cell1|Cell2|TX|"
             "CmdTorque|EccOverload|EasyStart|Inertia|Friction|Vel_H|Vel_L|ViscoConc|ViscoEcc\n")
BS_TAIL = "-0.01|479.02|5.86|11|0.01|0.04|TX|29.30|0.00|5.87|0.70|0.13|20.00|-5.00|1.00|-0.00"


def _bs_rows(push: float = 185.0) -> list[tuple[float, float]]:
    """(s, Nm): the machine at rest, a pre-load, the push, rest again."""
    torques = [0.0] * 40 + [14.0] * 60 + [push] * 100 + [0.0] * 40
    rows: list[tuple[float, float]] = []
    t = 0.042
    for i, torque in enumerate(torques):
        rows.append((round(t, 3), torque))
        t += (0.011, 0.02, 0.055, 0.02)[i % 4]
    return rows


def _biostrength(rows: list[tuple[float, float]] | None = None, header: str = BS_HEADER) -> bytes:
    rows = _bs_rows() if rows is None else rows
    return (header + "".join(f"{t:08.3f}|RX|{torque:.2f}|{BS_TAIL}\n" for t, torque in rows)).encode()


def _bs_newtons(torque: float) -> float:
    """labanalysis's LegPressREV: 1.246048 * torque - 23.594744 kgf plus the lever's 9 + 0.17 * 85 kgf."""
    return (1.246048 * torque - 23.594744 + 9.0 + 0.17 * 85) * G


# The gimbal's file: six comma-separated columns headed in N but in lbf, CRLF, no time. At rest the
# sensor reads Fx 0.80 and 0.70 in turn (median 0.75 lbf), Fy +-0.05 (median 0) and Fz -0.5 with one
# knock to -9 the median ignores; over the first 11 rows Fx's median would be 0.8, over 9 rows 0.8 too.
GB_HEADER = "Fx [N], Fy [N], Fz [N], Mx [Nm], My [Nm], Mz [Nm]\r\n"
GB_TARE = (0.75, 0.0, -0.5)


def _gb_rows(push: float = 1.0) -> list[tuple[float, float, float]]:
    """(Fx, Fy, Fz) lbf: 10 rows at rest, 30 pushing with 13 * ``push`` lbf, 10 at rest."""
    rest = [(0.80, 0.05, -0.5) if i % 2 == 0 else (0.70, -0.05, -0.5) for i in range(10)]
    rest[3] = (0.70, -0.05, -9.0)
    pushing = [(0.75 + 3.0 * push, 4.0 * push, -0.5 - 12.0 * push)] * 30
    return rest + pushing + [GB_TARE] * 10


def _gimbal(xyz: list[tuple[float, float, float]] | None = None, header: str = GB_HEADER) -> bytes:
    xyz = _gb_rows() if xyz is None else xyz
    rows = "".join(f"{x!r}, {y!r}, {z!r}, 0.012413, 0.156854, -0.0331\r\n" for x, y, z in xyz)
    return (header + rows).encode()


# The elderly data set's workbook: the DNM sheet (not the first) with four columns of kgf readings from
# row 1 (Excel's number text, E notation for small ones; some cells styled), column D two rows short.
XL_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XL_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XL_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _dnm(k: int = 0) -> dict[str, list[str]]:
    """The DNM sheet's columns (``k`` makes each file's readings its own)."""
    knee = ["10.4276213675214", "6.9946153846152104E-2", "-0.150429914529915"]
    knee += [repr(17.5 + k + 0.01 * i) for i in range(37)]
    plantar = ["15.1657068376068"] + [repr(21.0 + k - 0.25 * i) for i in range(37)]
    return {"A": knee, "B": ["3.04502307692306"] * 40, "C": ["2.9348350427350298"] * 40, "D": plantar}


def _sheet(columns: dict[str, list[str]]) -> str:
    rows = []
    for r in range(1, max(map(len, columns.values())) + 1):
        style = ' s="1"' if r % 3 == 0 else ""
        cells = "".join(f'<c r="{col}{r}"{style}><v>{values[r - 1]}</v></c>'
                        for col, values in columns.items() if r <= len(values))
        rows.append(f'<row r="{r}" spans="1:4">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{XL_MAIN}">'
            f'<dimension ref="A1:D40"/><sheetData>{"".join(rows)}</sheetData></worksheet>')


def _xlsx(columns: dict[str, list[str]] | None = None, sheets: tuple[str, ...] = ("EMG_VL", "DNM")) -> bytes:
    """A tiny .xlsx: ``sheets`` in the workbook, the one named DNM with ``columns``, the others an EMG."""
    columns = _dnm() if columns is None else columns
    names = "".join(f'<sheet name="{s}" sheetId="{i + 22}" r:id="rId{i + 1}"/>' for i, s in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{XL_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in reversed(range(1, len(sheets) + 1)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                      'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        book.writestr("xl/workbook.xml", f'<workbook xmlns="{XL_MAIN}" xmlns:r="{XL_REL}"><sheets>{names}'
                      "</sheets></workbook>")
        book.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{XL_PKG}">{rels}</Relationships>')
        for i, s in enumerate(sheets):
            book.writestr(f"xl/worksheets/sheet{i + 1}.xml",
                          _sheet(columns if s == "DNM" else {"A": ["999.0"] * 45, "B": ["-999.0"] * 45}))
    return buf.getvalue()


def _fakes() -> dict[str, tuple[bytes, Rows]]:
    """name -> hand-made bytes of its layout (each file's own) and the rows they must become."""
    fakes: dict[str, tuple[bytes, Rows]] = {}
    for k, name in enumerate(NAMES):
        if name.startswith("biostrength_"):
            bs = _bs_rows(185.0 + k)
            fakes[name] = (_biostrength(bs), [(t, _bs_newtons(torque)) for t, torque in bs])
        elif name.startswith("gimbal_"):
            xyz = _gb_rows(1.0 + k)
            fakes[name] = (_gimbal(xyz),
                           [(n / 50, N_PER_LBF * math.dist(r, GB_TARE)) for n, r in enumerate(xyz)])
        else:  # knee extension is the DNM sheet's first column, plantar flexion its fourth
            kgf = _dnm(k)["A" if "_knee_extension_" in name else "D"]
            fakes[name] = (_xlsx(_dnm(k)), [(n / 2000, float(v) * G) for n, v in enumerate(kgf)])
    return fakes


FAKE = _fakes()


def _assert_rows(rows: Rows, expected: Rows) -> None:
    assert len(rows) == len(expected)
    assert [t for t, _ in rows] == pytest.approx([t for t, _ in expected], rel=1e-12, abs=1e-12)
    assert [f for _, f in rows] == pytest.approx([f for _, f in expected], rel=1e-12, abs=1e-12)


def test_a_biostrength_log_is_its_user_torque_as_labanalysis_reads_it_in_newtons() -> None:
    rows = s6.convert_biostrength(_biostrength())
    # the header's own time is no reading; every row after it is, at its own (irregular) time
    _assert_rows(rows, [(t, _bs_newtons(torque)) for t, torque in _bs_rows()])
    assert rows[0] == (0.042, pytest.approx(-1.42, abs=0.001))  # the resting machine reads -1.42 N
    assert rows[100][1] == pytest.approx((1.246048 * 185.0 - 0.144744) * G, rel=1e-12)
    assert [b - a for (a, _), (b, _) in pairwise(rows)][:4] == pytest.approx(
        [0.011, 0.02, 0.055, 0.02])


def test_a_gimbal_file_is_timed_by_its_row_and_its_force_is_the_tared_magnitude_in_newtons() -> None:
    rows = s6.convert_gimbal(_gimbal())
    assert [t for t, _ in rows] == [n / 50 for n in range(50)]  # no time column: 50 Hz by the row
    _assert_rows(rows, [(n / 50, N_PER_LBF * math.dist(r, GB_TARE)) for n, r in enumerate(_gb_rows())])
    # each component less its median over the first 10 rows (0.75, 0, -0.5 lbf): the knock in row 3
    # does not move the zero, the push reads 13 lbf, the arm at rest 0 after it
    assert rows[0][1] == pytest.approx(N_PER_LBF * math.hypot(0.05, 0.05), rel=1e-12)
    assert rows[3][1] == pytest.approx(N_PER_LBF * math.hypot(0.05, 0.05, 8.5), rel=1e-12)
    assert rows[20][1] == pytest.approx(13 * N_PER_LBF, rel=1e-12)
    assert rows[-1][1] == pytest.approx(0.0, abs=1e-12)


def test_an_elderly_workbook_is_its_dnm_column_from_row_1_at_2000_hz_in_newtons() -> None:
    for column, convert in (("A", s6.convert_elderly("A")), ("D", s6.convert_elderly("D"))):
        kgf = _dnm()[column]
        rows = convert(_xlsx(), "ID 2.xlsx")
        # every reading of the column down to its first empty row (D is two rows short of A), not the
        # EMG sheet's, kgf as newtons, the n-th (from row 1) at (n - 1) / 2000 s
        _assert_rows(rows, [(n / 2000, float(v) * G) for n, v in enumerate(kgf)])
        assert len(rows) == {"A": 40, "D": 38}[column]
    rows = s6.convert_elderly("A")(_xlsx(sheets=("DNM", "EMG_VL", "EMG_BF")))
    assert rows[1] == (0.0005, pytest.approx(0.069946153846152104 * G, rel=1e-12))


def _with_error_cell() -> bytes:
    columns = _dnm()
    columns["A"][2] = "#DIV/0!"
    return _xlsx(columns)


ELDERLY_A = s6.convert_elderly("A")


@pytest.mark.parametrize(("convert", "data", "said"), [
    (s6.convert_biostrength, b"", "x is no Biostrength log: its first line names no UserTorque(Nm) third"),
    (s6.convert_biostrength, _biostrength(header=BS_HEADER.replace("UserTorque", "CmdTorque")),
     "x is no Biostrength log"),
    (s6.convert_biostrength, _biostrength() + b"0009.999|RX|12.00\n",
     "x: line 242 is no row of 19 cells with a time and torque"),
    (s6.convert_biostrength, _biostrength().replace(b"|RX|14.00|", b"|RX|n/a|", 1),
     "x: line 42 is no row of 19 cells with a time and torque"),
    (s6.convert_biostrength, _biostrength(rows=[]), "x has no rows below its UserTorque(Nm) header line"),
    (s6.convert_gimbal, _gimbal(header="Fx,Fy,Fz\r\n"),
     "x is no gimbal force file: no Fx [N], Fy [N], Fz [N] header"),
    (s6.convert_gimbal, _gimbal() + b"1.0, 2.0\r\n", "x: line 52 ('1.0, 2.0') is no row of numbers"),
    (s6.convert_gimbal, _gimbal(_gb_rows()[:10]), "x has 10 rows, too few to tare on its first 10"),
    (ELDERLY_A, b"PK\x03\x04 not a zip", "x is no .xlsx workbook with a DNM sheet"),
    (ELDERLY_A, _xlsx(sheets=("EMG_VL", "EMG_BF")), "x has no sheet 'DNM'"),
    (s6.convert_elderly("E"), _xlsx(), "x has no column E of readings in its DNM sheet"),
    (ELDERLY_A, _with_error_cell(), "x: cell A3 of its DNM sheet ('#DIV/0!') is no number"),
])
def test_bytes_of_another_layout_are_refused_in_one_sentence(
        convert: Callable[[bytes, str], Rows], data: bytes, said: str) -> None:
    with pytest.raises(s6.SourceError, match=r"^[^\n]+$") as exc:
        convert(data, "x")
    assert said in str(exc.value)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          check=True, capture_output=True, text=True).stdout


def _repositories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, shas: str = "synthetic",
                  skip: str | None = None, bytes_for: dict[str, bytes] | None = None,
                  later: bool = False) -> list[Path]:
    """A git work tree per repository, in the command line's order, with each name's hand-made bytes
    (``bytes_for`` a name's other ones) at its labelled path, committed; the tool's COMMITS and
    (``shas`` "synthetic") its blob SHA-1s patched to those commits'. ``later``: a next commit removes
    the files (labanalysis's later commits have none), so they are only at the pinned commit."""
    repos: list[Path] = []
    blobs: dict[tuple[str, str], str] = {}
    for repository in list(s6.COMMITS):
        repo = tmp_path / repository.replace("/", "+")
        repo.mkdir()
        (repo / "README.md").write_text("not the data\n")
        for name, (owner, path, _, _, _) in s6.FILES.items():
            if owner == repository and name != skip:
                (repo / path).parent.mkdir(parents=True, exist_ok=True)
                (repo / path).write_bytes((bytes_for or {}).get(name, FAKE[name][0]))
        _git(repo, "init", "-q")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "files")
        commit = _git(repo, "rev-parse", "HEAD").strip()
        blobs |= {(repository, ln.split("\t")[1]): ln.split()[2]
                  for ln in _git(repo, "ls-tree", "-r", commit).splitlines()}
        if later:
            _git(repo, "rm", "-q", "-r", ".", ":!README.md")
            _git(repo, "commit", "-q", "-m", "files gone")
        monkeypatch.setitem(s6.COMMITS, repository, commit)
        repos.append(repo)
    if shas == "synthetic":
        monkeypatch.setattr(s6, "FILES", {
            name: (owner, path, blobs.get((owner, path), "0" * 40), convert, labels)
            for name, (owner, path, _, convert, labels) in s6.FILES.items()})
    return repos


def _clone_at(repo: Path, where: str) -> Path:
    if where == "git directory":
        return repo / ".git"
    if where == "mirror":
        mirror = repo.with_name(repo.name + ".mirror")
        _git(repo.parent, "clone", "-q", "--mirror", str(repo), str(mirror))
        return mirror
    return repo


@pytest.mark.parametrize("later", [False, True], ids=["at the commit", "checked out later"])
@pytest.mark.parametrize("where", ["work tree", "git directory", "mirror"])
def test_clones_become_labelled_recordings_the_scorer_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        where: str, later: bool) -> None:
    repos = _repositories(tmp_path, monkeypatch, later=later)
    out = tmp_path / "out"
    assert s6.main([*(str(_clone_at(r, where)) for r in repos), str(out)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(s6.FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{name}{ext}" for name in NAMES for ext in (".csv", ".labels.json"))
    for name, (repository, path, _, _, labels) in s6.FILES.items():
        assert (out / f"{name}.csv").read_text().startswith("t_s,force_N\n")
        meta = json.loads((out / f"{name}.labels.json").read_text())
        assert meta == {"unit": "N", "force_column": "force_N", "time_column": "t_s",
                        "source": f"{repository}@{s6.COMMITS[repository]}:{path}", **labels}
        t, f, lab, rec = sd.read_real(out / f"{name}.csv")
        assert lab == meta and rec.unit == "N"
        rows = FAKE[name][1]  # this file's own readings, its repository's conversion
        np.testing.assert_allclose(f, [v for _, v in rows], rtol=1e-12, atol=1e-12)  # force as repr
        np.testing.assert_allclose(t, [s for s, _ in rows], atol=5e-7)  # time to the microsecond
        assert {d["kind"] for d in sd.truth_from_labels(meta)} <= {"hold", "step", "release"}


def test_other_data_than_labelled_fail_in_one_sentence_and_write_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repos = _repositories(tmp_path, monkeypatch, shas="real")
    out = tmp_path / "out"
    assert s6.main([*map(str, repos), str(out)]) == 2
    first = NAMES[0]
    _, path, sha, _, _ = s6.FILES[first]
    assert capsys.readouterr().err == (
        f"realdata_set6: {path} in {repos[0]} is git blob {ro.blob_sha(FAKE[first][0])}, not {sha}: not the "
        f"data that were labelled; give a clone of {s6.BIOSTRENGTH} with commit "
        f"{s6.COMMITS[s6.BIOSTRENGTH]}\n")
    assert not out.exists()


@pytest.mark.parametrize(("case", "said"), [
    ("edited", "Data/Subject8/S8_MVF_f.txt in {gimbal} is git blob {edited}, not {sha}: not the data that "
               "were labelled; give a clone of ftessari23/GimbalForceAnalysis with commit"),
    ("missing", "0 files match ID 26.xlsx in {elderly} (or at commit "),
    ("unreadable", "Data/Subject2/S2_MVF_i.txt is no gimbal force file: no Fx [N], Fy [N], Fz [N] header"),
    ("no clone", "{empty} is no clone of lzoffoli-tg/labanalysis with commit "
                 "64dad336f845ce67930f47bfc4353ed96afcf313 (git: "),
])
def test_sources_not_as_labelled_fail_in_one_sentence_and_write_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        case: str, said: str) -> None:
    edited = FAKE["gimbal_mvf_s8_post_50hz"][0].replace(b"0.012413", b"0.012414")
    if case == "no clone":
        repos = [tmp_path / "empty"] * 3
        repos[0].mkdir()
    else:
        repos = _repositories(tmp_path, monkeypatch, skip="elderly_knee_extension_id26_2000hz"
                              if case == "missing" else None,
                              bytes_for={"gimbal_mvf_s2_pre_50hz": FAKE[NAMES[0]][0]} if case == "unreadable"
                              else None)
    if case == "edited":  # a work tree whose file differs from the one committed
        (repos[1] / "Data/Subject8/S8_MVF_f.txt").write_bytes(edited)
    out = tmp_path / "out"
    assert s6.main([*map(str, repos), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("realdata_set6: ") and "Traceback" not in err
    assert err.count("\n") == 1  # one line
    assert said.format(gimbal=repos[1], elderly=repos[-1], empty=repos[0], edited=ro.blob_sha(edited),
                       sha=s6.FILES["gimbal_mvf_s8_post_50hz"][2]) in err
    assert not out.exists()


def test_without_four_arguments_it_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert s6.main([]) == 2
    assert s6.main(["a", "b", "out"]) == 2
    assert s6.main(["a", "b", "c", "d", "out"]) == 2
    said = capsys.readouterr()
    usage = "Usage: python tools/realdata_set6.py BIOSTRENGTH_REPO GIMBAL_REPO ELDERLY_REPO OUT_DIR"
    assert said.out.count(usage) == 3
    assert said.err == ""


def test_the_real_sources_are_pinned() -> None:
    assert list(s6.FILES) == NAMES
    assert list(s6.COMMITS) == [s6.BIOSTRENGTH, s6.GIMBAL, s6.ELDERLY]  # the command line's order
    assert all(len(c) == 40 and int(c, 16) >= 0 for c in s6.COMMITS.values())
    assert len({(r, p) for r, p, _, _, _ in s6.FILES.values()}) == len(s6.FILES)
    assert len({sha for _, _, sha, _, _ in s6.FILES.values()}) == len(s6.FILES)
    for name, (repository, path, sha, _, labels) in s6.FILES.items():
        assert len(sha) == 40 and int(sha, 16) >= 0
        assert set(labels) == {"holds", "steps", "releases", "notes"}
        prefix = {s6.BIOSTRENGTH: "biostrength_", s6.GIMBAL: "gimbal_", s6.ELDERLY: "elderly_"}[repository]
        assert name.startswith(prefix) and name.endswith({"elderly_": "_2000hz"}.get(prefix, "_50hz"))
        if repository == s6.ELDERLY:  # the volunteer's file: ID 2.xlsx for ..._id2_...
            assert path == f"ID {name.split('_id')[1].split('_')[0]}.xlsx"


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("elderly_")])
def test_each_elderly_recording_is_the_column_of_its_test(name: str) -> None:
    # knee extension is the DNM sheet's column 1 (A), plantar flexion its column 4 (D)
    _assert_rows(s6.FILES[name][3](FAKE[name][0], "x"), FAKE[name][1])


@pytest.mark.parametrize("name", NAMES)
def test_the_labels_are_well_formed(name: str) -> None:
    # every hold lasts 1.5 s (none is labelled shorter) and ends by the last sample
    assert_well_formed(s6.FILES[name][4], SPANS[name])


@pytest.mark.skipif(not all((m / "HEAD").is_file() for m in MIRROR.values()),
                    reason=f"needs mirrors of the three repositories under {MIRRORS} (absent, as on CI)")
def test_the_mirrors_convert_to_the_spans_and_levels_labelled(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert s6.main([*(str(MIRROR[r]) for r in s6.COMMITS), str(out)]) == 0
    assert capsys.readouterr().out.count("wrote ") == len(NAMES)
    for name, (_, _, _, _, labels) in s6.FILES.items():
        t, f, _, _ = sd.read_real(out / f"{name}.csv")
        assert t[-1] == pytest.approx(SPANS[name], abs=1e-6) and np.all(np.diff(t) > 0)
        for start, end, level in labels["holds"]:  # each level the median over its hold, mostly +-8 %
            held = f[(t >= start) & (t <= end)]
            assert statistics.median(held.tolist()) == pytest.approx(level, rel=0.005)
            assert np.mean(np.abs(held - level) <= 0.08 * level) >= 0.75
        for r in labels["releases"]:  # released: below 15 % of the hold it ends from 1 s after
            level = next(lv for _, end, lv in labels["holds"] if end == r)
            assert np.all(f[(t >= r + 1.0) & (t <= r + 1.5)] < 0.15 * level)
        if name.startswith("biostrength_"):
            assert f[0] == pytest.approx(-1.42, abs=0.005)  # the resting machine
        elif name.startswith("gimbal_"):  # 50 Hz by the row; tared on its first 10 rows (the raw
            # sensor rests at 3.3 N), the arm at rest reads under 1 N there
            assert len(t) == {"gimbal_mvf_s1_pre_50hz": 340}.get(name, 334) and np.median(f[:10]) < 1.0
        else:  # 20001 rows at 2000 Hz: the protocol's 10 s
            assert len(t) == 20001 and t[1] == pytest.approx(0.0005)
