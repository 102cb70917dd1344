"""One test per exit code, and the error-line contract (one line, where, hint, no traceback)."""

from __future__ import annotations

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
