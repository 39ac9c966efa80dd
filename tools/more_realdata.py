#!/usr/bin/env python
"""Eleven real recordings from three other devices, hand-labelled, for ``score_detection.py --realdata``.

The recordings are not ours to copy, so they are converted from the user's clones or mirrors of three
repositories, each file checked against its git blob SHA-1 at the commit below, so that different data
fail here rather than scoring against labels read from other data:

* ``MadHuslista/madhus.project.handgrip`` (commit ``69989559e27250847bcf736826c6ebc3c9d1bc49``, no
  licence file), ``Handgrip_Analysis/data/calibration_signals/*_stage4_*.csv``: an HX711 hand-grip
  dynamometer at ~100 Hz, logged as raw counts on the device's microsecond clock (``hg_*``: three
  fast maximal squeezes, three ramp-and-holds, three sustained holds). The force is the raw count
  less its median over the first second (the unloaded grip's offset), over 27790 counts/kg, the mean
  slope of the repository's own three static calibrations (of older commits), so the absolute scale
  may be off by a few per cent; the shape and the relative levels are exact.
* ``linescaleGUI/linescaleGUI`` (commit ``b2c48224a390478ef58be7dcc841fd2cc3b425e5``, GPL-3.0),
  ``tests/inputFiles/logfile_long.csv``: a LineScale 3 tension meter's on-device log (``ls3_rope_01``),
  a header (device, date, time, ``Key=value`` settings: ``Unit=kN``, ``Speed=1280``...) then one
  reading in kN per line with no time: the n-th (from 0) is at n/1280 s.
* ``domfoo/FES-dynamometer-feedback-loop`` (commit ``d4180a23cf29d6ad9ff52396ff9d3714f8ce884e``, no
  licence file), ``csv/received_values_20260202_170103.csv``: a dynamometer in a functional electrical
  stimulation loop (``fes_dyn_01``), a ``;``-separated table written only when the value changes:
  ``UnixTimestamp`` (s) as seconds from the first row, ``CurrentKG`` (kg) in newtons.

Every row is kept (each file's time only increases). This writes ``OUT/NAME.csv`` (``t_s,force_N``)
with the labels below beside each (``NAME.labels.json``). They are read here, not by the package's
reader, which takes neither raw counts nor a log without a time column.

The labels were read from plots of the raw force before any detector ran on these files, by the
contract's Definitions, by a helper at stop 34; each note names the source, the conversion, the
ambiguities and the other defensible reading. They are one careful reading, not an oracle (one hold,
``hg_sustained_01``'s first, is labelled 1.1 s long: its note says why). Left out: the hand-grip
repository's stage 1-3 captures (the sensor at rest or under a constant bench load, no hand on it),
linescaleGUI's other logs (5-6-sample parser test stubs) and the FES repository's EMG log (no force).

Usage: python tools/more_realdata.py HANDGRIP_REPO LINESCALE_REPO FES_REPO OUT_DIR
       python tools/score_detection.py --realdata OUT_DIR
Each *_REPO is a work tree of that repository, or a bare/mirror git directory (read with ``git show``).
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nmt_pressure.io.csvtable import is_number

sys.path.insert(0, str(Path(__file__).resolve().parent))
# a sibling tool, importable when run as a script
from realdata_out import Converted, SourceError, convert_pinned, main_for_clones

HANDGRIP = "MadHuslista/madhus.project.handgrip"
LINESCALE = "linescaleGUI/linescaleGUI"
FES = "domfoo/FES-dynamometer-feedback-loop"
#: repository -> the commit its files were labelled at, in the order of the command line
COMMITS: dict[str, str] = {
    HANDGRIP: "69989559e27250847bcf736826c6ebc3c9d1bc49",
    LINESCALE: "b2c48224a390478ef58be7dcc841fd2cc3b425e5",
    FES: "d4180a23cf29d6ad9ff52396ff9d3714f8ce884e",
}
COUNTS_PER_KG = 27790.0  # the hand-grip's HX711 counts: the mean of its repository's calibrations
G = 9.80665  # N per kg (standard gravity, as the package's reader takes kg)


def handgrip_note(path: str, rest: str) -> str:
    """A hand-grip file's note: its source and conversion (alike for all nine), then ``rest``."""
    return (f"{HANDGRIP} @ {COMMITS[HANDGRIP]}, path {path}. Device: HX711-based hand-grip dynamometer "
            "(PM58 handgrip with internal load cell, Arduino Nano firmware), ~100 Hz nominal (device "
            "clock: 10 ms steps with occasional 15 ms). Converted from raw HX711 counts: force_N = (raw - "
            "median of first 1 s) / 27790 counts/kg * 9.80665; 27790 counts/kg is the mean slope of the "
            "repo's own static calibrations (Handgrip/Device_Calibration/Data/Calib.csv 28043, clb.csv "
            "27509, Production/Calibration/calib_session.csv 27819 counts/kg, older commits "
            "e26ceb4/c1aea86); absolute scale uncertain by a few %, relative shape exact. Time = "
            "device_clock_us from the file, shifted to start at 0. No rows dropped (time strictly "
            f"increasing). {rest}")


