"""Practice drills: definitions (TOML), playing them against the live core, and their score cards."""

from nmt_pressure.practice.engine import DrillRun, PhaseRecord, Prompt, play_offline
from nmt_pressure.practice.score import ScoreCard, score_run
from nmt_pressure.practice.spec import Drill, DrillError, Phase, available_drills, find_drill, load_drill

__all__ = ["Drill", "DrillError", "DrillRun", "Phase", "PhaseRecord", "Prompt", "ScoreCard",
           "available_drills", "find_drill", "load_drill", "play_offline", "score_run"]
