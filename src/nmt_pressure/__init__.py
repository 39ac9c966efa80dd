"""nmt_pressure: real-time detection of pressure holds for neuromuscular therapy."""

from nmt_pressure._version import __version__
from nmt_pressure.core.config import ConfigError, DetectorConfig
from nmt_pressure.core.detector import IMPLEMENTATION, AnalysisResult, Detector, analyze
from nmt_pressure.core.events import Event, Hold

__all__ = ["IMPLEMENTATION", "AnalysisResult", "ConfigError", "Detector", "DetectorConfig", "Event",
           "Hold", "__version__", "analyze"]
