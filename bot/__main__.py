"""`python -m bot` is the `standby` command."""

from bot.cli import main

main()