#: name -> (repository, source path in it, its git blob SHA-1, labels: holds [start, end, level N],
#: steps, releases, notes)
FILES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "hg_fastmax_01": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260402_stage4_fast_max_trial01.csv",
        "b17c6dc582b8642da3b024b4d5e3f87ffb07cc71", {
        "holds": [[6.18, 7.72, 787]],
        "steps": [],
        "releases": [7.72],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260402_stage4_fast_max_trial01.csv",
            "Protocol 'fast max': one short maximal squeeze. Rise 5.25-6.5 s (brief shoulder ~395 N "
            "at 5.55-5.65 s, 0.1 s, not a hold), peak 833 N at 6.7 s, slow decline to ~740 N, "
            "release with onset 7.72 s (the final descent starts gently at ~7.69-7.72 and turns "
            "steep at 7.78). AMBIGUITY: the plateau is marginal: force is within +-8% of 787 N only "
            "from 6.18 (entered on the rising ramp) to 7.72 = 1.54 s, with a ~-10%/s decline from "
            "the peak; the other defensible reading is NO hold (a 1.3 s peaked effort; then also no "
            "release). After release the zero drifts to about -5 N (sensor creep), not contact.")}),
    "hg_fastmax_02": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260512_stage4_fast_max_trial02.csv",
        "6bf03d3a2c21c8ed7e1fc7920c4d74d90e6c4b50", {
        "holds": [],
        "steps": [],
        "releases": [],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260512_stage4_fast_max_trial02.csv",
            "Protocol 'fast max': rise 2.0-2.35 s to ~560 N, short flat part 2.38-2.75 s (~0.4 s), "
            "then a steady ramp up to 706 N at 3.40 s and release (onset ~3.44 s). No stretch of "
            ">=1.5 s within +-8% of one level (whole contact above 500 N lasts ~1.1 s), so no hold, "
            "hence no step and no release labelled. Light touches of ~5 N before (1.0-1.5 s) and ~7 "
            "N after (3.9-4.9 s) the squeeze are not holds. Negative example.")}),
    "hg_fastmax_03": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260512_stage4_fast_max_trial03.csv",
        "5d5ab1056de28fae270a38b9fe9ae0d1badca615", {
        "holds": [[21.95, 23.57, 682]],
        "steps": [],
        "releases": [23.57],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260512_stage4_fast_max_trial03.csv",
            "Protocol 'fast max': quick rise at 20.95 s to a short shoulder ~410 N (21.2-21.45 s, "
            "0.25 s: not a hold, so the later rise is not a step), ramp to ~620 N at 21.9 s, then a "
            "plateau 640-710 N (slow creep up, ~+5%/s) until the release. Hold start 21.95 s = first "
            "sample within +-8% of 682 N on the rising ramp. Release onset 23.57 s (peak 691.7 N at "
            "23.56 s, then continuous descent, steep from 23.70 s). Hold length 1.6 s, fairly clear. "
            "A ~2 N residual after release (26.8-31 s) is post-release zero offset, not contact.")}),
    "hg_ramphold_01": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260402_stage4_ramp_hold_trial01.csv",
        "86cae42e7c16f1f6fd5e7c7f27b1bb675a69a36e", {
        "holds": [[12.12, 17.3, 735]],
        "steps": [],
        "releases": [17.3],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260402_stage4_ramp_hold_trial01.csv",
            "Protocol 'ramp then hold': light touch ~10 N with a 31 N bump at 1.8-5.2 s (never "
            "steady for 1.5 s: not a hold), slow ramp 9.3-12.1 s (with tiny shoulders at ~290 N and "
            "~480 N, <0.3 s), wobbly plateau 680-804 N from 12.1 to 17.3 s (730 N at first, dip to "
            "~685 N at 14.3 s, ~785 N at 15.6-16.2 s, peak 804 N at 17.15 s), release onset 17.30 s "
            "(the descent has a short shoulder at ~650 N around 17.5-17.6 s, then a long 2-s ramp "
            "down to ~10 N). AMBIGUITY: the plateau could be read as two holds (~725 N 12.1-14.6 s "
            "and ~780 N 15.2-17.3 s) but they differ by only ~7% (<10%), so no step; one hold. Level "
            "735 = settled level after arrival (body median 739). Residual ~2-3 N after 21.7 s is "
            "post-release zero offset, not contact.")}),
    "hg_ramphold_02": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260512_stage4_ramp_hold_trial02.csv",
        "517a48856e6c11a5db936bc835e88ae6b93ba8b2", {
        "holds": [[6.2, 11.85, 588]],
        "steps": [],
        "releases": [11.85],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260512_stage4_ramp_hold_trial02.csv",
            "Protocol 'ramp then hold': slow ramp 4.3-6.7 s, small overshoot to 645 N at 7.0-7.4 s "
            "(+9.7%, <0.5 s, returns), then ~575-605 N until 11.85 s, slow 2-s ramp down to ~5 N by "
            "14 s. Hold start 6.20 s = first sample within +-8% of 588 N (on the ramp; the overshoot "
            "is part of the arrival). Release onset 11.85 s is the start of the final continuous "
            "descent, which is very gradual at first (~-40 N/s until 12.03 s, then steeper): a "
            "defensible later onset is ~12.03 s. Alternative reading: two holds ~630 N (6.6-7.7 s) "
            "and ~585 N (7.9-11.85 s), but they differ by <10%, so one hold.")}),
    "hg_ramphold_03": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260512_stage4_ramp_hold_trial03.csv",
        "92aa4617b113f4b04f350fb06f13a50ad981948a", {
        "holds": [[5.475, 11.18, 545]],
        "steps": [],
        "releases": [11.18],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260512_stage4_ramp_hold_trial03.csv",
            "Protocol 'ramp then hold': light touch 2.3-3.6 s (5-20 N, rising: not a hold), ramp "
            "3.9-5.5 s, wobbly plateau: 580 N at 5.9-6.05 s, ~540 N 6.1-7.0 s, 592 N at 7.35 s, slow "
            "decline to ~505 N by 9.0-9.6 s, a dip to 455 N at 9.76-10.19 s (out of the +-8% band "
            "for ~0.6 s, returns within 1 s), back to 530-560 N, release onset 11.18 s. Hold start "
            "5.475 s = first sample within +-8% of 545 N on the ramp. Level 545 = settled level "
            "after arrival (body median 535). AMBIGUITY: the dip at 9.76-10.19 s (-16%) could be "
            "read as ending the hold ('left' at ~9.76 s), giving hold [5.475, 9.76, 545] and a "
            "too-short remainder (10.19-11.18 s, <1.5 s, no hold) with the release then belonging to "
            "no hold. I kept one hold because the force returns to the band in <1 s.")}),
    "hg_sustained_01": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260402_stage4_sustained_hold_trial01.csv",
        "21f58532244364b5dfa683084f28474b7196923c", {
        "holds": [[14.17, 15.27, 708], [17.26, 20.12, 495], [20.225, 25.78, 410]],
        "steps": [[15.27, 'down'], [20.12, 'down']],
        "releases": [25.78],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260402_stage4_sustained_hold_trial01.csv",
            "Protocol 'sustained hold' with a fatigue fade. Rise at 13.1 s to ~600 N, dip to 515 N "
            "at 13.85 s (arrival undershoot), up to a flat top 700-720 N at 14.4-15.27 s, then a "
            "fade (705 -> ~520 N between 15.27 and 17.3 s, ~13%/s, with a short ledge ~620 N at "
            "16.2-16.6 s), a wobbly shelf 460-540 N at 17.3-20.1 s, a quicker drop to ~400 N at "
            "20.1-20.35 s, a steady ~380-430 N shelf (bump to 468 N at 23.9-24.1 s) until release "
            "onset 25.78 s (descent with a short shoulder at ~330 N at 26.0-26.1 s). AMBIGUITIES: "
            "(1) hold 1: the force is within +-8% of 708 N from 14.17 to 15.84 s (1.67 s, qualifies) "
            "but the fade's onset (hence the step time and the hold end) is 15.27 s, so the labelled "
            "interval is only 1.1 s; a defensible alternative is no hold at 708 N (treat 13.1-17.3 s "
            "as the arrival), i.e. first hold [17.26, 20.12, 495]. (2) the 460-540 N shelf (hold 2) "
            "is wobbly (+-8% of ~495 with ~1 Hz wobble and a -13% drift); alternative: one slow step "
            "708 -> 410 N at 15.27 s (change over ~5 s, then steady >3 s) without hold 2. (3) a "
            "third reading treats the whole 14.2-25.8 s as one slowly drifting hold; I rejected it "
            "because the 15.3-17.3 s fade (~13%/s) and the 20.1-20.35 s drop are faster than 10%/s. "
            "A ~3 N residual after release (27.8-37.8 s) is post-release zero offset (sensor creep), "
            "not contact.")}),
    "hg_sustained_02": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260512_stage4_sustained_hold_trial02.csv",
        "b0b362e3d4e7f97cf902f7577ee7e2c2e6ae13c9", {
        "holds": [[4.005, 13.7, 620]],
        "steps": [],
        "releases": [13.7],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260512_stage4_sustained_hold_trial02.csv",
            "Protocol 'sustained hold': fast rise at 3.8-4.0 s, overshoot to 684 N at 4.5-4.8 s, "
            "settles ~620 N, wobbles 600-665 N until 8.1 s, then 530-625 N (slow ~-1%/s decline) "
            "until release onset 13.70 s (peak 589.5 N at 13.69 s, then a ~1.3-s ramp down). Hold "
            "start 4.005 s = first sample within +-8% of 620 N on the rise (arrival overshoot "
            "included). Level 620 = settled level after the overshoot; the body median is 603 N (use "
            "either; they differ by 3%). Alternative reading: two holds ~630 N (4.0-8.3 s) and ~583 "
            "N (8.3-13.7 s), differing by <10% -> no step. Brief excursions (665 N at 7.3 s, 528 N "
            "at 13.1 s) return within 1 s.")}),
    "hg_sustained_03": (
        HANDGRIP, "Handgrip_Analysis/data/calibration_signals/20260512_stage4_sustained_hold_trial03.csv",
        "c83dbc3c302dc143c331aedfb9895086d60cf2c9", {
        # Level: the hold's median, 427 N, as ../shared/realdata/README.md defines a label's level (the
        # rule compares the hold's mean); the labeller gave the settled level, 537 N (see the note).
        "holds": [[5.09, 19.03, 427]],
        "steps": [],
        "releases": [19.03],
        "notes": handgrip_note(
            "Handgrip_Analysis/data/calibration_signals/20260512_stage4_sustained_hold_trial03.csv",
            "Protocol 'sustained hold' with a slow fatigue drift. Rise 4.85-5.2 s, overshoot 574 N "
            "at 5.3 s, undershoot 523 N at 5.5 s, ~560 N at 6.1 s, then a slow wobbly drift down: "
            "~535 (6.5 s), ~500 (8.5 s), ~440 (10-11.8 s), bump 458 N at 12.2 s, ~390 (13.5 s), ~375 "
            "(14.5 s), ~400 (15.5 s), dip 350 N at 16.3 s, 390-420 N until release onset 19.03 s. "
            "Average drift ~4-6%/s, under the 10%/s drift limit, so I labelled ONE hold whose level "
            "is the settled level after arrival (537 N); the whole-hold median is 427 N and the "
            "force ends ~28% below 537 N. AMBIGUITY (main): the drift could instead be segmented "
            "into holds ~525 N [5.09, ~8.9], ~440 N [~9.9, ~13.0] and ~393 N [~13.1, 19.03] with "
            "slow down-steps at ~8.5 s and ~12.3 s (each -11..-16%), or the hold could be ended "
            "'left' when the force leaves +-8% of 537 N (~8.8 s). Post-release light contact 5-15 N "
            "at 20-22.3 s is unsteady, not a hold. The label's level is that median, 427 N, as "
            "../shared/realdata/README.md defines a label's level.")}),
    "ls3_rope_01": (
        LINESCALE, "tests/inputFiles/logfile_long.csv",
        "899983d56f18831420ae1f833d058e3fd7a056ed", {
        "holds": [[4.48, 8.02, 1250], [9.85, 17.999, 970]],
        "steps": [[8.02, "down"]],
        "releases": [],
        "notes": ("Source: linescaleGUI/linescaleGUI @ b2c48224a390478ef58be7dcc841fd2cc3b425e5, path "
                  "tests/inputFiles/logfile_long.csv (added in commit fdb9c85, 2023-05-14; GPL-3.0). Device: "
                  "LineScale 3 (crane-scale style tension meter) on-device log, Unit=kN, Mode=REL, "
                  "Speed=1280 Hz, Trig=0.70 kN, pre-trigger 3 s, total 18 s; 0.01 kN (10 N) resolution. "
                  "Converted: the log has no time column; t_s = sample_index/1280 from 0; force_N = kN*1000. "
                  "23040 samples, none dropped. What happens: a sudden tension load at ~2.85 s (impact peak "
                  "3.63 kN at ~3.15 s, looks like a rope/sling being shock-loaded), damped ~2 Hz ringing, "
                  "then a bouncy plateau ~1.25 kN (4.5-8.0 s), a second jolt at 8.05-8.3 s (1.75 kN), a dip "
                  "to ~0.8-0.86 kN (8.9-9.85 s), then a plateau ~0.97 kN (oscillating 0.85-1.07 kN) until "
                  "the log ends at 18.0 s still loaded (no release). Hold 1 start 4.48 s = when the ringing "
                  "has decayed into +-8% of 1250 N; it has excursions to 1.46 kN (6.47 s) and 0.93 kN (6.65 "
                  "s) that return within 0.3 s. Step down at 8.02 s = onset of the change (the jolt that "
                  "leads to the lower level). AMBIGUITIES: (1) the 8.5-9.85 s stretch at ~850 N (with a "
                  "bounce to 1000 N at 8.75 s) lasts ~1.35-1.4 s: if counted as a hold ([8.5, 9.85, 855]) "
                  "there is a step down at 8.02 to it and a step up at 9.85 to 970 N; I did not count it "
                  "(<1.5 s). (2) The ringing makes hold 1 borderline 'gliding' (swings up to +17/-25% for "
                  "fractions of a second); a reader treating it as too unsteady would keep only hold 2. (3) "
                  "Hold 2 could start at ~8.45 s if the 8.5-9.85 s low part is read as arrival undershoot. "
                  "Quantisation 10 N is below 8% of the levels, so no quantum steps arise.")}),
    "fes_dyn_01": (
        FES, "csv/received_values_20260202_170103.csv",
        "1036ea3dcffd1ea97c49afdb725faf4f7f194de8", {
        "holds": [[4.71, 52.6, 87], [56.14, 91.21, 91]],
        "steps": [],
        "releases": [91.9],
        "notes": ("Source: domfoo/FES-dynamometer-feedback-loop @ d4180a23cf29d6ad9ff52396ff9d3714f8ce884e "
                  "(file added in cdb1f2e), path csv/received_values_20260202_170103.csv (no licence file). "
                  "Device: dynamometer (load cell, readings in kg, 0.1 kg steps) in a "
                  "functional-electrical-stimulation feedback loop: column CurrentKG, target band TargetMin "
                  "8.12 / TargetMax 10.98 kg; the logger writes a row only when the value changes "
                  "(irregular, ~16 Hz during changes, silences up to 3.54 s when steady). Converted: t_s = "
                  "UnixTimestamp - first; force_N = CurrentKG*9.80665. 422 rows, none dropped. What happens: "
                  "resting preload ~35 N (0-1.1 s), push to 122 N (1.9-2.4 s, 0.8 s: not a hold), decline, a "
                  "spike to 388 N at 3.33 s (kick or artefact), decay to ~88 N by 4.7 s, then a long hold "
                  "near 87-93 N for ~87 s interrupted by ~17 short dips (to 55-75 N, each leaving the +-8% "
                  "band for 0.3-0.8 s and recovering within 1 s as the stimulator ramps current), and at the "
                  "end a let-go: drop from 88 N at 91.21 s to 53 N, a partial rebound to 66 N at 91.90 s, "
                  "then a final descent to 21 N at 92.28 s where the file ends (below the initial resting "
                  "preload). Hold split: there is a 3.54-s silence (no samples) at 52.60-56.14 s with 89.5 N "
                  "before and 88.5 N after; the contract bridges silences only up to 3 s, so I ended hold 1 "
                  "at 52.60 and started hold 2 at 56.14 (no step, no release there). ALTERNATIVE: since the "
                  "logger only writes on change, the force was probably constant during the silence; a "
                  "single hold [4.71, 91.21, 89] is defensible. Levels: time-weighted medians 87.0 N (hold "
                  "1) and 91.0 N (hold 2); hold 1 starts 4.71 s = first sample within +-8% of 87 N after the "
                  "spike's decay. END AMBIGUITY: the drop at 91.21 s does not come back to the band within 1 "
                  "s, so hold 2 ends 'left' at 91.21 s, and the release is the start of the final continuous "
                  "descent at 91.90 s; the other defensible reading is release at 91.21 s (treating the "
                  "0.35-s rebound to 66 N as part of the let-go). A strict reader could also say no release "
                  "(file ends at 21 N, above 2 N), but 21 N is below the pre-contact resting level (~35 N), "
                  "so contact is over. Other silences of 1-2.3 s inside the holds are bridged (same level "
                  "both sides).")}),
}


