"""`python -m excel_addin.cli`: the same as the `partnership` command."""

from excel_addin.cli import main

raise SystemExit(main())
