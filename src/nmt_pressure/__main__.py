"""``python -m nmt_pressure``: the same as the ``nmt-pressure`` command."""

import sys

from nmt_pressure.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