def _columns(data: bytes, what: str, delimiter: str, *names: str) -> list[tuple[float, ...]]:
    """The columns ``names`` of a table with a header line, as numbers, one tuple a row (blank lines
    aside); a column or a number missing is a ``SourceError`` beginning with ``what``."""
    table = csv.reader(io.StringIO(data.decode("utf-8", errors="replace")), delimiter=delimiter)
    header = [cell.strip() for cell in next(table, [])]
    missing = [n for n in names if n not in header]
    if missing:
        raise SourceError(f"{what} has no column {missing[0]} (its {delimiter!r}-separated header line "
                          f"has {', '.join(header) or 'nothing'})")
    at = [header.index(n) for n in names]
    rows: list[tuple[float, ...]] = []
    for line, row in enumerate(table, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            rows.append(tuple(float(row[i]) for i in at))
        except (IndexError, ValueError):
            raise SourceError(f"{what}: line {line} has no number in one of {', '.join(names)}") from None
    if not rows:
        raise SourceError(f"{what} has no rows below its header line")
    return rows


def convert_handgrip(data: bytes, what: str = "the hand-grip logger's file") -> list[tuple[float, float]]:
    """(seconds from the first sample, force N) of the hand-grip logger's CSV: ``device_clock_us`` as
    seconds from the first, ``target_raw_count`` less the median of the samples less than 1 s after
    the first, over ``COUNTS_PER_KG``."""
    rows = _columns(data, what, ",", "device_clock_us", "target_raw_count")
    # Each clock reading in seconds, then the first's subtracted, as the labelled set was converted: a
    # sample exactly 1 s after the first falls in or out of the first second by that rounding (in for
    # 20260402_stage4_sustained_hold_trial01, out for the three 20260512 *_trial03), which moves the
    # offset by 1.5-4 counts (up to 1.4 mN).
    t0 = rows[0][0] / 1e6
    t = [us / 1e6 - t0 for us, _ in rows]
    zero = statistics.median(raw for s, (_, raw) in zip(t, rows, strict=True) if s < 1.0)
    return [(s, (raw - zero) / COUNTS_PER_KG * G) for s, (_, raw) in zip(t, rows, strict=True)]


def convert_linescale(data: bytes, what: str = "the LineScale log") -> list[tuple[float, float]]:
    """(seconds, force N) of a LineScale on-device log: the readings below its header (the lines up to
    the first number), the n-th at n / ``Speed`` s, in the header's ``Unit``, which must be kN."""
    lines = [ln.strip() for ln in data.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    n = next((i for i, ln in enumerate(lines) if is_number(ln)), len(lines))
    settings = dict(ln.split("=", 1) for ln in lines[:n] if "=" in ln)
    if settings.get("Unit") != "kN" or not settings.get("Speed", "").isdigit() or n == len(lines):
        raise SourceError(f"{what} is no LineScale log in kN: no header with Unit=kN and Speed=<Hz> above "
                          "its readings")
    rate = int(settings["Speed"])
    kn: list[float] = []
    for i, ln in enumerate(lines[n:]):
        if not is_number(ln):
            raise SourceError(f"{what}: reading {i} ({ln!r}) is no number")
        kn.append(float(ln))
    return [(i / rate, v * 1000.0) for i, v in enumerate(kn)]


def convert_fes(data: bytes, what: str = "the FES loop's log") -> list[tuple[float, float]]:
    """(seconds from the first row, force N) of the FES loop's ``;``-separated log: ``UnixTimestamp``
    (s) less the first, ``CurrentKG`` in newtons."""
    rows = _columns(data, what, ";", "UnixTimestamp", "CurrentKG")
    t0 = rows[0][0]
    return [(t - t0, kg * G) for t, kg in rows]


#: repository -> the converter of its files' bytes (and the path, for messages)
CONVERTERS: dict[str, Callable[[bytes, str], list[tuple[float, float]]]] = {
    HANDGRIP: convert_handgrip, LINESCALE: convert_linescale, FES: convert_fes}


def convert_all(clones: Mapping[str, Path]) -> dict[str, Converted]:
    """Every labelled file, from the clone of its repository in ``clones`` (repository -> clone),
    checked to be the bytes that were labelled, converted."""
    files = {name: (repository, path, sha, CONVERTERS[repository], labels)
             for name, (repository, path, sha, labels) in FILES.items()}
    return convert_pinned(clones, COMMITS, files)


def main(argv: list[str] | None = None) -> int:
    """The command line: as the other converters' (everything converted first, a ``SourceError`` one
    line on stderr and exit status 2 with nothing written), with a clone of each of the three
    repositories (``realdata_out.main_for_clones``)."""
    return main_for_clones("more_realdata", __doc__, argv, list(COMMITS), convert_all)


if __name__ == "__main__":
    sys.exit(main())
