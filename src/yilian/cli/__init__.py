"""The `yilian` command line: thin wrappers that parse options, call the library and
render results. Errors become one line on stderr and an exit code from errors.ExitCode.

This package is the only place that imports click. `main` is the group; each command
group lives in a module of its own (query, validate, data, explore, network, synth,
serve), which imports its heavy libraries inside the commands so that `yilian query`
stays fast."""

from __future__ import annotations

import os
import sys
import traceback

import click

from .. import __version__
from ..errors import ExitCode, YilianError


class YilianGroup(click.Group):
    """Turns library errors into one stderr line and the documented exit code."""

    def parse_args(self, ctx, args):
        """Accept --debug anywhere before a `--`, also after the subcommand (the error
        messages suggest `rerun with --debug`, and users add it at the end)."""
        end = args.index("--") if "--" in args else len(args)
        if "--debug" in args[:end]:
            ctx.meta["yilian.debug"] = True
            args = [a for a in args[:end] if a != "--debug"] + args[end:]
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as e:
            _usage_error(e)

    def main(self, *args, **kwargs):
        """click's main, and a quiet end when stdout is a closed pipe (also when that is
        only noticed by the final flush at exit)."""
        try:
            return super().main(*args, **kwargs)
        finally:
            try:
                if sys.stdout is not None:
                    sys.stdout.flush()
            except BrokenPipeError:
                _quiet_broken_pipe()
            except (OSError, ValueError):  # stdout closed or gone: nothing left to write to
                pass

    def list_commands(self, ctx):
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx, name):
        if name in COMMANDS and name not in self.commands:
            import importlib

            module, attr = COMMANDS[name]
            self.add_command(getattr(importlib.import_module(f".{module}", __name__), attr), name)
        return self.commands.get(name)

    def invoke(self, ctx):
        debug = bool(ctx.meta.get("yilian.debug")) or bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # the reader of stdout went away (`yilian … | head`): not an error
            _quiet_broken_pipe()
        except YilianError as e:
            if debug:  # the traceback, and the documented exit code all the same
                traceback.print_exc()
            click.echo(f"yilian: error: {e.render()}", err=True)
            ctx.exit(int(e.exit_code))
        except RecursionError:
            if debug:
                traceback.print_exc()
            click.echo("yilian: error: the input is nested too deeply to process "
                       "(simplify the query or data)", err=True)
            ctx.exit(int(ExitCode.LIMIT))
        except MemoryError:
            click.echo("yilian: error: out of memory (use a smaller input or a SPARQL server with --endpoint)", err=True)
            ctx.exit(int(ExitCode.LIMIT))
        except click.UsageError as e:
            _usage_error(e)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("yilian: interrupted", err=True)
            ctx.exit(130)
        except Exception as e:  # a bug: say so briefly, traceback only with --debug
            if debug:
                traceback.print_exc()
            click.echo(f"yilian: internal error: {type(e).__name__}: {e} (rerun with --debug for a traceback "
                       "and report it)", err=True)
            ctx.exit(int(ExitCode.INTERNAL))


def _usage_error(e: click.UsageError) -> None:
    """A mistake on the command line (unknown command or option, a bad option value, a
    missing argument) as one stderr line, like every other error, with the help to read;
    exit 2 (ExitCode.BAD_INPUT). click's own form is three lines (usage, hint, error).
    A command given no arguments where it shows its help (NoArgsIsHelpError) keeps
    click's behaviour."""
    if isinstance(e, click.exceptions.NoArgsIsHelpError):
        raise e
    names, ctx = [], e.ctx or _innermost_context(e)
    while ctx is not None and ctx.parent is not None:  # the root is `yilian` whatever argv[0] says
        names.append(ctx.info_name)
        ctx = ctx.parent
    where = " ".join(["yilian", *reversed(names)])
    click.echo(f"yilian: error: {e.format_message().rstrip('.')} (see '{where} --help')", err=True)
    sys.exit(int(ExitCode.BAD_INPUT))


def _innermost_context(e: BaseException):
    """The context of the (sub)command whose arguments were being parsed when `e` was
    raised: click raises some usage errors ("Option '--top' requires an argument") without
    one, and the help to read is that command's, not the group's."""
    found, tb = None, e.__traceback__
    while tb is not None:
        ctx = tb.tb_frame.f_locals.get("ctx")
        if isinstance(ctx, click.Context):
            found = ctx
        tb = tb.tb_next
    return found


def _quiet_broken_pipe() -> None:
    """End as other command-line tools do when their reader has gone: exit 141 (128 +
    SIGPIPE) without a message. stdout is pointed at /dev/null first so that Python's
    flush at exit cannot fail again (as the Python documentation on SIGPIPE advises)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (tests)
        pass
    sys.exit(141)


@click.group(cls=YilianGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yilian")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def main(debug: bool) -> None:
    """yilian (医联): query, validate and export the knowledge graph of China's
    health-system reform. Every fact carries its source document and a verbatim quote."""


#: each command: the module of this package that defines it, and its name there. A command's
#: module is imported when the command runs (or help lists them all), not before: `yilian
#: search` does not import the modules of draft, serve or network (YilianGroup.get_command,
#: click's lazy loading of subcommands).
COMMANDS = {
    "query": ("query", "query"), "queries": ("query", "queries"), "validate": ("validate", "validate"),
    "export": ("data", "export"), "stats": ("explore", "stats"), "describe": ("explore", "describe"),
    "search": ("explore", "search"), "facts": ("explore", "facts"), "timeline": ("explore", "timeline"),
    "serve": ("serve", "serve"), "fmt": ("data", "fmt"), "network": ("network", "network"),
    "synth": ("synth", "synth"), "site": ("web", "site"), "source": ("curation", "source"),
    "draft": ("curation", "draft"), "add": ("curation", "add"), "check": ("curation", "check"),
}


if __name__ == "__main__":  # pragma: no cover
    main()
