#!/usr/bin/env python
"""Five real Tindeq Progressor sessions, hand-labelled, for ``score_detection.py --realdata``.

The recordings are not ours to copy (repository ``SantiCiri/climbers_tindeq_asessment``, commit
``86334348d7ae90bea0cc579da111f975371e10c0``, no licence file, the data folders gone from later
commits): a climbing finger-strength gauge at ~88 samples/s, exported by the Tindeq app as CSV --
optionally a summary block (``date,tag,comment,unit,...``, one row, a blank row), then ``time,weight``
rows (s on the file's own clock, kg). This converts them from a clone or mirror of that repository,
read by the package's own reader (kg to N; times unchanged; a summary block, whose tag carries the ID
below, is dropped), and writes ``OUT/NAME.csv`` (``t_s,force_N``) with the labels below beside each
(``NAME.labels.json``).

The source folders are named by a number that looks like a personal ID, which stays out of this
project: each source is named by a pattern with that part as ``*``, matched (exactly once) against
the files at the commit (or the work tree's), and checked against its git blob SHA-1, so different
data fail here rather than scoring against labels read from other data.

The labels were read from plots of the raw force before any detector ran on these files (by a
helper, stop 26), by the contract's Definitions; each note names the ambiguities and the other
defensible reading. They are one careful reading, not an oracle.

Usage: python tools/tindeq_realdata.py REPO_DIR OUT_DIR
       python tools/score_detection.py --realdata OUT_DIR
REPO_DIR is a work tree of the repository, or a bare/mirror git directory (read with ``git show``).
"""

from __future__ import annotations

import hashlib
import os
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# a sibling tool, importable when run as a script
from realdata_out import Converted, SourceError, git, main_for, read_rows, source

REPOSITORY = "SantiCiri/climbers_tindeq_asessment"
COMMIT = "86334348d7ae90bea0cc579da111f975371e10c0"

