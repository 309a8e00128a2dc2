"""click's own messages (usage errors, help headings) in Chinese, like every other message.

click looks its messages up through gettext at call time, so wrapping the ``_``/``ngettext``
of its modules is enough. The keys are click's English source strings: a click release that
rewords one would silently fall back to English, so the versions this table was checked
against are pinned in pyproject.toml (``click>=8.1,<8.6``) and ``tests/test_cli.py`` fails
when a key no longer occurs in the installed click's source.
"""

from __future__ import annotations

TESTED_CLICK_VERSIONS = ("8.1", "8.2", "8.3", "8.4", "8.5")

CLICK_CHINESE = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看用法。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有“{name}”这个选项。",
    "No such command {name!r}.": "没有“{name}”这个命令。",
    "Did you mean {possibility}?": "是否应为 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否应为以下之一：{possibilities}？）",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "unknown error": "未知错误",
    "Aborted!": "已中止。",
    "default: {default}": "默认：{default}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not {choice}.": "“{value}”无效，应为 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”无效，应为以下之一：{choices}。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合以下任一格式：{formats}。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”没有读取权限。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”没有写入权限。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不可执行。",
    "Option {name!r} does not take a value.": "选项 {name} 后面不能带取值。",
    "Option {name!r} requires an argument.": "选项 {name} 后面须给出取值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面须给出{nargs}个取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 须给出{nargs}个值。",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "required": "必填",
}

# What help and usage show in place of a value (click prints the type's English name in
# capitals: TEXT, INTEGER RANGE) and of an argument (its parameter name: FILES...).
TYPE_NAMES = {
    "StringParamType": "文字",
    "IntParamType": "整数",
    "IntRange": "整数",
    "FloatParamType": "数字",
    "FloatRange": "数字",
    "BoolParamType": "是/否",
    "DateTime": "日期",
    "UUIDParameterType": "编号",
    "File": "文件",
}
ARGUMENT_NAMES = {
    "FILES": "文件",
    "FILE": "文件",
    "SUBMISSION": "填报文件",
    "DIRECTORY": "文件夹",
    "UNIT": "单位",
    "OLD": "旧名称",
    "NEW": "新名称",
    "PATH": "路径",
    "PLAN": "工作要点",
    "SOURCE": "来源文件",
    "REPORTS": "报告文件",
    "ROOT": "工作文件夹",
}
USAGE_PIECES = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}


def _chinese_metavars() -> None:
    """Value placeholders, argument names and the usage line's [OPTIONS] in Chinese."""
    import click
    import click.types

    for name, label in TYPE_NAMES.items():
        kind = getattr(click.types, name, None)
        if kind is not None:
            kind.name = label
    if getattr(click.Argument.make_metavar, "_chinese", False):
        return
    argument_metavar = click.Argument.make_metavar

    def make_metavar(self, *args, **kwargs):
        text = argument_metavar(self, *args, **kwargs)
        stem = text.strip("[].")
        return text.replace(stem, ARGUMENT_NAMES.get(stem, stem), 1) if stem else text

    make_metavar._chinese = True  # type: ignore[attr-defined]
    click.Argument.make_metavar = make_metavar
    for command_class in {click.Command, click.Group}:
        pieces_of = command_class.__dict__.get("collect_usage_pieces")
        if pieces_of is None:
            continue

        def collect_usage_pieces(self, ctx, _pieces_of=pieces_of):
            return [USAGE_PIECES.get(piece, piece) for piece in _pieces_of(self, ctx)]

        command_class.collect_usage_pieces = collect_usage_pieces


def speak_chinese() -> None:
    """Route click's gettext look-ups through :data:`CLICK_CHINESE` (idempotent)."""
    import gettext
    import importlib

    def translate(message: str) -> str:
        return CLICK_CHINESE.get(message, gettext.gettext(message))

    def translate_plural(singular: str, plural: str, n: int) -> str:
        return translate(singular if n == 1 else plural)

    _chinese_metavars()
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translate
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural
