"""`python -m peacekg` runs the CLI."""

from peacekg.cli import main

main()
