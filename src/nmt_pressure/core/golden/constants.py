"""The golden model's constants: states, and every threshold with its unit and why (``docs/DETECTION.md``).

The compiled core reads these at import, so the two cannot disagree on a number.
"""

from __future__ import annotations

import math

# Detector states.
IDLE, CONTACT, HOLD = 0, 1, 2
# Sub-states inside a hold: steady, or an excursion being classified (step, release, departure, drift).
STEADY, MOVING = 0, 1
# Band states.
B_IN, B_HIGH, B_LOW = 0, 1, -1

#: The rate of the force is its change over this span (s), and the reference follows the force as
#: it was this long ago; also the noise allowance of the rate and the fade test of a release's onset.
VEL_SPAN = 0.25
#: ... the change of the force averaged over the last VEL_MEAN (s): one cycle of the slowest hand
#: tremor (3 Hz), so a periodic tremor of 3 Hz or faster, which the 4-Hz low-pass barely touches
#: at its low end, averages out (a ramp's rate is measured exactly). The same average dates a
#: change's 20-80 % span and tells a fall through the level from a return to it.
VEL_MEAN = 1.0 / 3.0
#: The rate so measured trails the force by about this much (s): half the span plus half the mean.
RATE_LAG = 0.5 * (VEL_SPAN + VEL_MEAN)
#: The contract's drift limit (fraction of the level per second): "slow drift (under ~10 %/s)". A slow
#: excursion whose averaged rate reached it may be a fast step the (lagging) rate test has not seen:
#: its band events are held back until it can no longer be one.
DRIFT_MAX = 0.10
#: A slow excursion's band exit is held back as a fast one's when the force averaged over VEL_MEAN
#: has moved over the last BRISK_SPAN seconds by more than a drift can (DRIFT_MAX), its noise and a
#: quantum aside: on a noisy light hold the rate test's jitter floor can exceed a fast step's rate
#: (tremor and sensor noise move the 0.25-s rate as far), but not its displacement over 0.5 s.
BRISK_SPAN = 0.5
#: A fast step's first movement is its lead-in (the step dated where that began) only if it went the
#: step's way and covered at least this share of the change by the fast part's onset: a stair of
#: the step, not the hold's own wander or sag, nor a dip before a push (failure mode 55).
LEAD_SHARE = 0.25
#: A movement has ended when the rate stayed low this long (s).
SETTLE_TIME = 0.15
#: How long after the latest moment a fast step could have completed a new hold may still take to
#: qualify (s): a step completes within ``step_max_duration``, and its hold needs ``min_hold`` more.
PENDING_SLACK = 1.0
#: The jitter and reference trackers learn only while the rate stays under this fraction of the step
#: rate threshold: a smooth movement that is building must not raise the bar it is measured against.
LEARN_FRAC = 0.5
#: A coarse sensor's reading jumps by whole quanta: a step must change the level by this many quanta.
STEP_QUANTA = 1.5
#: A reading is within half a quantum of the force it quantises: the steady band allows this many
#: quanta for it (a whole quantum let a 3-4 % quantum's 8 % band reach an 11-12 % step).
WIDE_QUANTA = 0.5
#: A change is fast (a step in either band mode) when it went from 20 % to 80 % of the way within
#: this fraction of ``step_max_duration``: a minimum-jerk move spends 0.35 of its time there, a
#: raised cosine 0.41, a straight line 0.6; 0.45 lets any smooth hand movement completed within
#: ``step_max_duration`` count, with a little room for tremor on the way.
SPAN_20_80 = 0.45
#: A slow step's "steady at the new level for slow_step_hold" is timed from a close arrival, so the
#: tail of the ease itself, though near the new level, does not count towards it.
SLOW_ARRIVAL = 0.01
#: ... and held flat at the end: the two halves of the last min_hold differ by at most this
#: fraction of the level (about 1.3 %/s at the default min_hold; a drift turning back is faster).
FLAT = 0.01
#: A slow step's slow_step_hold must not pass over a peak: its middle third beyond both others (away
#: from the old level) and beyond their mean by more than TURN_PEAK of the thirds' flatness
#: tolerance. A 2 %/s drift's turn stands about 0.7 of its rate (1.4 %) out in the thirds' means,
#: and the range test alone lets much of it pass within FLAT.
TURN_PEAK = 0.3
#: ... or, once the new level has been held this many slow_step_hold, by thirds of that longer window
#: within LONG_FLAT: the same drift rate as FLAT over slow_step_hold's thirds (0.5 %/s between the outer
#: thirds' centres), with means over 2 s instead of 1. A hand whose 1-s means waver by a percent and
#: more (motor noise under 4 Hz, wander) keeps every 3-s window past FLAT for as long as it holds the
#: new barrier, and the old hold ran on through it. A drift spreads the longer window's thirds twice
#: as far, as its tolerance is twice as wide; a waver, averaged over 2 s, less. (Blind generator,
#: seeds 1-8: 22 of its 44 missed steps were such eases, their new level held 8-19 s; this finds 4,
#: and no false step more.
#: 1.5 or 2.5 times the window, or 3 % over 6 s, did less well there or on the matrix's drift turns:
#: BENCHMARKS (n).) Past LONG_HOLD times the window, also over all the new level has been held since
#: the candidate began (where the force came to it), by thirds within FLAT times that stretch over
#: slow_step_hold (still 0.5 %/s): a waver as slow as the 6-s window (one whole swing of a 6-s
#: waver) spreads its 2-s thirds by nearly its full swing, and over 9-12 s thirds of 3-4 s average
#: it out (failure mode 53).
LONG_HOLD = 2.0
LONG_FLAT = FLAT * LONG_HOLD
#: A patient's breath under the tool (0.15-0.4 Hz, 1-3.5 %) or a hand's sway spreads the thirds of a
#: slow_step_hold by a few percent on every level it holds: a new barrier eased onto under it is
#: seldom flat within FLAT, and one that the next flinch or drift cuts short of LONG_HOLD windows
#: was never a slow step. The waver of steady holds - twice the bow of a slow_step_hold's middle
#: third off the line through the outer two (a breath shows one, a drift does not), less the thirds'
#: noise, relative to the level - is measured every WAVER_EVERY seconds there; the median of the
#: last WAVER_N (7.5 s: a drift's turn now and then does not move it) widens, in quadrature, the
#: flatness a slow step's new level is judged by (a longer window's by that much less: its thirds
#: average more of it out), where all the new level has held shows no drift either (failure mode
#: 59). A hand that holds still learns nothing and is judged as before. (The bare spread of the
#: thirds, or a mean over 10 s, learned a drift inside the band as waver: the matrix's 2 %/s
#: drifts then turned into slow steps at their peaks, hold F1 0.983 -> 0.35.)
WAVER_EVERY = 0.5
WAVER_N = 15
#: A new level reached by a brisk change - faster than the step rate at its peak (``mv_fast``) and
#: than BRISK_RATE of it on average over its middle 60 % (its 20-80 % span): no slow drift, which
#: the contract puts under ~10 %/s - is judged as a wavering hand's is (failure mode 59's wavy path:
#: its last min_hold, its slow_step_hold and all it has held), with a waver of at least
#: BRISK_WAVER, of the level. The FLAT guard against a drift passing over its peak has no drift to
#: guard against there, and a hand that has just eased briskly onto a new barrier - cross-fibre
#: friction, a novice's hunting around it, a limb moving under a pin - wavers on it 1-2 % where the
#: hold before was still and taught it nothing (failure mode 61). BRISK_WAVER 0.015-0.025 all gave
#: the same counts on every generator but the fifth and on the matrix; 0.02 is the middle.
#: BRISK_RATE is the rate under which a movement counts as quiet (half the step rate): a slow fade
#: that a wobble lifted over the rate test on its way (a real dynamometer's) is no brisk change;
#: at the whole step rate the third generator's gains were lost.
BRISK_WAVER = 0.02
BRISK_RATE = 0.5
#: ... or, where the flatness fails, the slow_step_hold (and the one a third before it) lies on a line
#: back against the ease (its middle third's mean within the thirds' flatness tolerance of the outer
#: two's mean, no peak) at most KNEE times as steep as the ease's own mean rate (its size over its
#: 20-80 % span, as 0.6 of the way): an ease that came to its new barrier, which now gives back
#: slowly (tissue yielding under an ease up, a hand creeping back after an ease down). A drift
#: turning back does so at 0.7-1.3 of its own rate, and a fade on the ease's own way is still that
#: change; a give of 1 %/s after a 20 % ease in 4 s passes (failure mode 45).
KNEE = 0.25
#: A slow ease is dated back from where it passed EASE_FROM of the way by EASE_BACK times the time
#: it then took to EASE_TO, both crossings those of the force averaged over VEL_MEAN (tremor out;
#: the average trails by half VEL_MEAN, taken off). Which shape the hand eases with is unknown. At
#: 5 %/25 % the factor to its start is 0.25 for a straight ramp, 0.76 for a raised cosine, 1.11 for
#: minimum jerk; to where it has come 1 % of the way, 0.20, 0.42 and 0.49. A smooth ease's start
#: cannot be seen (minimum jerk has come 1 % of the way 0.85 s into an 8-s ease: a quarter of a
#: percent of the level on a 25 % step, under tremor), and a labeller marks it where it begins to
#: show (the blind generator: at 2 % of the change); a straight ramp's start and its 1 % point are
#: one. 0.45 dates a straight ramp 4 % of its duration before its start (0.32 s at 8 s), a raised
#: cosine and minimum jerk within 0.7 % of their 1 % points. The old 0.7 aimed between the shapes'
#: starts and left every straight ramp 9 % of its duration early, which is what the hands of all
#: three generators here ease with (the matrix's, the simulator's, the blind one's): the blind
#: generator's eases a median 0.41 s early, 59 of its 614 more than 1 s early (failure mode 24).
#: Low fractions see the start of the change, where the shapes differ least (7.5 %/25 %, the old
#: rule, left 9 % each way at best, and minimum jerk 0.9 s late under tremor); lower than 5 % lets
#: the hand's wander decide the crossing (5 % of an 11 % step is 0.55 % of the level; 4 % lost
#: three steps of the matrix's 6-s eases, dated 1.1-2 s early).
EASE_FROM = 0.05
EASE_TO = 0.25
EASE_BACK = 0.45
#: ... but a wandering hand moves both crossings, and the earlier one most (at 5 % of a small step
#: the wander decides it), so the further back from it the more of the wander's error is carried
#: back: EASE_BACK shrinks as EASE_BACK / (1 + (w / (EASE_WANDER · step))²), w the hand's wander
#: (N) before the ease, the median change between consecutive EASE_WANDER_SPAN-s means over the
#: EASE_WANDER_TIME (s) before it (a median: one second of the ease's own start does not count),
#: never below EASE_BACK_MIN (a straight ramp's factor to its start; to its 1 % point, 0.20). A
#: steady hand's means agree to a few tenths of a percent and keep EASE_BACK whole; at a tenth of
#: the step it is halved.
EASE_WANDER = 0.1
EASE_WANDER_SPAN = 1.0
EASE_WANDER_TIME = 5.0
EASE_BACK_MIN = 0.25
#: The crossings above lie in a hand's motor noise and wander, which move them by a second or more
#: on a slow ease (the blind generator: 44 of its 49 false steps a missed one 1-4.8 s away). A line
#: of three pieces - flat, a straight ramp, flat - fitted (least squares) to the filtered force from
#: EASE_FIT_BACK (s) before that onset (not before the hold began) to EASE_FIT_AFTER after the new
#: hold's start uses all of it, and bounds the onset: fitted to a clean ease, the ramp's start t0
#: lies 0, 0.14 and 0.20 of its duration in for a straight ramp, a raised cosine and minimum jerk
#: (t1 as far before the end), where the crossings' dating puts them 0.04, 0.11 and 0.16 of the
#: fitted ramp's length (t1 - t0) before t0. So the onset is held within EASE_FIT_EARLY of that
#: length before t0 and EASE_FIT_LATE after it: any shape's own dating stands, and noise cannot
#: take it further out than that. The grid: EASE_FIT_GRID (s), then EASE_FIT_FINE around the best;
#: ramps of at least EASE_FIT_MIN (s).
EASE_FIT_BACK = 4.0
EASE_FIT_AFTER = 1.5
EASE_FIT_EARLY = 0.2
EASE_FIT_LATE = 0.05
EASE_FIT_GRID = 0.1
EASE_FIT_FINE = 0.02
EASE_FIT_MIN = 0.3
#: ... and the way is measured from the force's mean over this long (s) before that first estimate,
#: not from the hold's level: that was measured when the hold began, and by the time the hand eases
#: away the force may sit a percent off it (wander, a drift that came back, creep), a tenth of the
#: way of a small step, which would move the crossing of EASE_FROM by seconds.
EASE_BASE = 1.0
#: A force that came to the ease from beyond the old level (a drift out of the hold the other way)
#: began the ease where it turned: each base found further that way (by the departure tolerance)
#: dates the ease again from the mean before the new estimate, at most this many times in all. (A
#: first base on the old level's side is passed over when the EASE_BASE before it lies that far
#: beyond: a hand lingering a moment as it passes back through the old level.)
EASE_PASSES = 4
#: A slow step's 3-s window that held an outlier is looked at again this much later (s), not every
#: tick: the scan costs a few hundred ticks.
SLOW_RETRY = 0.25
#: A slow step's change went from 20 % to 80 % of the way within this fraction of
#: ``slow_step_max``: a straight ramp spends 0.6 of its duration there, a raised cosine 0.41, a
#: minimum-jerk ease 0.35; 0.75 takes any of them completed within ``slow_step_max`` with a quarter
#: to spare (a straight ramp up to 10 s at the default 8 s), and no drift slower than that.
SLOW_SPAN = 0.75
#: Band events held back while a fast movement is classified (a few at most: each needs a debounce).
BAND_HELD = 8
#: A hold's level is the mean since the force came within this fraction of it (plus ARRIVAL_K noise
#: units): the settled part, without the tail of the move into it. (The hold itself starts earlier,
#: where the force came within the hold band and stayed.)
ARRIVAL = 0.04
ARRIVAL_K = 2.0
#: ... and then measured again as the contract defines it ("once an arrival's overshoot or undershoot
#: has settled"), and the relative band centred on that: the mean over the ``min_hold`` from where the
#: force, tremor averaged out (over ``VEL_MEAN``), came within this fraction of the first level (plus
#: ARRIVAL_K noise units and a quantum) after it last stood twice as far off; refined tick by tick
#: after the hold is confirmed, until that window is complete. Within ARRIVAL a minimum-jerk arrival
#: still has its slowest part to go, and a small over- or undershoot its whole settling back: a mean
#: that takes them in is off by tenths of a percent to a percent and more, and a drift of 1 %/s
#: turns each 0.1 % into 0.1 s on its band exit.
LEVEL_ARRIVAL = 0.01
#: ... and past an overshoot too small for that: the arrival, followed on from the close arrival in
#: the direction it came from, went beyond the level by more than this fraction of it (plus the same
#: noise units) before it first turned back; its settling is then over where the force came back
#: that near. (Of the settling's tail left in the window no more than this fraction can stand off:
#: at 0.25 % over a few tenths of a 1.5-s window, under 0.1 % of level, under 0.1 s at 1 %/s.)
LEVEL_OVERSHOOT = 0.0025
#: ... and only once it has settled (the contract's level): a window whose halves' means lie more
#: than twice LEVEL_ARRIVAL apart (plus their noise), or that the force left the settled part
#: (ARRIVAL) of, is still settling, as an exponential settle of a 6-16 % overshoot over 0.3-1 s is
#: (real pulls and squeezes: failure mode 4): the level is measured again over the next min_hold,
#: up to LEVEL_TRIES more times. A window measured again has settled only if its halves also lie
#: within that, and their change per second has fallen to LEVEL_DECAY of the window's before: a
#: settling slows down (by e^(-1.5/tau) in each window, under 0.25 for tau up to 1 s), while a drift
#: from the start, or a wandering hand's stray window, goes on much as it was. Nor is it ever
#: outside the hold band of the level the hold began at. If none has settled, the first window's
#: mean stands, as before. (Twice, not once: a steady hand's 1-% wander moves 0.75-s means a
#: percent apart often enough that a window measured again is then just another sample of it.)
LEVEL_SETTLED = 2.0 * LEVEL_ARRIVAL
#: ... or more than LEVEL_ARRIVAL itself (plus their noise) apart, when its thirds move back against
#: the arrival, each by less than the one before: an overshoot still decaying onto its level
#: (failure mode 44). A wander moves either way and seldom slows so in three steps; an overshoot's
#: settling back always does.
LEVEL_BACK = LEVEL_ARRIVAL
LEVEL_TRIES = 2
LEVEL_DECAY = 0.5
#: A hold whose arrival overshot its band begins at the peak (``_hold_start``) when the overshoot was
#: at most this fraction of the arrival's way past the level: real arrivals overshoot by 5-19 % of
#: the level (the issue's repeaters, a finger gauge's pulls), a tenth to a fifth of the way from rest;
#: a fall from a burst through the level to a near let-go, and a new squeeze, goes far past it.
ARRIVAL_OVERSHOOT = 0.5
#: A movement began where the force last lay within this fraction of the level (plus DEPART_K
#: noise units) on the side it left from.
DEPART = 0.02
DEPART_K = 2.0
#: A fast step's onset is back-dated from its departure-tolerance crossing by the time it then took
#: to 4 tolerances (a smooth start: the deviation growing as the square of the time, 4 tolerances
#: take twice as long as one), while 4 tolerances lie within this fraction of the change: a
#: minimum-jerk move passes 20 % and 80 % of its way at 0.33 and 0.67 of its duration, and the
#: rule still lands on its start. A smaller change (a light hand on a noisy sensor: a 20 % step
#: of 4 N is 4 tolerances) got 4 out only on the new level's noise, seconds after it arrived, and
#: was dated that much early: its second crossing is taken here instead, the back-dating scaled to
#: it (sqrt(tol/far) / (1 - sqrt(tol/far)) times the time between), at most SMOOTH_MAX times.
SMOOTH_START = 0.8
SMOOTH_MAX = 2.0
#: Noise units by which the force must pass a band edge before it counts as outside (hysteresis).
BAND_K = 1.0
#: A band exit is dated where the force, averaged over this window (s) centred on each moment,
#: crossed the band edge itself: one cycle of the slowest hand tremor (3 Hz), so a tremor, hum or
#: coarse quantum riding on a drift dates the exit at the drift's crossing, not at the first peak
#: (too early) or at the last trough (too late) past the edge plus its noise margin. Dating only:
#: the exit is still decided, as fast as before, on the filtered force.
EXIT_MEAN = 1.0 / 3.0
#: A drift's exit is told where the line fitted to the filtered force over this span (s) before the
#: exit was decided crosses the edge: a hand's motor noise and wander (0.5-3 Hz and slower, 1-2 % of
#: the level) ride on a slow drift, and at 1-2 %/s they move the moment the force averaged over
#: EXIT_MEAN first crosses by up to a second either way; the trend over 1.5 s averages most of the
#: motor noise out. Dating only, and only where that line leaves the band no faster than drift (a
#: burst's or a dip's crossing is its own).
TREND_SPAN = 1.5
#: A tick is due once this fraction of its period has passed: timestamps of a stream at exactly the
#: tick rate differ in their last bits, and must not skip every other tick.
TICK_DUE = 0.999
#: Hold statistics trail real time by this much (s), more than any onset is ever back-dated while
#: a hold looks steady.
STATS_LAG = 1.0
#: Noise units of allowance when judging steadiness and departures.
NOISE_K = 3.0
#: Mean absolute second-difference residual of white noise is this many noise sigmas (√6·√(2/π)).
MAR_PER_SIGMA = 1.9544100476116797
#: Samples sharing one timestamp that are kept until the next timestamp says where they belong: a
#: host that stamps a whole batch (250 ms at 4 kHz) with its arrival time, a millisecond clock at 2 kHz.
REPEAT_CAP = 1024
#: The longest interval (s) such a run is spread over; a longer silence after it is no batch, and its
#: samples, which carry no time of their own, are dropped (counted in ``ignored``).
REPEAT_SPAN = 1.0
#: ... and so is a run stamped less than this fraction of the stream's sample interval apart: a host
#: that stamps each line of a packet as it parses them (time.time() per line) gives its 12 samples
#: stamps microseconds apart, then nothing for the packet's 80-90 ms. Taken at their stamps, they
#: left ticks 90 ms apart, and no 3-s window began within a tick of its start: no slow step was ever
#: judged steady (failure mode 58). A device's own clock jitters by far less than 90 % of its interval.
BATCH_FRAC = 0.1
#: Samples of plain averaging before the noise tracker turns robust and spike rejection starts.
WARMUP = 10
#: Jumps below this (N) are never called spikes: quantisation and a noise-free sensor stay quiet.
SPIKE_FLOOR = 0.02
#: Time constant of the robust noise tracker, in samples.
MAR_ALPHA = 0.02
#: Critically damped 2-pole: each pole's time constant for a -3 dB point at the cut-off.
TAU_PER_CUTOFF = 0.6435942529055827 / (2.0 * math.pi)
#: The noise the low-pass passes is also measured on its own output: the second difference of the
#: filtered force over this lag (in pole time constants; 8 tau = 0.2 s at 4 Hz, over which the filtered
#: noise is uncorrelated: the 2-pole's correlation there is 9·e^-8 < 0.01).
PASS_LAG = 8.0
#: Time constant (s) of that measure's running mean.
PASS_TC = 2.0
#: The measure on the output replaces the raw-noise one only where it is this many times lower (the
#: raw stream's noise is not white: hum or its alias far above the cut-off); never raises it (tremor,
#: pulse and wander pass the filter too, and are no sensor noise).
PASS_K = 1.5
