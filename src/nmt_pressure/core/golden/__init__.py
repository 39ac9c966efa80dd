"""The golden model: the signal core in plain Python, the readable specification of ``_core.pyx``.

Both implementations run the same arithmetic in the same order, so they agree to the last bit on
events and to 1e-9 on statistics; the tests hold them to that. Read this package to understand the core.

Two rates, as firmware would do it:

* **every sample** (cheap): time checks, single-sample spike rejection, a causal 2-pole low-pass;
* **every tick** (at most ``cfg.tick`` apart, i.e. <= 100 Hz): the detectors, on the low-passed force.

Detectors per tick, on the filtered force ``y`` (states and every constant: ``docs/DETECTION.md``):

* contact: ``y`` above ``contact_threshold`` (hysteresis down to ``contact_release_ratio`` of it), or,
  after a release that left light contact, a threshold above the resting force;
* hold: the last ``min_hold`` seconds of contact lie within ±``hold_band`` of their mid level (plus an
  allowance for measured noise and the sensor's quantum); its level is measured over the settled part
  (an overshoot excluded) and its start back-dated to where the force arrived within 4 % of it;
* inside a hold, two tests start an *excursion*: the rate test (the force moves faster than
  ``step_rate`` of the level, or than the measured jitter) and, in relative-band mode, the level test
  (it left the hold's band, however slowly: the force, or its mean over the last half ``min_hold``
  against that mean's smaller noise allowance; after a drift, a change away from where it rested,
  measured from there). The jitter and the reference level are learned only
  while the force is steady, so a movement that is building never raises its own bar. An excursion
  ends as one of: a wobble (back within ``leave_time``), a **step** (a new hold ``step_min`` or more
  away whose change went 20-80 % of the way within 0.45·``step_max_duration``, in relative mode up
  to where the force has gone on to if it went on past the level first found; or, in relative mode,
  one whose change went 20-80 % within ``SLOW_SPAN·slow_step_max`` that then stays near one level,
  flat, for ``slow_step_hold``),
  a **release** (contact lost, or below ``release_level`` of the level for ``release_time``; dated to
  the onset of the final fall), a departure (``left``: it went out fast and neither came back nor
  settled into a step), or drift (slow, never settling: the band watches it);
* band: outside ``centre·(1±tolerance)`` (plus a noise margin) for ``alert_debounce`` → exit, dated
  where the tremor-averaged force crossed the edge itself (``EXIT_MEAN``); the force averaged over
  ``VEL_MEAN`` back inside the edge (by that mean's noise and half a quantum) for
  ``band_enter_debounce`` → enter. While a fast movement is
  classified its band events are held back: told if it proves to be drift, dropped if it is a step,
  a departure or a release, which raise none.

Hold statistics are running sums over the hold's ticks, weighted by the time each tick stands for,
accumulated a little behind real time so that a hold's end can be back-dated to the onset of the step or
release that ended it without the transition leaking into the statistics.

One module a stage, each adding its methods to the class of the stage below it, so a stage calls only its
own methods and those of the stages beneath it (mypy holds the order: a call upwards names no attribute):

==============  ===========================================================================================
``constants``   states and every constant, with its unit and why
``state``       the variables and buffers, reset; events out
``history``     the ring of past ticks: edges, crossings, means
``allowances``  quantum, noise, and the tolerances built from them
``level``       departures, arrivals, the overshoot, a hold's settled level
``holds``       a hold's beginning and end, its running statistics
``shape``       steady, flat, turning, brisk; a change's 20-80 % span
``ease``        a slow step's onset; a fast one's lead-in
``leaving``     left, released, end of data; the resting force
``excursion``   learning while steady; an excursion's start
``band``        band exits and enters
``steps``       fast and slow steps; back to the old level
``moving``      an excursion being classified
``states``      one tick in each state
``stream``      ``Detector``: the public API, the per-sample stage and the tick
==============  ===========================================================================================
"""

from nmt_pressure.core.golden.stream import Detector

__all__ = ["Detector"]
