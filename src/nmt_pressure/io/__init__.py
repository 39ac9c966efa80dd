"""Recordings and other devices' files: the project's CSV format, other devices' exports, the CSV scanner.
"""
