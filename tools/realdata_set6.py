#!/usr/bin/env python
"""Eleven more real recordings from three other sources, hand-labelled, for ``score_detection.py --realdata``.

The recordings are not ours to copy, so they are converted from the user's clones or mirrors of three
repositories, each file checked against its git blob SHA-1 at the commit below, so that different
data fail here rather than scoring against labels read from other data:

* ``lzoffoli-tg/labanalysis`` (commit ``64dad336f845ce67930f47bfc4353ed96afcf313``; MIT per its
  ``pyproject.toml`` classifier, no licence file), ``test/assets/isometrictest_data/legpressrev/
  leg_press_rev_isom_{dx,sx}.txt``: a Technogym Biostrength leg press (REV) in its isometric test mode,
  right and left leg (``biostrength_*``), the machine's own log: a header, then ``|``-separated rows,
  the first cell the time in s (~50 Hz, irregular), the third ``UserTorque(Nm)``. The force is the
  load the repository's own reader makes of that column at this commit (``LegPressREV``:
  ``1.246048 * UserTorque - 23.594744`` kgf plus the lever weight ``9 + 0.17 * 85`` kgf, i.e.
  ``1.246048 * UserTorque - 0.144744`` kgf), in newtons (the resting machine reads -1.42 N).
* ``ftessari23/GimbalForceAnalysis`` (commit ``1f16c4146159ecc06c53d46b6236357f3882084e``, MIT),
  ``Data/Subject*/S*_MVF_{i,f}.txt``: maximal voluntary force pushes of the arm on an ATI
  force/torque sensor held in a gimbal (``gimbal_mvf_*``), six comma-separated columns headed
  ``Fx [N]``... but in lbf and lbf*in (the repository's ``main.m`` scales them by 4.44822 N/lbf), no
  time column: the n-th row (from 0) is at n/50 s (``main.m``: ``fs = 50``). The force is the
  magnitude of (Fx, Fy, Fz) -- the repository's own measure -- after each component less its median
  over the first 10 rows (0.2 s, the arm at rest; the sensor was not zeroed and rests at 0.75 lbf),
  in newtons.
* ``hermescb/Electromyography-and-Dynamometry-of-the-Lower-Limb-of-the-Elderly`` (commit
  ``f35f0d178837e758ab0d1669ec2c5bb3b56b7e29``, CC0-1.0), ``ID *.xlsx``: 10-s isometric holds of
  elderly volunteers on a strap-mounted load cell (EMG System, 200 kgf), one sheet ``DNM`` with four
  columns (knee extension, knee flexion, dorsiflexion, plantar flexion) synchronised with a 2000-Hz
  EMG (``elderly_*``). The n-th row (from 1) is at (n-1)/2000 s (20001 rows = the protocol's 10 s; the
  README gives no rate for the load cell, only the EMG's), the reading taken as kgf (the README names
  the cell's range in kgf; rest reads within 0.3 kgf of 0) in newtons; no tare. Read with the standard library
  (an .xlsx is a zip of XML).

Every row is kept (each file's time only increases). This writes ``OUT/NAME.csv`` (``t_s,force_N``)
with the labels below beside each (``NAME.labels.json``). They are read here, not by the package's
reader, which takes none of these layouts.

The labels were read from plots of the converted force before any detector ran on these files, by
the contract's Definitions, by a helper; each note names the source, the conversion, the
ambiguities and the other defensible reading. They are one careful reading, not an oracle.

Usage: python tools/realdata_set6.py BIOSTRENGTH_REPO GIMBAL_REPO ELDERLY_REPO OUT_DIR
       (the clones in this order: lzoffoli-tg/labanalysis, ftessari23/GimbalForceAnalysis,
       hermescb/Electromyography-and-Dynamometry-of-the-Lower-Limb-of-the-Elderly)
Each *_REPO is a work tree of that repository, or a bare/mirror git directory (read with ``git show``);
the labanalysis files are gone from its later commits, so a work tree must be checked out at the
commit above (a mirror is read at that commit).
"""

from __future__ import annotations

import io
import math
import re
import statistics
import sys
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent))
# a sibling tool, importable when run as a script
from realdata_out import Converted, SourceError, convert_pinned, main_for_clones

