"""What hangs off the core's events while a device is live: the recorder, Lab Streaming Layer, the terminal
view, and the monitor loop that wires them to the reader.
"""
