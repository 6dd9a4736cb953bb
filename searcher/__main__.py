"""`python -m searcher` runs the command line."""

from .cli.app import main

main()
