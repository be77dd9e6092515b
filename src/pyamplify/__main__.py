"""``python -m pyamplify`` runs the command-line tool."""

from pyamplify.cli.main import main

raise SystemExit(main())
