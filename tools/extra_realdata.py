#!/usr/bin/env python
"""Seven more real recordings from three other sources, hand-labelled, for ``score_detection.py --realdata``.

The recordings are not ours to copy, so they are converted from the user's clones or mirrors of three
repositories, each file checked against its git blob SHA-1 at the commit below, so that different data
fail here rather than scoring against labels read from other data (none of the three states a licence):

* ``GiacomoValliPhD/Muscle_Function_from_Force`` (commit ``4976681168555fcbe52d744b8ceb3ffd65e105e5``),
  ``Sample files/Sample_*.mat``: a teaching script's two LabChart exports of a maximal voluntary
  contraction with electrically evoked twitches (``labchart_*``), one channel ``Force`` in kg at
  1000 Hz (MATLAB ``data``, ``samplerate``, ``unittext``). The n-th sample (from 0) is at n/rate s; the
  force is the reading in newtons less its median over the first 3 s: the channel was not zeroed and
  rests at 0.08-0.74 kg, which would otherwise lie at or above the contact threshold.
* ``Simon10937/Tindeq-Leaderboard`` (commit ``ca77c38fa261b53eee0e6f2f5c9174ccfa825574``),
  ``tests/fixtures/tindeq/*/*.csv``: a finger-strength gauge's (Tindeq Progressor) app exports
  (``tindeq_*``: three critical-force reps, two repeaters, a rate-of-force pull), a few summary lines,
  then ``time,weight`` (s on the device's clock, kg), ~88 Hz. The files were labelled from copies read
  through a code index, which keeps no line endings: each is pinned by its blob SHA-1 with either.
* ``csamid/build-hand-project`` (commit ``355f9df15e178642136ecba31ce22b22d395ee87``),
  ``grip-load-device/Matlab Calibration Files/4_*.txt``: a hand-rehabilitation device's load-cell
  verification logs (``futek_*``), a ``0`` line, then tab-separated ``F1 F2 F3 F4 time``; ``F3`` is
  the Futek LSB302 cell in kg (per the repository's ``verGFloadcell.m``), 100 Hz. The staircase log
  records a push as negative, so its sign is turned. The repository does not say who loaded the
  cells; the traces look hand-made (settling, tremor, a re-touch), which the notes say.

Every row is kept (each file's time only increases). This writes ``OUT/NAME.csv`` (``t_s,force_N``)
with the labels below beside each (``NAME.labels.json``). They are read here, not by the package's
reader, which takes neither a MATLAB file nor these layouts.

The labels were read from the converted force before any detector ran on these files, by the
contract's Definitions, by a helper at stop 47; each note names the source, the conversion, the
ambiguities and the other defensible reading. They are one careful reading, not an oracle: two of
them stretch the contract (``futek_grip_pulses``: a 1.48-s hold, a release after 0.85 s below 15 %,
a resting hand's 4.9 N as a hold; their notes say so).

Usage: python tools/extra_realdata.py LABCHART_REPO TINDEQ_REPO FUTEK_REPO OUT_DIR
       python tools/score_detection.py --realdata OUT_DIR
Each *_REPO is a work tree of that repository, or a bare/mirror git directory (read with ``git show``).
"""

from __future__ import annotations

import io
import statistics
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nmt_pressure.io.csvtable import is_number

sys.path.insert(0, str(Path(__file__).resolve().parent))
# a sibling tool, importable when run as a script
import tindeq_realdata
from realdata_out import Converted, SourceError, convert_pinned, main_for_clones

LABCHART = "GiacomoValliPhD/Muscle_Function_from_Force"
TINDEQ = "Simon10937/Tindeq-Leaderboard"
FUTEK = "csamid/build-hand-project"
#: repository -> the commit its files were labelled at, in the order of the command line
COMMITS: dict[str, str] = {
    LABCHART: "4976681168555fcbe52d744b8ceb3ffd65e105e5",
    TINDEQ: "ca77c38fa261b53eee0e6f2f5c9174ccfa825574",
    FUTEK: "355f9df15e178642136ecba31ce22b22d395ee87",
}
G = 9.80665  # N per kg (standard gravity, as the package's reader takes kg)
TARE_S = 3.0  # a LabChart channel's zero: the median of its first seconds (no one pulling yet)