BIOSTRENGTH = "lzoffoli-tg/labanalysis"
GIMBAL = "ftessari23/GimbalForceAnalysis"
ELDERLY = "hermescb/Electromyography-and-Dynamometry-of-the-Lower-Limb-of-the-Elderly"
#: repository -> the commit its files were labelled at, in the order of the command line
COMMITS: dict[str, str] = {
    BIOSTRENGTH: "64dad336f845ce67930f47bfc4353ed96afcf313",
    GIMBAL: "1f16c4146159ecc06c53d46b6236357f3882084e",
    ELDERLY: "f35f0d178837e758ab0d1669ec2c5bb3b56b7e29",
}
G = 9.80665  # N per kgf
N_PER_LBF = 4.44822  # the gimbal repository's own factor (main.m, sN)
LEGPRESS_KGF = (1.246048, -23.594744 + 9.0 + 0.17 * 85)  # labanalysis LegPressREV: kgf = a * torque + b
GIMBAL_RATE = 50.0  # Hz, main.m's fs
GIMBAL_TARE_ROWS = 10  # the arm at rest: the first 0.2 s
ELDERLY_RATE = 2000.0  # Hz, the synchronised EMG's rate


def convert_biostrength(data: bytes, what: str = "the Biostrength log") -> list[tuple[float, float]]:
    """(seconds, force N) of a Biostrength leg press log: its time column and ``UserTorque(Nm)`` as the
    repository's ``LegPressREV`` reader turns it into kgf, in newtons."""
    lines = [ln for ln in data.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    if not lines or lines[0].split("|")[2:3] != ["UserTorque(Nm)"]:
        raise SourceError(f"{what} is no Biostrength log: its first line names no UserTorque(Nm) third")
    width = len(lines[0].split("|"))
    rows: list[tuple[float, float]] = []
    for n, ln in enumerate(lines[1:], start=2):
        cells = ln.split("|")
        try:
            if len(cells) != width:
                raise ValueError
            t, torque = float(cells[0]), float(cells[2])
        except ValueError:
            raise SourceError(f"{what}: line {n} is no row of {width} cells with a time and torque") from None
        rows.append((t, (LEGPRESS_KGF[0] * torque + LEGPRESS_KGF[1]) * G))
    if not rows:
        raise SourceError(f"{what} has no rows below its UserTorque(Nm) header line")
    return rows


def convert_gimbal(data: bytes, what: str = "the gimbal's force file") -> list[tuple[float, float]]:
    """(seconds, force N) of a gimbal force/torque file: the n-th row at n/50 s, the magnitude of
    (Fx, Fy, Fz) (lbf) less each component's median over the first ``GIMBAL_TARE_ROWS`` rows."""
    lines = [ln for ln in data.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    if not lines or not lines[0].replace(" ", "").startswith("Fx[N],Fy[N],Fz[N]"):
        raise SourceError(f"{what} is no gimbal force file: no Fx [N], Fy [N], Fz [N] header")
    xyz: list[tuple[float, float, float]] = []
    for n, ln in enumerate(lines[1:], start=2):
        try:
            fx, fy, fz = (float(c) for c in ln.split(",")[:3])
        except ValueError:
            raise SourceError(f"{what}: line {n} ({ln.strip()!r}) is no row of numbers") from None
        xyz.append((fx, fy, fz))
    if len(xyz) <= GIMBAL_TARE_ROWS:
        raise SourceError(f"{what} has {len(xyz)} rows, too few to tare on its first {GIMBAL_TARE_ROWS}")
    tare = [statistics.median(r[k] for r in xyz[:GIMBAL_TARE_ROWS]) for k in range(3)]
    return [(n / GIMBAL_RATE, N_PER_LBF * math.dist(r, tare)) for n, r in enumerate(xyz)]


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_xml(book: zipfile.ZipFile, sheet: str, what: str) -> bytes:
    """The XML of the named sheet of an .xlsx (workbook -> relationship -> part)."""
    wb = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rid = next((s.get(f"{_REL}id") for s in wb.iter(f"{_MAIN}sheet") if s.get("name") == sheet), None)
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target") for r in rels.iter(f"{_PKG_REL}Relationship") if r.get("Id") == rid), None)
    if rid is None or target is None:
        raise SourceError(f"{what} has no sheet {sheet!r}")
    return book.read("xl/" + target.lstrip("/").removeprefix("xl/"))


def convert_elderly(column: str) -> Callable[[bytes, str], list[tuple[float, float]]]:
    """A converter of one ``DNM`` column (letter) of the elderly data set's workbooks: the n-th value
    (from row 1, up to the column's first empty row) at (n-1)/2000 s, kgf in newtons."""

    def convert(data: bytes, what: str = "the elderly data set's workbook") -> list[tuple[float, float]]:
        try:
            book = zipfile.ZipFile(io.BytesIO(data))
            xml = _sheet_xml(book, "DNM", what).decode("utf-8")
        except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, UnicodeDecodeError):
            raise SourceError(f"{what} is no .xlsx workbook with a DNM sheet") from None
        values: dict[int, float] = {}
        for row, value in re.findall(rf'<c r="{column}(\d+)"[^>]*>\s*<v>([^<]*)</v>', xml):
            try:
                values[int(row)] = float(value)
            except ValueError:
                said = f"{what}: cell {column}{row} of its DNM sheet ({value!r}) is no number"
                raise SourceError(said) from None
        rows: list[tuple[float, float]] = []
        while len(rows) + 1 in values:
            rows.append((len(rows) / ELDERLY_RATE, values[len(rows) + 1] * G))
        if len(rows) < 2:
            raise SourceError(f"{what} has no column {column} of readings in its DNM sheet")
        return rows

    return convert


#: name -> (repository, source path in it, its git blob SHA-1, the converter of its bytes, labels:
#: holds [start, end, level N], steps, releases, notes)
FILES: dict[str, tuple[str, str, str, Callable[[bytes, str], list[tuple[float, float]]], dict[str, Any]]] = {
    "biostrength_legpress_isometric_right_50hz": (
        BIOSTRENGTH, "test/assets/isometrictest_data/legpressrev/leg_press_rev_isom_dx.txt",
        "8636cfcd57bb9ef6694714f23ed8a609ebea9b19", convert_biostrength, {
        "holds": [[8.75, 11.55, 173.0], [12.2, 16.88, 2259.4]],
        "steps": [[11.55, "up"]],
        "releases": [16.88],
        "notes": (
            "Technogym Biostrength leg press REV, isometric test, right leg ('dx'), a test fixture of the "
            "labanalysis package. ~50 Hz, irregular (11-55 ms), time from the machine's log. Force = the "
            "package's own LegPressREV reading of UserTorque(Nm): (1.246048*torque - 0.144744) kgf * 9.80665 "
            "(the resting machine reads exactly -1.42 N); no rows dropped. The absolute scale is the "
            "repository's calibration (2260 N for one leg is plausible for a maximal leg press); the "
            "shape is the machine's. Contact onset 7.08 s (crosses 2 N); 7.1-8.7 s a bumpy arrival "
            "(80-270 N, bumps at 8.05 and 8.35 s). Hold 1 = the pre-load the subject keeps before the "
            "maximal push: 8.75-11.55 s at ~173 N (93% within +-8%, slow sag 194->155 N), a small "
            "countermovement dip to 155 N at 11.5 s. Step up at 11.55 s (onset of the rise; 2420 N "
            "overshoot at 11.7 s and the machine's ringing 1860-2280 N until 12.2 s). Hold 2 12.2-16.88 s "
            "at ~2259 N (100% within +-8%; slow sag 2290->2120 N over the last 1.3 s). Release onset "
            "16.88 s (steep fall, 0 N by 17.38 s); AMBIGUITY: alternative onset 16.6 s where the sag "
            "before the fall begins. Hold-1 start could be taken as 8.6 s (88% within) or 9.0 s; hold 2 as "
            "11.7 s if the ringing is counted as arrival tremor. 17.4-24.45 s the reading is exactly -1.42 "
            "N (foot off); at 24.48 s a new touch rises to 67 N when the file ends (0.1 s, not a hold).")}),
    "biostrength_legpress_isometric_left_50hz": (
        BIOSTRENGTH, "test/assets/isometrictest_data/legpressrev/leg_press_rev_isom_sx.txt",
        "4e53ad6c818aa1bdda71f277a2ec9b9550665ca8", convert_biostrength, {
        "holds": [[6.45, 9.15, 181.9], [9.4, 14.47, 2012.2], [21.2, 24.8, 15.6], [25.3, 38.7, 19.2]],
        "steps": [[9.15, "up"], [24.8, "up"]],
        "releases": [14.47],
        "notes": (
            "Technogym Biostrength leg press REV, isometric test, left leg ('sx'), same fixture set and "
            "conversion as the right leg (UserTorque -> (1.246048*torque - 0.144744) kgf -> N; rest reads "
            "-1.42 N); ~50 Hz irregular (11-102 ms); no rows dropped. Contact onset 5.08 s; arrival with "
            "bumps to 280 N (5.5-6.3 s). Hold 1 (pre-load) 6.45-9.15 s at ~182 N with a steady sag "
            "190->166 N (6.5-8.8 s, ~5 %/s) and a faster dip to 147 N just before the push (80% within "
            "+-8%); AMBIGUITY: alternative end 8.85 s (level 185 N) with the last 0.3 s as a pre-push "
            "countermovement. Step up at 9.15 s (onset of the rise; 2290 N overshoot at 9.3 s, dip 1906 N "
            "at 9.6 s). Hold 2 9.4-14.47 s at ~2012 N (100% within +-8%). Release onset 14.47 s (0 N by "
            "15.3 s, a 150-N shoulder at 15.1-15.2 s). AFTER THE TEST the foot stays on the plate: from "
            "16.25 s the reading is 10-25 N with jolts (16.3 s 41 N, 20.0 and 20.5 s 47 N, 24.85 s 29 N). I "
            "label two light-contact holds by the letter of the contract (contact above 2 N, +-8% over "
            ">=1.5 s, slow drift allowed): 21.2-24.8 s at ~15.6 N (drifting 14.2->17.2 N, 80% within) and "
            "25.3-38.7 s at ~19.2 N (to 33.9 s 91% within +-8%, 97% smoothed; then drift/wobble to 25 N; "
            "the file ends at 38.7 s in contact: end of data), with a step up at 24.8 s (the jolt, "
            "15.6->19.2 N, +23%). AMBIGUITY: these are <1.3% of the test force and a resting foot; "
            "defensible alternatives are no holds after the release, one drifting light hold 21.2-38.7 s "
            "(~18.7 N, only 56% within +-8%), or hold 2 of the light pair ending 'left' at 37.75 s (jump "
            "to 25 N).")}),
    "gimbal_mvf_s2_pre_50hz": (
        GIMBAL, "Data/Subject2/S2_MVF_i.txt", "613cd95ea6cddf641e7c803a5ffd85496dbfcf26", convert_gimbal, {
        "holds": [[1.05, 6.66, 116.5]],
        "steps": [],
        "releases": [],
        "notes": (
            "Gimbal experiment (MIT, arm force on an ATI force/torque sensor in a gimbal): subject 2's "
            "initial maximal voluntary force push ('MVF_i'), 334 rows at 50 Hz (no time column; t = n/50 s "
            "per main.m's fs). Force = |(Fx,Fy,Fz) - median of rows 0-9| * 4.44822 (the columns are lbf "
            "although headed [N]; main.m scales them); the raw sensor rests at 0.75 lbf (3.3 N), which the "
            "tare removes (rest 0.1-0.3 N). Contact onset ~0.45 s (2 N at 0.43 s), rise to ~107 N by "
            "1.0 s. One hold 1.05-6.66 s at ~116.5 N (95% within +-8%), slowly creeping up 108->121 N "
            "(+10% over 5.6 s, slow drift: no step), dip to 105 N at 1.8 s. The file ends while the "
            "subject still pushes: no release (end of data). AMBIGUITY: hold start 1.0 s (first within "
            "8.4%) or 0.95 s; a reading with a ~110 N hold 1.0-2.5 s and a ~118 N hold afterwards is not "
            "a step (+7%).")}),
    "gimbal_mvf_s8_post_50hz": (
        GIMBAL, "Data/Subject8/S8_MVF_f.txt", "21e9cf4e78bdbd26135bf25e80a446eea5eb7a0c", convert_gimbal, {
        "holds": [[1.4, 6.66, 153.9]],
        "steps": [],
        "releases": [],
        "notes": (
            "Gimbal experiment, subject 8's final maximal push ('MVF_f', after the task trials), 334 rows "
            "at 50 Hz, same conversion (lbf -> N, components tared on rows 0-9, magnitude). The arm rests "
            "with 1-3 N before the push (0.15-0.55 s, partly above the 2-N contact threshold: light "
            "contact, not a hold). Fast rise at 0.57 s to a 145-N overshoot at 0.8 s, then two undershoots "
            "(125 N at 0.95 s, 126 N at 1.3 s) before the force settles. Hold 1.4-6.66 s at ~154 N (97% "
            "within +-8%; 165 N at 2.95 s, sagging to ~147 N over the last 1.2 s), ended only by the end "
            "of the file: no release. AMBIGUITY: the hold can be started at 0.75 s (first within +-8% of "
            "154 N) if the two -18% undershoots (each <0.3 s, back within 1 s) are taken as arrival "
            "wobble inside the hold (86% within then).")}),
    "gimbal_mvf_s1_pre_50hz": (
        GIMBAL, "Data/Subject1/S1_MVF_i.txt", "7cbfce913077030a16dd6bfad5ed7fd35e24aa9a", convert_gimbal, {
        "holds": [[1.65, 6.78, 102.8]],
        "steps": [],
        "releases": [],
        "notes": (
            "Gimbal experiment, subject 1's initial maximal push ('MVF_i'), 340 rows at 50 Hz, same "
            "conversion (lbf -> N, tare on rows 0-9, magnitude). Contact onset ~0.45 s; a fast rise to 76 "
            "N at 0.8 s, then a slow climb to the plateau (78 N 0.95 s, shelf ~91-92 N 1.25-1.55 s, 103 N "
            "at 2.0 s). Hold 1.65-6.78 s at ~103 N (99% within +-8%; wobble 94-111 N: 95 N at 5.3 s, 110 N "
            "at 6.2 s). File ends pushing: no release. AMBIGUITY: the slow climb 0.8-2.0 s (+35%) is the "
            "arrival, not a step, because nothing before it is held 1.5 s (the 76-N knee lasts 0.15 s, the "
            "92-N shelf 0.3 s); hold start could be put at 2.0 s where the climb ends (level 103 N).")}),
    "elderly_knee_extension_id2_2000hz": (
        ELDERLY, "ID 2.xlsx", "e515976011d24c8f393caa83cdd48b2af80bb4b4", convert_elderly("A"), {
        "holds": [[0.95, 8.12, 176.8]],
        "steps": [],
        "releases": [8.12],
        "notes": (
            "Elderly lower-limb data set (CC0): volunteer 2, knee extension ('DNM' column 1, vastus "
            "lateralis test: seated, strap at the ankle, 'stretch the knee and maintain for 10 s'), load "
            "cell read as kgf * 9.80665, t = (row-1)/2000 s (assumed: the rate of the synchronised EMG; "
            "20001 rows = the protocol's 10 s); no tare (the leg ends at 0 +- 2 N). The file starts "
            "mid-rise at 102 N (no contact onset in the file), climbs with shelves (130-140 N 0.3-0.55 s, "
            "152 N 0.75 s) to ~170 N at 1.0 s. Hold 0.95-8.12 s at ~177 N (98% within +-8%; a hump to "
            "188-194 N 2.3-3.3 s). Release onset 8.12 s: 175 -> 53 N by 8.5 s, then a slow tail (below 15% "
            "of the hold = 26.5 N from 8.72 s, ~2 N from 9.4 s). AMBIGUITY: hold start 1.0 s (level "
            "reached) or 0.9 s; the hump could be read as a +7% wander (no step either way).")}),
    "elderly_knee_extension_id14_2000hz": (
        ELDERLY, "ID 14.xlsx", "09d4add870ce917b19cfe757e4752a1ba64f5e08", convert_elderly("A"), {
        "holds": [[3.5, 5.45, 168.2], [5.9, 10.0, 146.6]],
        "steps": [[5.45, "down"]],
        "releases": [],
        "notes": (
            "Elderly data set (CC0), volunteer 14, knee extension (column 1), kgf -> N, 2000 Hz assumed, "
            "no tare. Starts at 57 N mid-rise; a first peak 141 N at 0.55-0.75 s (0.3 s, not a hold), a "
            "sag to 100 N at 1.8 s (-29% in 1.1 s), a second effort to a 199-N peak at 2.9-3.1 s that "
            "settles to ~170 N by 3.8 s. Hold 1 3.5-5.45 s at ~168 N (100% within +-8%). From 4.3 s the "
            "force fades (171 -> 163 N by 4.8 s, a plateau, then 162 -> 150 N 5.4-6.0 s) and stays at "
            "~147 N (5.9-10.0 s, 98% within +-8% incl. a dip to 135 N at 7.4 s and recovery), ended by "
            "the end of the file (still pushing, no release). I label a SLOW STEP DOWN at 5.45 s (-13%, "
            "settled within ~0.5-1.5 s, steady >3 s afterwards: the relative-band slow-step rule). "
            "AMBIGUITY: the same trace read as one fatigue-drifting hold 3.5-10 s (~149 N, 66% within "
            "+-8%, drift ~6 %/s, no step) is defensible; the step onset could be 4.3 s (start of the fade) "
            "instead of 5.45 s.")}),
    "elderly_knee_extension_id19_2000hz": (
        ELDERLY, "ID 19.xlsx", "05af094d7b026bb80514d30cd8688b0b42883f4f", convert_elderly("A"), {
        "holds": [[1.75, 4.45, 154.1], [5.6, 8.65, 131.4]],
        "steps": [[4.45, "down"]],
        "releases": [],
        "notes": (
            "Elderly data set (CC0), volunteer 19, knee extension (column 1), kgf -> N, 2000 Hz assumed, "
            "no tare. Rest at -1.5..0 N (0-0.35 s); contact onset 0.38 s (2 N at 0.40 s); a shelf at ~18 N "
            "0.5-0.75 s (0.25 s, not a hold), a steady ramp to 160 N at 1.75 s. Hold 1 1.75-4.45 s at "
            "~154 N (100% within +-8%, slow sag 161->148 N). Fatigue fade 148 -> 132 N over 4.45-5.6 s "
            "(~-7 %/s); hold 2 5.6-8.65 s at ~131 N (99% within +-8%, 3.05 s). I label a SLOW STEP DOWN at "
            "4.45 s (-15%, steady 3 s afterwards: relative-band slow-step rule). From 8.65 s the force "
            "rises again to 152 N at 9.9 s (+16% in 1.25 s) and the file ends (no new hold, no "
            "release): hold 2 ends there ('left' or end of data). AMBIGUITY: one fatigue-drifting hold "
            "1.75-10 s (~140 N, 66% within +-8%, drift <10 %/s, no step) is the other defensible reading; "
            "hold 2 may be taken to run to the end of the data.")}),
    "elderly_knee_extension_id26_2000hz": (
        ELDERLY, "ID 26.xlsx", "9621579bbaa0a02ddcbeec74922ac0763c411c66", convert_elderly("A"), {
        "holds": [[4.95, 10.0, 276.2]],
        "steps": [],
        "releases": [],
        "notes": (
            "Elderly data set (CC0), volunteer 26, knee extension (column 1), kgf -> N, 2000 Hz assumed, "
            "no tare. A messy effort (the strongest volunteer): starts loaded at ~332 N (0-0.3 s), "
            "collapses to 138 N at 0.47 s (-58%, still in contact), climbs slowly 150 -> 260 N (0.5-1.9 s), "
            "a burst to 324 N at 2.0 s (0.35 s), ~255 N 2.3-3.62 s (bump 278 N at 3.45 s), a second burst "
            "3.62-4.45 s up to 441 N (a 0.4-s plateau at 425-441 N) that drops abruptly to 222 N at 4.56 "
            "s, ~231 N to 4.75 s, then the final hold 4.95-10.0 s at ~276 N (95% within +-8%; 250 -> 301 N "
            "rise at 5.5-6.0 s, ~275-290 N after), ended by the end of the file (no release). No steps: "
            "nothing before 4.95 s is held 1.5 s (the ~255-N stretch lasts 1.32 s). AMBIGUITY: (a) a hold "
            "1.25-3.62 s at ~257 N that tolerates the 0.35-s burst at 2.0 s as a departure back within "
            "1 s (84% within +-8%), ended 'left' at 3.62 s (the 0.85-s burst to 441 N comes back only to "
            "-10%); (b) one hold 2.3-10 s at ~274 N with both bursts inside (74% within); the +8% "
            "difference between ~255 and ~276 N is no step in any reading.")}),
    "elderly_plantar_flexion_id9_2000hz": (
        ELDERLY, "ID 9.xlsx", "3ff1c6763a49c7279df8384c60f53b2c913a62f5", convert_elderly("D"), {
        "holds": [[3.3, 5.25, 168.2], [5.9, 10.0, 215.7]],
        "steps": [[5.25, "up"]],
        "releases": [],
        "notes": (
            "Elderly data set (CC0), volunteer 9, plantar flexion (column 4, lateral gastrocnemius test: "
            "supine, strap at the foot, 'bring the tip of the foot down and maintain 10 s'), kgf -> N, "
            "2000 Hz assumed, no tare. 0-0.75 s a flat 37.6 N: the strap's pre-tension (contact from the "
            "file start, 0.75 s, not a hold). Rise 0.75-1.75 s to 211 N, shelf 211 N 1.75-1.95 s, 222 N "
            "2.0-2.35 s, then the force fades 222 -> 170 N (2.35-3.4 s, ~-20 %/s: too fast and too short a "
            "plateau for a hold at ~211 N, 1.25 s within +-8%). Hold 1 3.3-5.25 s at ~168 N (100% within "
            "+-8%). Step up at 5.25 s: 170 -> 208 N by 5.9 s with a shelf at ~182 N (5.5-5.7 s), +28% "
            "in 0.65 s. Hold 2 5.9-10.0 s at ~216 N (100% within +-8%), ended by the end of the file (no "
            "release). AMBIGUITY: the 1.7-2.9 s plateau (~211 N, 1.25 s) is just short of a hold (a "
            "reading with a hold there and a step down at ~2.35 s stretches the 1.5-s minimum); hold-1 "
            "start 3.5 s (level reached) is equally defensible.")}),
    "elderly_plantar_flexion_id11_2000hz": (
        ELDERLY, "ID 11.xlsx", "bf4bcdc00fd5996e9361e4abe20105d5cf952973", convert_elderly("D"), {
        "holds": [[1.2, 6.05, 255.7]],
        "steps": [],
        "releases": [],
        "notes": (
            "Elderly data set (CC0), volunteer 11, plantar flexion (column 4), kgf -> N, 2000 Hz assumed, "
            "no tare. Starts mid-rise at 136 N, a knee at ~213 N 0.45-0.9 s (0.45 s), rises to ~255 N by "
            "1.6 s. Hold 1.2-6.05 s at ~256 N (100% within +-8%; 262 N at 3.4-4.3 s, sag to 244 N by "
            "6.0 s). At 6.05 s a quick drop to 228 N (0.15 s) and a 1.15-s shelf at ~224 N (6.2-7.35 s), "
            "then a steady decline 220 -> 148 N (7.35-10.0 s, ~12 %/s of the shelf level) until the file "
            "ends in contact: the hold ends 'left' at 6.05 s (-12.5% below its level, not back within "
            "1 s, no new hold of 1.5 s). No release (never below 15%), no step. AMBIGUITY: the hold can be "
            "run on to 7.35 s (start of the decline) if the -6% drop at 6.05 s is taken as part of a slow "
            "sag (91% within +-8% over 1.2-6.6 s); or split into ~258 N (1.2-4.9 s) and ~230 N (4.9-7.5 "
            "s, 2.6 s, 88% within) with a slow step down of -11%, near the step threshold.")}),
}


def convert_all(clones: Mapping[str, Path]) -> dict[str, Converted]:
    """Every labelled file, from the clone of its repository in ``clones`` (repository -> clone),
    checked to be the bytes that were labelled, converted."""
    files = {name: (repository, path, sha, convert, {"time_column": "t_s", **labels})
             for name, (repository, path, sha, convert, labels) in FILES.items()}
    return convert_pinned(clones, COMMITS, files)


def main(argv: list[str] | None = None) -> int:
    """The command line: as ``extra_realdata``'s (everything converted first, a ``SourceError`` one line
    on stderr and exit status 2 with nothing written), with a clone of each of the three repositories."""
    return main_for_clones("realdata_set6", __doc__, argv, list(COMMITS), convert_all)


if __name__ == "__main__":
    sys.exit(main())
