"""The value types the core hands to its listeners: events and finished holds.

They live apart from the kernels so that both the Cython core and the pure-Python golden model build
the very same objects, and so that listeners (CLI, recorder, dashboard) never import a kernel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: Every event kind the core emits, in the spelling of the public contract.
EVENT_KINDS = ("contact", "hold_start", "step", "release", "band_exit", "band_enter")
#: How a hold can end: a step to a new hold, a release, a fast departure that neither came back nor
#: settled into a new hold (``left``), or the end of the data (or a silence too long to bridge).
ENDED_BY = ("step", "release", "left", "end_of_data")

#: What ``Detector.state`` reports: no contact, contact without a hold, a steady hold, and a change
#: inside a hold that is still being classified (step, release, departure or drift): while it is
#: ``MOVING`` a display must not call the force "in band" on the old level's terms.
STATE_IDLE, STATE_CONTACT, STATE_HOLD, STATE_MOVING = 0, 1, 2, 3
STATE_NAMES = {STATE_IDLE: "idle", STATE_CONTACT: "contact", STATE_HOLD: "holding",
               STATE_MOVING: "moving"}


@dataclass(frozen=True, slots=True)
class Event:
    """One detection.

    ``t`` is the estimated onset in device time (back-dated to where the change began);
    ``t_detected`` is the time of the sample at which the core knew and emitted it.
    """

    kind: str
    t: float
    t_detected: float
    direction: str | None = None
    level: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Hold:
    """Statistics of one finished hold, computed on the low-passed force over its steady part."""

    start: float
    end: float
    level: float
    mean: float
    sd: float
    cv: float
    duration: float
    time_in_band: float
    drift_per_s: float
    ended_by: str
    #: When the core confirmed it: its ``hold_start`` event's ``t_detected``. That event tells the
    #: start dated against the level known then; ``start`` here is dated against the settled
    #: ``level`` and may differ (failure mode 65), so a listener matches a finished hold to the
    #: ``hold_start`` that began it by this, not by its start.
    confirmed: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