def convert_labchart(data: bytes, what: str = "the LabChart export") -> list[tuple[float, float]]:
    """(seconds, force N) of a LabChart MATLAB export of one block of one channel in kg: the n-th
    sample at n / ``samplerate`` s, in newtons less their median over the first ``TARE_S``."""
    from scipy.io import loadmat  # (a dependency of the package; only this converter needs it)
    from scipy.io.matlab import MatReadError

    try:
        mat = loadmat(io.BytesIO(data))
    except (MatReadError, ValueError, TypeError, OSError, NotImplementedError) as exc:
        raise SourceError(f"{what} is no MATLAB file scipy reads ({str(exc).splitlines()[0]})") from None
    try:
        kg = [float(v) for v in mat["data"].ravel()]
        rate = float(mat["samplerate"].ravel()[0])
        unit = str(mat["unittext"].ravel()[0]).strip().lower()
        blocks = mat["datastart"].size
    except (KeyError, IndexError, ValueError):
        raise SourceError(f"{what} is no LabChart export: no data, samplerate and unittext in it") from None
    if unit != "kg" or blocks != 1 or not kg or not rate > 0.0:
        raise SourceError(f"{what} is no one-block LabChart channel in kg at a known rate (unit "
                          f"{unit!r}, {blocks} blocks, {len(kg)} samples)")
    force = [v * G for v in kg]
    tare = statistics.median(f for i, f in enumerate(force) if i / rate < TARE_S)
    return [(i / rate, f - tare) for i, f in enumerate(force)]


def convert_tindeq(data: bytes, what: str = "the Tindeq app export") -> list[tuple[float, float]]:
    """(seconds, force N) of a Tindeq app export, read by the package's reader as ``tindeq_realdata``
    reads the app's exports (these put a critical-force test's median values and threshold crossings,
    or a partial export's overall averages, above the data: the reader passes over them)."""
    return tindeq_realdata.convert(data, what)