#: name -> (source pattern in the repository, its git blob SHA-1, labels: holds [start, end, level N],
#: steps, releases, notes)
FILES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "tindeq_cfd_24x7s_8kg_88hz": (
        "*/24_05_2023/cfd/data_set_1.csv",
        "33f481bd975744c91374d3b67edf54832326ee5a", {
        "holds": [[1.7, 7.25, 80.9], [10.55, 17.0, 81.9], [20.4, 26.7, 80.5], [30.35, 36.7, 79.1],
                  [40.15, 46.75, 86.0], [50.2, 56.75, 87.7], [60.1, 66.7, 82.2], [72.3, 76.75, 73.7],
                  [80.2, 86.75, 78.2], [90.0, 96.75, 74.6], [100.3, 106.8, 74.8], [110.3, 116.7, 75.6],
                  [120.25, 127.0, 74.2], [130.25, 136.65, 76.3], [140.25, 146.9, 67.4], [150.4, 156.8, 61.0],
                  [160.4, 166.95, 64.7], [170.45, 177.05, 66.7], [180.5, 186.85, 64.0],
                  [190.75, 197.05, 65.8], [200.6, 207.4, 63.5], [211.0, 216.95, 69.6], [220.35, 226.6, 61.9],
                  [230.5, 237.26, 64.2]],
        "steps": [],
        "releases": [7.25, 17.0, 26.7, 36.75, 46.75, 56.8, 66.7, 76.75, 86.75, 96.75, 106.8, 116.7, 127.0,
                     136.65, 146.9, 156.8, 166.95, 177.05, 186.85, 197.05, 207.4, 216.95, 226.6],
        "notes": ("Tindeq Progressor (climbing force gauge, ~88 samples/s, kg converted to N) during a "
                  "'critical force' protocol: 24 pulls of ~7 s with ~3 s rest (app setting reps=24, work "
                  "7 s, pause 3 s). 24 holds at 60-88 N, each ended by a release to <5 N (23 releases); "
                  "the 24th pull is cut off by the end of the file while still at ~60 N (no release). No "
                  "steps: every level change goes through a release. Rest level between pulls creeps up "
                  "from ~0.5 N to ~4 N (hand resting on the device; light contact above 2 N from ~110 s "
                  "on) - these rests are releases, not holds of interest; a detector reporting 2-4 N "
                  "'holds' in the 3-s rests (they are 2.5-3 s long and flat) is reading the contract "
                  "literally; I do not list them because they are below/near the 2-N contact threshold. "
                  "Hold starts = first time within +-8% of the settled level; release times = onset of "
                  "the final drop (the fall to ~0 takes ~0.3 s), +-0.1 s. AMBIGUOUS: (a) arrival "
                  "overshoots that decay over 1-3 s: pull 6 (102 N at 50.5 s settling to ~87 N by 51.8 s; "
                  "alternative hold start 51.8), pull 7 (96 N spike at 60.1 s, dip 81 N at 61.2 s, 91 N "
                  "then drift down to 79 N; alternative start 61.5 s), pull 8 (92 N at 70.2-71.0 s "
                  "decaying to 73.5 N by 72.3 s at ~8 %/s; I start the hold at 72.3 s at 73.7 N - a "
                  "detector that starts it at 70.05 s at ~75 N, treating the decay as slow drift, is "
                  "defensible), pull 11 (91 N at 101 s declining to 68 N by 105.5 s, ~5 %/s, only 52% of "
                  "samples within +-8% of the median; one hold with drift, alternative: hold only from "
                  "~103.4 s at ~69 N), pull 13/14 similar smaller overshoots. (b) pull 9: a dip from ~79 "
                  "N to 58.6 N (-25%) at 82.5-83.6 s, back at level after ~1.1 s: I keep one hold "
                  "80.2-86.75 s; an alternative reading is hold 80.2-82.4 s (~79 N), the dip ends it (no "
                  "step, no release) and a new hold 83.6-86.75 s (~80 N). (c) pull 23 (220.35-226.6 s) "
                  "fades monotonically 70 -> 53 N (~4 %/s): one hold with slow drift (only 55% within "
                  "+-8% of 62 N); alternative: hold only from ~223.2 s at ~58 N. (d) last pull: 70 N at "
                  "230.5 s, peak 76 N at 231.5 s, falls to ~64 N by 233.2 s then wobbles 54-67 N (two "
                  "0.3-s dips to ~55 N at 235.6 and 236.7 s) until the file ends at 237.26 s in contact; "
                  "labelled as one hold 230.5-237.26 at 64 N (41% within +-8%: weak); alternative: hold "
                  "233.2-237.26 s at ~61.6 N, or no hold at all. No release at the end (file ends in "
                  "contact). (e) pull 1 rises in two stages (80 N at 1.7 s, dip to 70 N at 3.1 s, 85-88 N "
                  "3.5-6 s, 81 N 6.2-7.2 s): one hold 1.7-7.25 s at ~81 N; alternative start ~3.4 s at "
                  "~85 N. (f) pull 22 rises slowly (60 N at 210.5 s, 70 N at 211.4 s); hold from 211.0 s.")}),
    "tindeq_3x7s_60srest_88hz": (
        "*/08_05_2023/Isquio_Der/data_set_1.csv",
        "a4502812e0f7884d2122534754161bc823d1d159", {
        "holds": [[1.45, 7.55, 138.7], [68.1, 75.75, 142.9], [135.15, 137.5, 158.7], [137.8, 141.2, 175.1]],
        "steps": [[137.55, "up"]],
        "releases": [7.55, 75.76],
        "notes": ("Tindeq Progressor (~88 samples/s, kg -> N) on a non-finger isometric test (the source "
                  "folder is labelled as a hamstring test, right side; app setting 3 reps x 7 s work, 60 "
                  "s pause). Three pulls: 1.45-7.55 s at ~139 N, 68.1-75.75 s at ~143 N, and 135.15-141.2 "
                  "s (file ends in contact at ~182 N, so no third release). Between pulls the device "
                  "keeps ~6 N of light contact (5-7 N, with a 0-10 N disturbance at 23-27 s); after a "
                  "release that leaves light contact the contact threshold is rest + 2 N ~ 8 N, so the "
                  "50-s rests are not holds (a detector using a bare 2-N threshold would see very long ~6 "
                  "N 'holds'; I would count those as wrong but explainable). Releases: 7.55 s (force 138 "
                  "-> 127 N at 7.59 s, brief shelf, steep fall from 7.7 s; alternative 7.7 s) and 75.76 s "
                  "(154 -> 75 N by 75.99 s). Pull 1 has a 0.6-s dip 147 -> 132 N at 6.85-6.95 s (-10%): "
                  "inside the hold, not a step (the shelf after it is <1.5 s). Pre-tension before pulls 2 "
                  "and 3: 9-21 N creeping up for ~6 s (61-67.4 s) and 11-25 N (129.8-134.5 s): I do not "
                  "label these as holds (only 65% / 42% of samples within +-8% of their median); the "
                  "pulls rise out of them (onsets 67.45 s and 134.52 s), and since no hold precedes, the "
                  "rise is not a step. ALTERNATIVE: a detector may find a light hold at ~12-13 N around "
                  "62.5-65.3 s and then call the 67.45-s rise a step up - defensible by the letter but "
                  "unlikely intended. Pull 2 wobbles 125-155 N (+-10%, ~1 Hz), 89% within +-8% of 143 N: "
                  "one hold. Pull 3 AMBIGUOUS: ~159 N for 135.15-137.5 s (2.3 s, 100% within +-8%), then "
                  "rises to ~180 N by 138.1 s (onset 137.55 s), stays 172-190 N to 139.4 s, dips to 150 N "
                  "at 139.8 s and recovers to 165-182 N until the file ends at 141.2 s. By the letter "
                  "this is a hold at 159 N, a step up (+10.3%, right at the 10% threshold) at 137.55 s "
                  "and a hold 137.8-141.2 s at ~175 N (the 139.8-s dip returns within 0.4 s). "
                  "ALTERNATIVE, equally defensible: one hold 135.15-141.2 s at ~166 N (84% within +-8%) "
                  "with no step. File starts at 0.42 s already at ~8 N (light contact of unknown rest "
                  "level) for 0.5 s before pull 1 rises at 0.95 s.")}),
    "tindeq_3reps_timegap_88hz": (
        "*/24_05_2023/rot-int-izq/data_set_1.csv",
        "726afe6aa03d6dfcd39be45636908e988c566953", {
        "holds": [[70.9, 76.97, 69.6], [138.0, 144.12, 71.8]],
        "steps": [],
        "releases": [76.97],
        "notes": ("Tindeq Progressor (~88 samples/s, kg -> N); source folder is labelled as an "
                  "internal-rotation (shoulder) isometric test, left side; app setting 3 reps x 7 s, 60 s "
                  "pause. The file's clock has two gaps during the first rest (13.40 -> 15.43 s and 19.45 "
                  "-> 24.77 s, no samples; force ~1 N on both sides) - harmless for labelling but a test "
                  "of irregular timestamps. Pull 1 (0.05-7.4 s) is a RAMP, not a hold: ~3.4 N light "
                  "contact 0.1-1.0 s, creep to ~20 N by 1.9 s, wobble 9-20 N to 2.9 s, rise to 74 N at "
                  "4.2 s, dip to 66 N at 4.6 s, 72-86 N at 4.9-6.0 s, then 92-98.6 N for 6.2-7.27 s (1.07 "
                  "s, 100% within +-8% of 96 N) and let-go from 7.30 s (95 -> 38 N by 7.43 s). No stretch "
                  "reaches 1.5 s within +-8%, so no hold and, by the contract (a release ends a contact "
                  "that held), no release at ~7.3 s. ALTERNATIVE: a detector that accepts the 1.07-s top "
                  "plateau (or the 1.1-s 4.9-6.0 s stretch at ~81 N) as a hold would report a release at "
                  "7.30 s; I would count that as a near miss of the 1.5-s rule, not a gross error. Pull "
                  "2: rise onset 70.0 s (0.8 -> 60 N by 70.5 s), creeping 60 -> 67 N until ~71.2 s; hold "
                  "70.9-76.97 s at ~69.6 N (98% within +-8%; alternative start 70.6 s); release onset "
                  "76.97 s (69.5 -> 24.8 N by 77.14 s). Pull 3: rise onset 136.93 s, 62 N at 137.4 s, "
                  "peak 84-85 N at 138.3-139.1 s, then a steady fade 85 -> 62 N until the file ends in "
                  "contact at 144.12 s (~5 %/s, slow drift). Labelled as one hold 138.0-144.12 s at 71.8 "
                  "N (only 42% within +-8% of the median because of the drift). ALTERNATIVES: hold only "
                  "from 140.0 s at ~66.8 N (79% within +-8%), treating the 85-N peak as arrival "
                  "overshoot; or no hold. No release (file ends in contact). Rests: 0-2 N (0.5-1.5 N "
                  "typical), not contact.")}),
    "tindeq_30s_endurance_wobbly_88hz": (
        "*/30_04_2023/balanza/endurance_test_*_balanza_30_04_2023_18_48_28.csv",
        "565612be4d693946e2867300aa08e718fd0fbfa6", {
        "holds": [[1.85, 22.25, 260.1], [23.4, 25.7, 198.3], [26.6, 29.99, 245.1]],
        "steps": [[22.25, "down"], [25.75, "up"]],
        "releases": [],
        "notes": ("Tindeq Progressor (~88 samples/s, kg -> N), 30-s 'endurance test' export (the app "
                  "records a fixed 30-s window: the file STARTS already under load at 221 N and ENDS in "
                  "contact at 226 N, so there is no onset and no release in the file). The source folder "
                  "name ('balanza') suggests a body-weight / scale-type use; what was pulled is not "
                  "documented. 0-1.85 s: start-up 221 -> 266 -> 232 -> 253 N (1.4 s within +-8% of 251 N, "
                  "under 1.5 s): not a hold. Hold 1: 1.85-22.25 s at ~260 N (85% within +-8%, 93% within "
                  "+-10%). It contains a +13% rise at 1.6-1.9 s into a 282-N stretch (1.85-6.6 s) and a "
                  "slow fade to ~258 N (8.3-20.3 s, 100% within +-8% of 258); 282 -> 258 N is -8.5%, "
                  "under the 10% step threshold, so I read one hold with drift. ALTERNATIVE: a hold "
                  "1.85-6.6 s at ~282 N and a second 7.9-22.25 s at ~258 N with a (sub-threshold) step "
                  "down near 6.6 s - a detector doing that is borderline, not clearly wrong. Dips inside "
                  "hold 1: 241 N at 7.8 s and 230 N at 20.9 s (each <0.6 s, back within 1 s). Step down, "
                  "onset 22.25 s (256 N), reaching ~200 N by 23.4 s (-24% in ~1.15 s; the 270-N bump at "
                  "21.6 s is inside hold 1; alternative onset 21.6 s). Hold 2: 23.4-25.7 s at ~198 N "
                  "(190-205 N, 100% within +-8%; 2.3 s). Step up, onset 25.75 s (200 N), 230 N at 25.95 "
                  "s, 261 N at 26.7 s (+24% in ~0.9 s). Hold 3: 26.6-29.99 s (file end, still in contact) "
                  "at ~245 N, fading 261 -> 226 N (~4 %/s, slow drift; 99% within +-8%). Overall a "
                  "'wobbly' near-maximal hold: a detector that reports a single ~250-N hold for the whole "
                  "file misses two real 24% level changes; one that splits hold 1 at ~6.6 s or at the "
                  "20.9-s dip is over-segmenting but defensible.")}),
    "tindeq_3reps_slowrise_88hz": (
        "*/29_04_2023/cfd/data_set_1.csv",
        "9411c1303728807575cfed8d0b6e4db345a2243d", {
        "holds": [[2.77, 7.05, 94.2], [10.65, 17.1, 80.9], [20.62, 26.6, 90.6]],
        "steps": [],
        "releases": [7.05, 17.1],
        "notes": ("Tindeq Progressor (~88 samples/s, kg -> N), short 'critical force' style session (app "
                  "setting 3 reps x 7 s work, 3 s pause): three pulls, the third cut off by the end of "
                  "the file. Pull 1: slow, staged arrival (rise onset ~0.4 s, 4 -> 57 N by 1.3 s, 0.3-s "
                  "shelf at ~57 N, 76 N at 2.0 s, 87 N at 2.77 s, 96 N at 3.3 s); hold 2.77-7.05 s at ~94 "
                  "N (100% within +-8%; alternative start ~3.3 s where the top is reached). No hold "
                  "before it, so the staged rise is an arrival, not a step. Release onset 7.05 s (94.8 N; "
                  "49.6 N at 7.32 s, ~1 N by 7.8 s). Pull 2: rise onset 10.31 s, hold 10.65-17.1 s at "
                  "~80.9 N (75-88 N, 99% within +-8%: a dip to 76 N at 15.9 s and a bump to 87.7 N at "
                  "16.3 s are inside the hold). Release onset 17.1 s: the force first sags slowly (79.3 N "
                  "at 17.11 -> 71.8 N at 17.32 s) and then falls steeply to ~0 by 17.7 s; alternative "
                  "onset ~17.3 s. Pull 3: rise onset 20.31 s, hold 20.62-26.6 s at ~90.6 N (84% within "
                  "+-8%; a dip to ~81 N around 24.5-25.0 s). From 26.6 s the force falls 91 -> 77 N in "
                  "0.55 s (~28 %/s) and the file ends at 27.15 s before it either comes back or settles: "
                  "by the contract the hold just ends at ~26.6 s with no step and no release. "
                  "ALTERNATIVE: hold running to the end of the file (27.15 s, 81% within +-8% of 90.5 N); "
                  "or the start of a let-go that the file does not show (no release can be labelled). "
                  "Rests: 0-1.5 N (no contact).")}),
}


