"""`python -m searcher` runs the command line."""

from .cli import main

main()