def _futek(data: bytes, what: str, sign: float) -> list[tuple[float, float]]:
    """(seconds, force N) of the grip-load device's log: ``time`` and ``sign`` times ``F3`` (kg)."""
    lines = [ln for ln in data.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    at = next((i for i, ln in enumerate(lines) if ln.split() == ["F1", "F2", "F3", "F4", "time"]), None)
    if at is None:
        raise SourceError(f"{what} is no grip-load device log: no F1 F2 F3 F4 time line above its readings")
    rows: list[tuple[float, float]] = []
    for n, ln in enumerate(lines[at + 1:], start=at + 2):
        cells = ln.split()
        if len(cells) != 5 or not all(is_number(c) for c in cells):
            raise SourceError(f"{what}: line {n} ({ln.strip()!r}) is no row of five numbers")
        rows.append((float(cells[4]), sign * float(cells[2]) * G))
    if not rows:
        raise SourceError(f"{what} has no readings below its F1 F2 F3 F4 time line")
    return rows


def convert_futek(data: bytes, what: str = "the grip-load device's log") -> list[tuple[float, float]]:
    """(seconds, force N) of a grip-load device log that records a pull as positive."""
    return _futek(data, what, 1.0)


def convert_futek_pushes(data: bytes, what: str = "the grip-load device's log") -> list[tuple[float, float]]:
    """(seconds, force N) of a grip-load device log that records a push as negative (turned)."""
    return _futek(data, what, -1.0)


#: name -> (repository, source path in it, its git blob SHA-1s (either line ending where the copy
#: labelled kept none), the converter of its bytes, labels: holds [start, end, level N], steps,
#: releases, notes)
FILES: dict[str, tuple[str, str, tuple[str, ...], Callable[[bytes, str], list[tuple[float, float]]],
                       dict[str, Any]]] = {
    "labchart_mvc_twitch_acnoise_1000hz": (
        LABCHART, "Sample files/Sample_acNoise.mat",
        ("01ad8ce6085638dbf9a45b054a40eccbeb0bf99b",),
        convert_labchart, {
        "holds": [[4.08, 6.17, 199.0], [9.3, 12.14, 103.0]],
        "steps": [],
        "releases": [12.14],
        "notes": (
            "Maximal voluntary isometric contraction recorded with ADInstruments LabChart (channel 'Force', "
            "unit 'Kg', 1000 Hz), from a muscle-function teaching script (MViF / RFD / activation capacity by"
            " interpolated twitch). One person, one MVC with electrically evoked twitches: a superimposed "
            "twitch at ~6.17 s and ~8.76 s, and a resting (potentiated) twitch at ~15.15-15.5 s. Conversion: "
            "t = sample_index/1000 s (LabChart samplerate 1000, firstsampleoffset 0); force_N = kg*9.80665 "
            "MINUS a tare of 7.266 N (median of the first 3 s; the channel was not zeroed and rested at ~0.74"
            " kg, which would otherwise sit above the 2 N contact threshold). This file contains 50 Hz mains "
            "noise (rest baseline sd ~1.7 N, peak-to-peak ~14 N): individual raw samples exceed 2 N while "
            "nobody pushes; labels ignore that noise. Contact onset ~3.16 s. Hold 1 ~199 N 4.08-6.17 s (rises"
            " slowly 188->212->196, within +-8%). At 6.17 s the superimposed twitch (+35 N spike) is followed"
            " by a collapse to ~57 N (6.45 s); the force then wanders (~115 N 6.7-7.1, ~145 N 7.35-8.72 = "
            "1.37 s, too short for a hold; second twitch spike to 212 N at 8.8 s) and settles at ~103 N "
            "9.30-12.14 s (wobble 93-118 N). AMBIGUITY (step): I did NOT label a step 200->103 N because the "
            "change took ~3.1 s, was not monotone and the new level was held only ~2.85 s (<3 s required for "
            "a slow step); alternative reading: step down at 6.17 s since contact was never lost. Hold-2 "
            "start could also be taken as ~9.15 s (3.0 s hold). Release: decline starts 12.14 s; a short "
            "shelf at ~62 N (12.5-12.75 s, 0.25 s) before the final fall to 0 at ~13.0 s (alternative release"
            " onset 12.76 s). The resting evoked twitch at 15.15-15.5 s (peak ~108 N, <0.5 s) is a brief "
            "non-voluntary force pulse: not a hold, no release labelled.")}),
    "labchart_mvc_twitch_1000hz": (
        LABCHART, "Sample files/Sample_noNoise.mat",
        ("63077a4cb7d91f18cfa8c19239eb0da254e133f6",),
        convert_labchart, {
        "holds": [[3.96, 5.86, 577.0]],
        "steps": [],
        "releases": [6.32],
        "notes": (
            "Maximal voluntary isometric contraction, ADInstruments LabChart channel 'Force' in 'Kg', 1000 Hz"
            " (same teaching repo, second sample, no mains noise). Conversion: t = sample_index/1000 s; "
            "force_N = kg*9.80665 minus a tare of 0.796 N (median of first 3 s). Very fast rise at 3.77 s "
            "(contact onset; a small negative dip to -4 N just before), overshoot to ~617 N at 4.05 s, "
            "plateau ~550-600 N (median 577) until a superimposed twitch at 5.86 s (spike to 599 N) after "
            "which force collapses to ~131 N (6.08 s), partially recovers to ~283 N (6.30 s), then falls to 0"
            " by ~6.8 s. Hold 3.96-5.86 s. Release onset: I chose 6.32 s (start of the final monotone fall); "
            "AMBIGUITY: alternatives are 5.92 s (collapse right after the twitch, the point where voluntary "
            "force is abandoned) or 6.52 s (where the fall becomes steep). After release the tared baseline "
            "sits at +1.5..+1.9 N (offset drift, below 2 N). The resting evoked twitch at 9.55-10.3 s (peak "
            "~181 N, above 2 N for ~1 s, decaying) is not a hold and is not labelled.")}),
    "tindeq_critical_force_3reps_88hz": (
        TINDEQ, "tests/fixtures/tindeq/critical-force/critical-force.csv",
        ("37a060df33c59153a7d3a0aa65b2d0da5cf2395d",
         "64175ac9317da9b4ff4d96e98788748c7f25af6c",),
        convert_tindeq, {
        "holds": [
            [0.63, 2.37, 98.7],
            [5.22, 7.41, 125.0],
            [10.95, 12.95, 131.8],
            [13.55, 17.02, 96.6],
            [21.03, 22.65, 139.4],
            [23.45, 26.13, 116.9]],
        "steps": [[12.95, "down"], [22.65, "down"]],
        "releases": [7.41, 17.02, 26.13],
        "notes": (
            "Tindeq Progressor app export ('endurance test', Critical Force protocol 7 s work / 3 s rest; the"
            " fixture holds the first 3 reps, ~27.7 s) used as a test fixture in a Tindeq leaderboard app. "
            "One climber pulling on an edge/hangboard via the Progressor. Device clock column 'time' (s, "
            "starts at 0.054 when the app's 3 kg trigger fired), 'weight' in kg, ~88 Hz (11.35 ms, every ~9th"
            " packet gap 22.7 ms). Conversion: force_N = kg*9.80665; no rows dropped (time strictly "
            "increasing); metadata header lines skipped. Between reps the reading rests at 2-3 N "
            "(handle/sling weight or a hand left on it): hovers around the 2 N contact threshold; not "
            "labelled as holds; releases are labelled per the 'fall below 15% of the hold level' rule. Rep 1 "
            "(recording starts mid-rise at 26 N, so no contact onset in file): hold ~99 N 0.63-2.37 s "
            "including a brief bump to 110 N (2.1-2.4 s) that returns; then force sags to ~80 N (2.7-3.7 s, "
            "1.1 s, not a hold) and rises to ~131 N; hold 5.22-7.41 s with fatigue drift 133->111 N (~8%/s, "
            "treated as slow drift); release onset 7.41 s. AMBIGUITY rep 1: if the 110 N bump is taken as the"
            " departure, hold A ends at 1.98 s and is only 1.35 s (no hold). Holds A and B are in one contact"
            " but I labelled NO step: the change A->B took ~2.9 s via a dip and B lasted 2.2 s (<3 s); "
            "alternative reading: step up at ~3.75 s (onset of the rise 80->131 N). Rep 2: contact onset "
            "~9.85 s; hold ~132 N 10.95-12.95 s; fast drop 137->107 N in 0.6 s = step down at 12.95 s; hold "
            "~97 N 13.55-17.02 s (wanders 92-110 N); a dip to 87 N at 16.85 s recovers to 92 N, final drop "
            "from 17.02 s (alternative release onset 16.65 s). Rep 3: contact onset ~20.0 s; rises with "
            "overshoot to 150-153 N (21.4-21.6 s), settles ~137 N, then fades to ~117 N between 22.65 and "
            "23.45 s (~-15% in ~0.8-1.6 s, about 10-13%/s); labelled as step down at 22.65 s between holds "
            "21.03-22.65 (~139 N) and 23.45-26.13 (~117 N). AMBIGUITY: this is fatigue rather than a "
            "deliberate change; alternative = one fading hold 21.03-26.13 s at ~124 N and no step. Release "
            "onset rep 3: 26.13 s (accelerating decline 113->68 N by 26.7 s).")}),
    "tindeq_repeaters_two_reps_88hz": (
        TINDEQ, "tests/fixtures/tindeq/repeaters/partial-two-reps.csv",
        ("848e290d8dce49c9839a8075c90c5d84557026fb",
         "fd2ec3e1b4f6cfaa7bc633a169982bd54ea2650c",),
        convert_tindeq, {
        "holds": [[1.8, 9.98, 97.0], [21.85, 24.8, 98.6], [26.55, 28.75, 140.5]],
        "steps": [[24.8, "up"]],
        "releases": [9.98, 28.75],
        "notes": (
            "Tindeq Progressor app export of a 'repeaters' session (the app exported Avg/Peak 0.0 because it "
            "was partial), used as a test fixture. Columns time (s, device clock) and weight (kg), ~88 Hz. "
            "Conversion force_N = kg*9.80665; header lines skipped; no rows dropped. 0-1.05 s: ~4 N (light "
            "touch/handle before the pull, 1 s, not a hold). Rep 1: contact rise from ~1.05 s; arrives ~96 N "
            "at 1.8 s, undershoot dip to 83 N (2.3-2.9 s, returns within 1 s), then steady 96-103 N; hold "
            "1.80-9.98 s (alternative start 3.1 s after the undershoot). Slow sag 97->91 N from 9.2 s, final "
            "drop accelerates at ~10.0 s (release 9.98 s; alternative 10.24 s where it becomes steep). "
            "10.5-12.0 s: residual 1.7-2.8 N (hand/handle), then ~1.1 N rest until 19.9 s. Rep 2 is messy "
            "(regrip): rise at ~19.95 s to an overshoot ~122-135 N for only 1.1 s (20.6-21.7, not a hold), "
            "fast sag to ~107 N, then a hold with slow fatigue drift 108->90 N, 21.85-24.80 s (median 98.6 N;"
            " only 76% of samples within +-8% because of the drift; alternative: no hold here). At 24.8 s the"
            " force dips to 81 N (0.3 s) and the climber pulls harder: rise to ~145 N by 27.0 s -> step up "
            "labelled at 24.80 s (onset incl. the dip; alternative 25.1 s, bottom of the dip). Hold ~140 N "
            "26.55-28.75 s with a dip to 127 N at 27.8 s that recovers. From 28.75 s the force declines "
            "150->100 N (28.75-29.45), pauses ~0.25 s at ~100 N, then declines to 77 N (30.2) and drops "
            "steeply to ~4 N by 30.8 s. Release labelled at 28.75 s (onset of the final descent); AMBIGUITY: "
            "alternatives 29.65 s (after the brief 100 N pause) or 30.2 s (steep part). End of file 31.8 s at"
            " ~4 N (light contact).")}),
    "tindeq_rfd_pull_88hz": (
        TINDEQ, "tests/fixtures/tindeq/rfd/rfd-test-try-2.csv",
        ("b4b863f86de23b164aa6fdb9833f7d174b02a0ef",
         "080c8453da47dbc1e7c4d2ff08e992ccff47adfe",),
        convert_tindeq, {
        "holds": [[0.92, 2.52, 330.0]],
        "steps": [],
        "releases": [],
        "notes": (
            "Tindeq Progressor app export of a rate-of-force-development test ('try 2'), ~2.5 s, ~88 Hz, "
            "weight in kg; used as the RFD test fixture (the repo's oracle manifest sha256 of the fixture "
            "matches my byte-exact reconstruction with CRLF line endings). Conversion force_N = kg*9.80665; "
            "header lines skipped; no rows dropped. The file starts already loaded at ~52 N (0-0.45 s "
            "pre-tension, too short for a hold, so no step), explosive pull at 0.46 s to ~310 N by 0.9 s, "
            "then 310-343 N until the file ends at 2.52 s while still pulling. Hold 0.92-2.52 s at ~330 N, "
            "ending only because the recording ends (no release in file). AMBIGUITY: the force keeps rising "
            "slowly 0.9-1.3 s (308->333 N); if the hold is taken to start only when fully settled (~1.25 s) "
            "it lasts 1.27 s (<1.5 s) and there is no hold.")}),
    "futek_press_staircase_100hz": (
        FUTEK, "grip-load-device/Matlab Calibration Files/4_12_2022_3_na.txt",
        ("18bf5a53cadb782f3d717256678d86b2cbe397ac",),
        convert_futek_pushes, {
        "holds": [
            [4.1, 12.3, 4.4],
            [13.2, 15.55, 6.2],
            [17.2, 28.87, 8.6],
            [29.2, 31.6, 12.5],
            [35.4, 43.22, 13.6]],
        "steps": [[12.3, "up"], [15.55, "up"], [28.87, "up"]],
        "releases": [43.22],
        "notes": (
            "From a CSULB hand-rehabilitation 'grip-load device' project: file in 'Matlab Calibration Files' "
            "used by verGFloadcell.m ('verification of omega load cell against futek', y-label 'mass (kg)'). "
            "Tab text, columns F1..F4,time; I use F3 = Futek LSB302 load cell (kg, sign inverted: this file "
            "records pushes as negative), 100 Hz, time column = device/LabVIEW clock in s. Conversion: "
            "force_N = -F3*9.80665; no rows dropped. PROVENANCE CAVEAT: the repository does not say who/what "
            "applied the load; the trace (overshoot/settling on each increase, ~+-0.2 N tremor, irregular "
            "plateaus, messy two-stage release and a re-touch) looks like a person pressing the sensor stack "
            "by hand in a staircase, but dead weights cannot be fully excluded. The other channel (F1, HX711 "
            "'Omega' grip cell) lags strongly and was not used. Forces are small (4-17 N). Contact onset ~2.1"
            " s; arrival overshoot to 6.5 N settles to 4.4 N by ~4.1 s. Steps up at 12.30 s (4.4->6.2 N), "
            "15.55 s (6.2->8.6 N via a 0.9 s shelf at ~7.0 N) and 28.87 s (8.6->12.5 N). Hold 3 (17.2-28.87 "
            "s) contains a hump to 9.3-9.5 N (19.5-21.2 s) that I treat as within-hold wander (alternative: "
            "separate ~9.3 N hold 18.9-21.3 s and ~8.5 N hold 21.4-28.87 s, -9% so no step). At 31.6 s the "
            "force rises again (overshoot 17.4 N at 33.0 s, ~15.3 N 33.5-34.95 s = ~1.45 s) then eases to "
            "~13.6 N by 35.4 s: I labelled hold 4 ending at 31.60 s (departure) and hold 5 from 35.40 s with "
            "NO step (12.5 vs 13.6 N differ <10%); alternative reading: step up at 31.6 s to a ~15.3 N hold "
            "and step down at ~34.95 s. Release onset 43.22 s (12.8 N -> 1.6 N by 43.6 s); a brief re-touch "
            "to 8.5 N at 43.8-44.1 s (0.3 s, not a hold); afterwards the Futek reads -1.3 N (zero shift, "
            "below threshold).")}),
    "futek_grip_pulses_100hz": (
        FUTEK, "grip-load-device/Matlab Calibration Files/4_26_2022_2_nn.txt",
        ("6db4ae47a8597e69306e351ac76a70f006e6665d",),
        convert_futek, {
        "holds": [[15.45, 16.93, 40.6], [19.2, 21.02, 51.2], [22.7, 24.3, 4.9]],
        "steps": [],
        "releases": [16.93, 21.02],
        "notes": (
            "Same CSULB grip-load-device project, verification file 4_26_2022_2_nn.txt: F3 = Futek LSB302 "
            "channel in kg (positive here), 100 Hz, time column in s. Conversion force_N = F3*9.80665; no "
            "rows dropped. Looks like a person repeatedly pulling/squeezing the device with the hand resting "
            "on it between efforts (4-7 N light contact never drops below 2 N after 5.0 s, so the whole file "
            "is one contact). Same provenance caveat as the staircase file (repo does not describe the "
            "trial). Efforts: 6.9-11.9 s slow build-up 5->21->47 N with plateaus of only 0.7 s (~21 N) and "
            "1.23 s (~45.5 N): no hold; its drop at 11.95 s therefore has no release label (no hold preceded "
            "it). 13.1-14.1 s pulse ~33 N for ~1.0 s: no hold. Hold 15.45-16.93 s ~40.6 N (slowly rising "
            "37->44 N), release 16.93 s: force falls to ~4.3 N (<15% of the hold) but stays there only ~0.85 "
            "s before the next pull (rule asks 1 s) - AMBIGUITY, labelled as release anyway (alternative: the"
            " hold simply ends at 16.93 s with no release). Hold 19.20-21.02 s ~51 N, release 21.02 s (below "
            "15% = 7.7 N from 21.38 s; a brief 0.3 s touch to 25 N at 22.2-22.5 s, then ~4.9 N). "
            "Light-contact hold 22.70-24.30 s at ~4.9 N (hand resting; meets the +-8%/1.5 s rule, noise +-0.5"
            " N; alternative: not a meaningful hold). A similar light pre-grip 5.35-6.85 s (3.8-5.1 N, "
            "wanders more than +-8%) is NOT labelled. At 24.3 s a new pull starts (25 N when the file ends at"
            " 25.0 s) - no step/hold because it is cut off.")}),
}


def convert_all(clones: Mapping[str, Path]) -> dict[str, Converted]:
    """Every labelled file, from the clone of its repository in ``clones`` (repository -> clone),
    checked to be the bytes that were labelled, converted."""
    return convert_pinned(clones, COMMITS, FILES)


def main(argv: list[str] | None = None) -> int:
    """The command line: as ``more_realdata``'s (everything converted first, a ``SourceError`` one line
    on stderr and exit status 2 with nothing written), with a clone of each of the three repositories."""
    return main_for_clones("extra_realdata", __doc__, argv, list(COMMITS), convert_all)


if __name__ == "__main__":
    sys.exit(main())
