"""The device link: opening ports, the reader thread (link -> codec -> calibration -> core), listener fan-out,
the simulated device as a child process.
"""