def _work_tree(repo: Path) -> list[str]:
    """The files of a work tree, ``.git`` aside ([] for a bare/mirror git directory)."""
    if (repo / "HEAD").is_file() or not repo.is_dir():
        return []
    found: list[str] = []
    for root, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d != ".git"]
        found += [Path(root, n).relative_to(repo).as_posix() for n in names]
    return found


def _find(repo: Path, pattern: str, work_tree: list[str]) -> str:
    """The one file matching ``pattern``: in the work tree if it has any, else at COMMIT (``git ls-tree``)."""
    matches = [p for p in work_tree if fnmatchcase(p, pattern)]
    if not matches:
        listed = git(repo, REPOSITORY, COMMIT, "ls-tree", "-r", "-z", "--name-only", COMMIT)
        committed = listed.decode().split("\0")
        matches = [p for p in committed if fnmatchcase(p, pattern)]
    if len(matches) != 1:
        raise SourceError(f"{len(matches)} files match {pattern} in {repo} (or at commit {COMMIT[:8]}), "
                          f"not one; give a clone of {REPOSITORY}")
    return matches[0]


def blob_sha(data: bytes) -> str:
    """Git's blob SHA-1 of a file's bytes (what ``git ls-tree`` lists)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def convert(data: bytes, pattern: str) -> list[tuple[float, float]]:
    """(seconds, force N) of a Tindeq export, read by the package's reader."""
    rows, rec = read_rows(data, pattern)
    if rec.format != "tindeq":
        raise SourceError(f"{pattern} was read as {rec.format!r}, not as a Tindeq export")
    return rows


def convert_all(repo: Path) -> dict[str, Converted]:
    """Every labelled export of the clone ``repo``, checked to be the bytes that were labelled, converted."""
    converted: dict[str, Converted] = {}
    work_tree = _work_tree(repo)
    for name, (pattern, sha, labels) in FILES.items():
        data = source(repo, _find(repo, pattern, work_tree), REPOSITORY, COMMIT)
        if blob_sha(data) != sha:
            raise SourceError(f"{pattern} in {repo} is git blob {blob_sha(data)}, not {sha}: not the "
                              f"data that were labelled; give a clone of {REPOSITORY} with commit "
                              f"{COMMIT}")
        converted[name] = (convert(data, pattern), f"{REPOSITORY}@{COMMIT}:{pattern}", labels)
    return converted


def main(argv: list[str] | None = None) -> int:
    return main_for("tindeq_realdata", __doc__, argv, convert_all)


if __name__ == "__main__":
    sys.exit(main())
