"""`python -m yilian`: the same as the `yilian` command."""

from yilian.cli import main

main(prog_name="yilian")
