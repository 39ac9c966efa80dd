"""The ``nmt-pressure`` command: one module per subcommand group, shared argument helpers.

The top of the package, beside the dashboard: nothing below imports it.
"""
