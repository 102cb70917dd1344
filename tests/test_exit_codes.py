"""One test per exit code, and the error-line contract (one line, where, hint, no traceback)."""

from __future__ import annotations

import pytest

from yilian.errors import ExitCode


def test_codes_are_distinct_and_documented():
    assert [c.value for c in ExitCode] == [0, 1, 2, 3, 4, 5]


def test_ok(run, mini):
    assert run("query", "SELECT * WHERE { ?s a yl:Hospital }", *mini).exit_code == ExitCode.OK


def test_false(run, mini):
    assert run("query", "ASK { ?s a yl:Posting }", *mini).exit_code == ExitCode.FALSE


def test_bad_input_syntax_error_has_position_and_caret(run, mini):
    r = run("query", "SELECT ?s WHERE { ?s a }", *mini)
    assert r.exit_code == ExitCode.BAD_INPUT
    first, *rest = r.stderr.splitlines()
    assert first.startswith("yilian: error: query:1:19: SPARQL syntax error: unexpected '?'")
    # the caret stands under the start of the incomplete triple pattern
    assert rest[-1].strip() == "^" and rest[-1].index("^") == rest[-2].index("?s a")
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_undeclared_prefix_named(run, mini):
    r = run("query", "SELECT * WHERE {\n  ?s foo:bar ?o }", *mini)
    assert r.exit_code == ExitCode.BAD_INPUT
    assert "query:2:6: undeclared prefix 'foo:'" in r.stderr and "PREFIX foo:" in r.stderr


def test_refused_update(run, mini):
    r = run("query", "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }", *mini)
    assert r.exit_code == ExitCode.REFUSED
    assert "query:2:1: SPARQL Update (INSERT) is refused" in r.stderr


def test_usage_errors(run, mini):
    assert run("query", *mini).exit_code == ExitCode.BAD_INPUT  # no query (stdin empty)
    assert run("query", "ASK {}", "--name", "x", *mini).exit_code == ExitCode.BAD_INPUT
    assert run("query", "--name", "no-such-query").exit_code == ExitCode.BAD_INPUT
    assert run("stats", "--no-default-graph").exit_code == ExitCode.BAD_INPUT
    assert run("nonsense").exit_code == ExitCode.BAD_INPUT


@pytest.mark.parametrize("args, option, following", [
    (["facts", "--about", "--kind", "posting"], "--about", "--kind"),
    (["network", "stats", "--place", "--tie", "cooperation"], "--place", "--tie"),
    (["query", "-o", "--format", "csv", "ASK {}"], "-o", "--format"),
    (["source", "add", "--title", "--date", "2024-01-01", "x.txt"], "--title", "--date"),
    (["query", "-o", "-h", "ASK {}"], "-o", "-h"),  # wrote a file named -h
    (["facts", "--indicator", "-h"], "--indicator", "-h"),  # the help option is an option too
    (["facts", "--about", "--", "--kind"], "--about", "--"),  # the end of the options is no value either
])
def test_option_followed_by_an_option_says_it_has_no_value(run, args, option, following):
    """`facts --about --kind posting` took --kind as the name and then reported
    "unexpected extra argument (posting)"."""
    r = run(*args)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"yilian: error: option '{option}' has no value: the word after it, '{following}', "
                               f"is {'the end of the options' if following == '--' else 'an option'}")
    assert len(r.stderr.splitlines()) == 1


def test_option_value_that_looks_like_an_option_can_still_be_given_with_equals(run):
    r = run("facts", "--about=--kind")
    assert r.exit_code == 2 and "nothing in the graph is named '--kind'" in r.stderr


def test_every_command_is_a_yilian_command():
    """The no-value check lives in cli.options.Command: every command must use it."""
    import click

    from yilian.cli import main
    from yilian.cli.options import Command, Group

    def walk(cmd):
        yield cmd
        if isinstance(cmd, click.Group):  # through click's API: main loads its commands lazily
            for name in cmd.list_commands(None):
                yield from walk(cmd.get_command(None, name))

    walked = list(walk(main))
    assert {"search", "query", "draft"} <= {cmd.name for cmd in walked}
    for cmd in walked:
        if cmd is main:
            continue
        assert isinstance(cmd, Group if isinstance(cmd, click.Group) else Command), cmd.name
