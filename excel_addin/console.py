"""The installed `partnership` program: the command line, with Ctrl-C while it starts handled too.

Loading numpy, pandas and openpyxl takes about a second; a Ctrl-C then would otherwise end in a
traceback from deep inside an import. Nothing has been read or written at that point.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


def main() -> int:
    """Load the command line and run it; a Ctrl-C while loading is one line and exit code 130.

    The command line loads each command's modules only when it builds its parser, so a Ctrl-C
    can arrive inside ``run`` before the command starts; once a command runs it handles its own.
    """
    try:
        from excel_addin.cli import main as run

        return run()
    except KeyboardInterrupt:
        print("Stopped (Ctrl-C) while starting; no file was read or written.", file=sys.stderr)
        return INTERRUPTED
