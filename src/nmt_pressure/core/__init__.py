"""The signal core: the compiled kernel (``nmt_pressure._core``) and its golden model (``golden``), the
validated configuration, the events, and ``detector`` (which of the two runs; ``analyze`` a whole trace).

The bottom of the package: it imports nothing of the project but its own modules.
"""
