"""`python -m bot` is the same as the `talentbot` command."""

from bot.cli import main

raise SystemExit(main())
