"""``--help`` in the user's language: the Chinese of :mod:`inspector.cli.help_zh` laid over the command tree typer builds.

The commands keep their English help where it is written; :func:`localized_cli` builds the click command tree once,
and when the language is Chinese replaces every command's and parameter's help in it before anything is parsed.

Why before parsing: click handles ``--help`` eagerly, *while parsing* the command that carries it. In
``inspector --lang zh --help`` the root's help is printed before ``--lang`` is even converted and the root callback
never runs; in ``inspector --lang zh sync --help`` the root callback does run first, but it only sees its own
options. So the language is read from the arguments up front, resolved the way the commands resolve it: an explicit
``--lang zh|en`` (the root's, or the command's own ``--lang`` — the last one given wins), then ``INSPECTOR_LANG``,
then the locale (``LANG=zh_CN.UTF-8`` → zh).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

import typer
import typer.main
import typer.rich_utils
from rich.text import Text
from typer.core import TyperArgument, TyperGroup

from inspector.cli import help_zh
from inspector.cli.chinese_lines import ChineseWrapped
from inspector.cli.report_lang import resolve_lang
from inspector.cli.usage_zh import usage_in_chinese
from inspector.i18n import normalise_lang

if TYPE_CHECKING:
    # typer vendors click privately; these are the types its tree is made of. At run time the formatter's class
    # is taken from the public ``typer.Context``.
    from typer._click import ClickException, Command, Parameter
    from typer._click import HelpFormatter as _BaseFormatter
else:
    _BaseFormatter = typer.Context.formatter_class


class _ChineseHelpFormatter(_BaseFormatter):
    """Click's formatter with a Chinese "Usage:" (the prefix is a literal in click, not a setting)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, help_zh.USAGE_PREFIX if prefix is None else prefix)


class ChineseHelpContext(typer.Context):
    """The context of every command once its help is Chinese: usage lines (in help and in errors) say 用法."""

    formatter_class = _ChineseHelpFormatter


class _ChineseOptionHighlighter(typer.rich_utils.OptionHighlighter):
    """Typer's highlighter of usage lines, which also knows the Chinese "Usage:"."""

    highlights: ClassVar[list[str]] = [
        *typer.rich_utils.OptionHighlighter.highlights,
        rf"(?P<usage>{help_zh.USAGE_PREFIX})",
    ]


def help_lang(args: Sequence[str]) -> str:
    """The language of the help for these arguments: the last ``--lang``, then ``INSPECTOR_LANG``, then the locale.

    An unknown ``--lang`` value falls through to the next source: the command itself reports it when it runs.
    """
    explicit: str | None = None
    for index, token in enumerate(args):
        if token == "--":  # what follows is data, not options
            break
        if token == "--lang" and index + 1 < len(args):
            explicit = normalise_lang(args[index + 1]) or explicit
        elif token.startswith("--lang="):
            explicit = normalise_lang(token.partition("=")[2]) or explicit
    return resolve_lang(explicit)  # the same fallbacks as every command's --lang


def param_key(param: Parameter) -> str:
    """How :mod:`help_zh` names a parameter: an option by its long name, an argument by its name."""
    if isinstance(param, TyperArgument):
        return param.name or ""
    long_names = [opt for opt in param.opts if opt.startswith("--")]
    return long_names[0] if long_names else param.opts[0]


def chinese_param_help(path: tuple[str, ...], param: Parameter) -> str | None:
    """The Chinese help of ``param`` of the command at ``path``: its own entry, else the shared option's."""
    key = param_key(param)
    own = help_zh.PARAMS.get((*path, key))
    if own is not None:
        return own
    return help_zh.SHARED_PARAMS.get((key, _english_help(param)))


