"""``python -m certgov.cli``."""

from certgov.cli.main import main

main()
