"""The ``nmt-pressure`` command: one module per subcommand, one module of shared arguments.

``main`` builds the parser from the subcommands' Command records and runs one; each subcommand module
(``analyze``, ``report``, ``monitor``, ``dash``, ``drill``, ``history``, ``ports``, ``sim``) imports
``common`` and nothing of its siblings. The top of the package, beside the dashboard: nothing below
imports it.
"""