def walk_commands(root: Command) -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every command of the tree with its path (``()`` for the root), parents before their sub-commands."""
    pending: list[tuple[tuple[str, ...], Command]] = [((), root)]
    while pending:
        path, command = pending.pop(0)
        yield path, command
        if isinstance(command, TyperGroup):
            pending.extend(((*path, name), sub) for name, sub in command.commands.items())


def missing_chinese(root: Command) -> list[str]:
    """Each visible command, option and argument with English help but no Chinese, as ``inspector sync export --out``."""
    missing: list[str] = []
    for path, command in walk_commands(root):
        if command.hidden:
            continue
        where = " ".join(("inspector", *path))
        if command.help and path not in help_zh.COMMANDS:
            missing.append(where)
        for param in command.params:
            if _english_help(param) and not _is_hidden(param) and chinese_param_help(path, param) is None:
                missing.append(f"{where} {param_key(param)}")
    return missing


def unused_chinese(root: Command) -> list[str]:
    """Each entry of :mod:`help_zh` that names no command or parameter of the tree (renamed or removed)."""
    commands: set[tuple[str, ...]] = set()
    params: set[tuple[str, ...]] = set()
    shared: set[tuple[str, str]] = set()
    for path, command in walk_commands(root):
        commands.add(path)
        for param in command.params:
            params.add((*path, param_key(param)))
            shared.add((param_key(param), _english_help(param)))
    return [
        *(f"command {key}" for key in help_zh.COMMANDS if key not in commands),
        *(f"parameter {key}" for key in help_zh.PARAMS if key not in params),
        *(f"shared option {key}" for key in help_zh.SHARED_PARAMS if key not in shared),
    ]


def apply_chinese_help(root: Command) -> None:
    """Replace the help of every command, option and argument of the tree that has a Chinese text, in place."""
    contexts: dict[tuple[str, ...], typer.Context] = {}
    for path, command in walk_commands(root):
        text = help_zh.COMMANDS.get(path)
        if text is not None:
            command.help = text
            command.short_help = None  # the commands panel then shows the Chinese help's first paragraph
        command.context_class = ChineseHelpContext
        if command.options_metavar == "[OPTIONS]":
            command.options_metavar = help_zh.OPTIONS_METAVAR
        if isinstance(command, TyperGroup) and command.subcommand_metavar == "COMMAND [ARGS]...":
            command.subcommand_metavar = help_zh.SUBCOMMAND_METAVAR
        for param in command.params:
            chinese = chinese_param_help(path, param)
            if chinese is not None:
                param.help = chinese  # type: ignore[attr-defined]  # every typer parameter has help
        # click makes ``--help`` on first use and keeps it; make it now (with the names a real run would give it)
        # so its text can be set too.
        parent = contexts.get(path[:-1]) if path else None
        context = ChineseHelpContext(
            command, info_name=path[-1] if path else "inspector", parent=parent, **command.context_settings
        )
        contexts[path] = context
        help_option = command.get_help_option(context)
        if help_option is not None:
            help_option.help = help_zh.HELP_OPTION


@contextmanager
def chinese_framing() -> Iterator[None]:
    """Typer's own words ("Options", "Commands", "[default: …]", "Error", …) in Chinese while the block runs."""
    names = [name for name in help_zh.FRAMING if hasattr(typer.rich_utils, name)]
    saved = {name: getattr(typer.rich_utils, name) for name in names}
    saved["highlighter"] = typer.rich_utils.highlighter
    for name in names:
        setattr(typer.rich_utils, name, help_zh.FRAMING[name])
    typer.rich_utils.highlighter = _ChineseOptionHighlighter()
    make_text = getattr(typer.rich_utils, "_make_rich_text", None)
    if make_text is not None:
        setattr(typer.rich_utils, "_make_rich_text", _wrapping_chinese(make_text))  # noqa: B010
    show_error = typer.rich_utils.rich_format_error
    setattr(typer.rich_utils, "rich_format_error", _error_in_chinese(show_error))  # noqa: B010
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(typer.rich_utils, name, value)
        if make_text is not None:
            setattr(typer.rich_utils, "_make_rich_text", make_text)  # noqa: B010
        typer.rich_utils.rich_format_error = show_error


def _error_in_chinese(show: Callable[[ClickException], None]) -> Callable[[ClickException], None]:
    """``show`` (typer's error panel) with the usage error's sentence in Chinese (:mod:`inspector.cli.usage_zh`)."""

    def show_in_chinese(error: ClickException) -> None:
        chinese = usage_in_chinese(error.format_message())
        setattr(error, "format_message", lambda: chinese)  # noqa: B010  (this one error, as it is shown)
        show(error)

    return show_in_chinese


def _wrapping_chinese(make_text: Callable[..., object]) -> Callable[..., object]:
    """``make_text`` whose texts wrap the way Chinese wraps (see :mod:`inspector.cli.chinese_lines`).

    Typer offers no setting for how its help texts wrap; its ``_make_rich_text`` is the one private hook used, only
    while Chinese help is shown, and put back afterwards.
    """

    def make_chinese_text(**kwargs: object) -> object:
        rendered = make_text(**kwargs)
        return ChineseWrapped(rendered) if isinstance(rendered, Text) else rendered

    return make_chinese_text


@contextmanager
def localized_cli(app: typer.Typer, args: Sequence[str]) -> Iterator[Command]:
    """The click command of ``app``, its help in the language ``args`` and the environment ask for."""
    command = typer.main.get_command(app)
    if help_lang(args) != "zh":
        yield command
        return
    apply_chinese_help(command)
    with chinese_framing():
        yield command


def _english_help(param: Parameter) -> str:
    return str(getattr(param, "help", None) or "")


def _is_hidden(param: Parameter) -> bool:
    return bool(getattr(param, "hidden", False))
