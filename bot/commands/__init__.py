"""One module per `talentbot` command; each exposes run(args) -> exit code."""
