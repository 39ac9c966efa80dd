"""Detector configuration: every tunable of the core, validated once, in Python.

The kernels (Cython and golden model) trust what they get from here, exactly as scipy's ``_sosfilt``
trusts its wrapper: all checks live in :meth:`DetectorConfig.__post_init__`, each number through
:func:`nmt_pressure.core.checks.check_number`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from nmt_pressure.core.checks import check_number

#: Upper limits that keep the detection stage's history ring (``history_capacity``) a few MB at most:
#: it spans ``min_hold + step_max_duration`` in ticks, so a huge hold time or a tiny tick would
#: otherwise ask for gigabytes before the first sample. Far beyond any therapy hold (10-30 s).
MIN_HOLD_MAX = 300.0
STEP_MAX_DURATION_MAX = 60.0
TICK_MIN = 0.001
#: ... and the history itself never spans more than this (s): with every timing at its limit the
#: waits it sizes for would ask for 546 s (half a million ticks at TICK_MIN); a wait longer than the
#: history dates its onset at the history's start.
HISTORY_MAX = 500.0
#: A fixed band centre beyond this (N) is a typo, not a load cell (the largest are a few kN).
TARGET_MAX = 1e6


class ConfigError(ValueError):
    """A configuration value a user gave is not usable; the message names the fix."""


@dataclass(frozen=True)
class DetectorConfig:
    """Settings of the hold detector. Defaults follow the public contract; times are in seconds.

    Relative quantities (``hold_band``, ``step_min``, ``tolerance``, ``step_rate``,
    ``release_fraction``) are fractions of the current hold's level.
    """

    #: Nominal sample rate of the stream (Hz). Informational: the core follows the timestamps, so
    #: 10 Hz to several kHz, jittered or with dropped samples, work with the same settings.
    sample_rate: float = 1000.0
    #: Filtered force above this (N) is contact.
    contact_threshold: float = 2.0
    #: Contact ends below ``contact_release_ratio * contact_threshold`` (hysteresis against chatter).
    contact_release_ratio: float = 0.75
    #: A hold needs this much steady contact (s) before it is confirmed.
    min_hold: float = 1.5
    #: Steady means within ±hold_band of one level (tremor and noise aside).
    hold_band: float = 0.08
    #: A step changes the level by at least this fraction ...
    step_min: float = 0.10
    #: ... and completes within this time (s).
    step_max_duration: float = 2.0
    #: Movements whose rate stays under this (fraction of level per second) are drift, not steps:
    #: the contract's "slow drift (under ~10 %/s) does not end a hold".
    step_rate: float = 0.12
    #: The contract's release is the end of contact (a fall below ``contact_threshold``). Set this
    #: to e.g. 0.4 to call a fast fall below 40 % of the level a release at once: alerts come
    #: earlier, but a step down deeper than that then reads as a release. 0 disables it.
    release_fraction: float = 0.0
    #: A fall below this fraction of the hold's level that lasts ``release_time`` is a release even
    #: where light contact remains (a relaxed hand resting on the device, a load cell's zero drift);
    #: over a contact that rose from a resting force, this fraction of the pressure held above that
    #: rest (an arm resting on a finger gauge's sling is no pressure the hand put on).
    #: A contact that has not held ends the same way below this fraction of its highest force (a
    #: squeeze let go onto a resting hand), with no release; the next contact, and any hold, must rise
    #: a threshold above that rest (unlike a release's rest, it ends no contact).
    release_level: float = 0.15
    #: ... lasting this long (s).
    release_time: float = 1.0
    #: A hold the force left fast ends (``ended_by: "left"``) when the force neither came back
    #: within this time (s) nor settled into a new hold: a burst, pumping, a let-go with light contact.
    leave_time: float = 1.0
    #: Relative-band mode only: a slower, deliberate change to a new level (easing onto a new barrier)
    #: completed within this time (s) ...
    slow_step_max: float = 8.0
    #: ... is a step once the force has stayed steady at the new level this long (s).
    slow_step_hold: float = 3.0
    #: Whether a slow fall onto a lower level is a step too (the contract's slow change, either way).
    #: A fatigue fade that goes on, or sags and comes back, is not steady at a new level and stays
    #: drift either way; turn this off to treat every slow fall as drift.
    slow_step_down: bool = True
    #: Fixed band centre (N); None makes the band relative to each hold's settled level.
    target: float | None = None
    #: Band half-width as a fraction of its centre.
    tolerance: float = 0.10
    #: Force must stay outside the band this long before a band exit (s) ...
    alert_debounce: float = 0.15
    #: ... and back inside it this long before a band enter (s): one excursion, one exit, however
    #: the force hovers at the edge.
    band_enter_debounce: float = 0.5
    #: Cut-off of the causal low-pass that removes tremor and sensor noise (Hz).
    lowpass_hz: float = 4.0
    #: A sample further than this many noise units (mean absolute linear-prediction residual, about
    #: two sigma of white noise) off the line through its two predecessors is held back one sample
    #: and dropped if the next one does not confirm it (single-sample spike rejection).
    spike_k: float = 4.0
    #: A silence up to this long (s) is bridged (a wireless sensor's dropout); a longer one closes what
    #: was open (``end_of_data``) and starts afresh rather than bridging the gap with guesses.
    max_gap: float = 3.0
    #: Period (s) of the detection stage; the filter runs on every sample, detection at most this
    #: often, which keeps the per-sample cost tiny at kHz rates. 20 ms samples the 4-Hz low-passed
    #: force at 12 times its cut-off, and the rules read seconds, not ticks: 10 ms gave the same
    #: detection on every labelled set at twice the cost (docs/DETECTION.md, failure mode 47).
    tick: float = 0.02

    def __post_init__(self) -> None:
        def number(name: str, lo: float | None = None, hi: float | None = None, *, lo_open: bool = True,
                   hi_open: bool = False, unit: str = "") -> None:
            # Every number goes through the one check that drill files use too (core.checks), so a bad
            # value reads alike wherever it was written.
            check_number(getattr(self, name), name, lo, hi, lo_open=lo_open, hi_open=hi_open, unit=unit,
                         error=ConfigError)

        for name in ("sample_rate", "contact_threshold", "min_hold", "step_max_duration",
                     "step_rate", "lowpass_hz", "spike_k", "max_gap", "tick", "release_time",
                     "leave_time", "slow_step_hold"):
            number(name, 0.0)
        for name in ("release_time", "leave_time", "slow_step_hold"):
            number(name, hi=60.0, unit="s")
        number("release_level", 0.0, 1.0, hi_open=True)
        if not isinstance(self.slow_step_down, bool):
            raise ConfigError(f"slow_step_down must be true or false, got {self.slow_step_down!r}.")
        # A slow step shorter than a fast one would mean nothing: see slow_step_limit.
        number("slow_step_max", 0.0)
        number("slow_step_max", hi=STEP_MAX_DURATION_MAX, unit="s")
        for name in ("alert_debounce", "band_enter_debounce"):
            number(name, 0.0, 10.0, lo_open=False, unit="s")
        # 1 + 1e-12, not 1: a ratio of exactly 1 (no hysteresis) is allowed, a rounding error above it too.
        number("contact_release_ratio", 0.0, 1.0 + 1e-12, hi_open=True)
        number("hold_band", 0.0, 0.5, hi_open=True)
        number("step_min", 0.0, 1.0, hi_open=True)
        number("release_fraction", 0.0, 1.0, lo_open=False, hi_open=True)
        number("tolerance", 0.0, 1.0, hi_open=True)
        if self.target is not None:
            number("target", 0.0, TARGET_MAX, unit="N")
            low = self.target * (1.0 - self.tolerance)
            if low <= self.contact_threshold:
                # A band whose lower edge is not contact can never be held: the force would leave
                # contact (and end the hold) before it left the band.
                raise ConfigError(
                    f"target {self.target:g} N with tolerance {self.tolerance:g} puts the band's lower "
                    f"edge at {low:g} N, not above the contact threshold of {self.contact_threshold:g} N, "
                    "so it could never be held: raise --target or lower the tolerance.")
        if self.lowpass_hz > 0.45 * 2000.0 * 10:
            raise ConfigError(f"lowpass_hz {self.lowpass_hz:g} is far above any force signal; use 2-10 Hz.")
        number("tick", TICK_MIN, 0.1, lo_open=False, unit="s")
        number("min_hold", hi=MIN_HOLD_MAX, unit="s")
        number("step_max_duration", hi=STEP_MAX_DURATION_MAX, unit="s")
        if self.max_gap <= self.tick:
            raise ConfigError(f"max_gap must be longer than tick ({self.tick:g} s), got {self.max_gap!r}.")
        if self.min_hold < 4 * self.tick:
            raise ConfigError(f"min_hold must be at least {4 * self.tick:g} s (four ticks), got "
                              f"{self.min_hold!r}.")

    # ---- derived values shared by both kernels (one definition, so they cannot disagree) ----
    @property
    def history_seconds(self) -> float:
        """How far back the detection stage keeps its per-tick history (back-dating horizon): as far
        as the longest wait reaches back to the onset it dates, with margin. A fast step is told
        min_hold after its movement ended (its lead-in, looked for over the min_hold before that,
        is given up where the history is shorter); a slow one is waited for up to slow_step_limit
        + 2 slow_step_hold + min_hold + 1 s from where the force left (the core's deadline: under
        wander a new level's flatness can take a second slow_step_hold to show), its onset dated up
        to 3 s before that. (Shorter, a step dated further back than the history ended its old hold
        at the history's start, and took back statistics it no longer held: a 0.5-s hold with
        1.03 s in band.)"""
        fast = self.min_hold + self.step_max_duration
        slow = self.slow_step_limit + 2.0 * self.slow_step_hold + self.min_hold + 4.0
        return min((fast if fast > slow else slow) + self.leave_time + 2.0, HISTORY_MAX)

    @property
    def slow_step_limit(self) -> float:
        """How long a slow step may take: ``slow_step_max``, never less than a fast one may."""
        return max(self.slow_step_max, self.step_max_duration)

    @property
    def history_capacity(self) -> int:
        """Ticks in the history ring: ticks are at least ``tick`` apart, so this always suffices.

        A power of two, so that the compiled core wraps ring indices with a mask, not a division.
        """
        need = math.ceil(self.history_seconds / self.tick) + 8
        return 1 << (need - 1).bit_length()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))
