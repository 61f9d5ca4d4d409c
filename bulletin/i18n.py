"""The messages editors read, in Chinese (the default) or in English.

bulletin's own messages are written in English: that text is the message's identity, and
developer logs, tests and `str(exc)` keep it. They are translated only when shown, by
`t()`: the catalogue below pairs an English message template with its Chinese template,
e.g. ``("required field '{f:q}' is missing", "缺少必填字段“{f}”")``. A placeholder in the
English template matches the variable part of a message:

    {name}      anything (as little as possible)
    {name:d}    digits
    {name:s}    text without spaces (a path, a URL)
    {name:q}    text without ' (inside '…')
    {name:m}    a message of its own, translated in turn ("cross-check: {d:m}")
    {name:l}    a list "a, b, c" whose items are translated in turn ({name:p}: "a; b; c")

and `{{`/`}}` are literal braces, as in str.format. The first template that matches the
whole text wins, so the specific ones come before the general ones at the end. A text with
no matching template stays English: a missing translation never breaks anything. A text
of several lines is translated line by line, and "message (hint)" as its two parts.

The language is a context variable: the CLI sets it from `--lang` (or BULLETIN_LANG) and
otherwise from bulletin.toml's `messages = "zh" | "en"` (`from_project`); unset, it is "zh".
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import string
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "bulletin_messages", default=None
)


def language() -> str:
    """The language messages are shown in now: "zh" or "en"."""
    return _LANG.get() or DEFAULT


def decided() -> bool:
    """Whether the language was chosen (by --lang, BULLETIN_LANG or bulletin.toml)."""
    return _LANG.get() is not None


def set_language(lang: str | None) -> contextvars.Token[str | None]:
    """Choose the language (None: not chosen, the default applies)."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"messages language must be one of {', '.join(LANGUAGES)}: {lang!r}")
    return _LANG.set(lang)


def reset(token: contextvars.Token[str | None]) -> None:
    _LANG.reset(token)


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[None]:
    """Show messages in `lang` inside the block (for threads, which start with no context)."""
    token = set_language(lang)
    try:
        yield
    finally:
        _LANG.reset(token)


def from_project(root: Path) -> None:
    """bulletin.toml's `messages` setting, when nothing chose the language before it.

    A broken or missing bulletin.toml is left to the loaders, which report it (in the
    default language); an invalid value is reported by SiteConfig in the same way.
    """
    if decided():
        return
    try:
        with open(Path(root) / "bulletin.toml", "rb") as f:
            value = tomllib.load(f).get("messages")
    except (OSError, ValueError, RecursionError):
        return
    if value in LANGUAGES:
        _LANG.set(value)


# -- showing messages --------------------------------------------------------------------------


def t(text: str) -> str:
    """`text` (a message in English) in the current language."""
    if language() == "en" or not text:
        return text
    return "\n".join(_line(line) or line for line in text.split("\n"))


def zh(text: str) -> str | None:
    """The Chinese of one English message, or None when the catalogue has no entry for it."""
    lines = [_line(line) for line in text.split("\n")]
    if not any(lines):
        return None
    return "\n".join(done or line for done, line in zip(lines, text.split("\n"), strict=True))


def level(word: str) -> str:
    """The level word with its colon: "warning: " / "警告："."""
    return _level(word, language())


def where(file: str | None, line: int | None, field: str | None = None) -> str:
    parts = []
    if file is not None:
        parts.append(f"{file}:{line}" if line else str(file))
    if field:
        parts.append(f"'{field}'")
    return ": ".join(parts)


def finding(f: Any, lang: str | None = None) -> str:
    """A diagnostic as `bulletin build` prints it: "警告：文件:行: '字段': 消息"."""
    lang = lang or language()
    at = where(f.file, f.line, f.field)
    text = render(f.message, lang)
    if lang == "en":
        return f"{f.level}: {at}: {text}" if at else f"{f.level}: {text}"
    return _level(f.level, lang) + (f"{at}: " if at else "") + text


def error(d: Any, lang: str | None = None, more: Any = ()) -> str:
    """An error as one line, "文件:行: '字段': 消息（提示）", and a line for each further problem
    found with it, "  文件:行: 消息（提示）"."""
    lang = lang or language()
    message = render(d.message, lang)
    hint = render(d.hint, lang) if d.hint is not None else None
    at = where(d.file, d.line, d.field)
    if lang == "en":
        text = f"{at}: {message}" if at else message
        if not (hint and message.split("\n")[0].endswith(f" ({hint})")):  # (config's, inside)
            text += f" ({hint})" if hint else ""
    else:
        first, *rest = message.split("\n")
        if hint and first.endswith(f"（{hint}）"):  # config's validation errors carry it inside
            first = first[: -len(hint) - 2]
        first = (f"{at}: " if at else "") + first + (f"（{hint}）" if hint else "")
        text = "\n".join([first, *rest])
    return text + _more(more, lang)


def _more(more: Any, lang: str) -> str:
    """The further problems found with an error, a line each: "\n  文件:行: 消息（提示）"."""
    text = ""
    for m in more:
        line = render(m.message, lang)
        if m.hint is not None:
            shown = render(m.hint, lang)
            line += f" ({shown})" if lang == "en" else f"（{shown}）"
        text += f"\n  {m.file}:{m.line or '?'}: {line}"
    return text


def error_parts(exc: Any) -> tuple[str, str | None]:
    """(message, hint) of a BulletinError in the current language, without file and line;
    the message ends with a line for each further problem found with it."""
    d = exc.diagnostic
    hint = render(d.hint) if d.hint is not None else None
    first, *more = render(d.message).split("\n")
    rest = _more(exc.more, language())
    if language() == "en":
        return "\n".join([first, *more]) + rest, hint
    if hint and first.endswith(f"（{hint}）"):
        first = first[: -len(hint) - 2]
    return "\n".join([first, *more]) + rest, hint


def error_prefix() -> str:
    """What precedes an error that stops a command (click's "Error: ")."""
    return "Error: " if language() == "en" else "错误："


def level_in(word: str, lang: str) -> str:
    """The level word with its colon in `lang`: "warning: " / "警告："."""
    return _level(word, lang)


def _level(word: str, lang: str) -> str:
    if lang == "en":
        return f"{word}: "
    return {"warning": "警告：", "error": "错误：", "info": "提示："}.get(word, f"{word}: ")


# -- messages by id: the catalogues ------------------------------------------------------------

CATALOGUES = Path(__file__).parent / "messages"


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """{id: {"en": template, "zh": template}} of every bulletin/messages/<area>.toml: the
    entry `[name]` of area.toml is the message `area.name`."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOGUES.glob("*.toml")):
        with open(path, "rb") as f:
            for name, entry in tomllib.load(f).items():
                found[f"{path.stem}.{name}"] = entry
    return found


class _Formatter(string.Formatter):
    """str.format over a message's parameters: a Message is shown in the same language; a
    list is its items (each shown) joined — `{x}` or `{x:list}` with ", " (Chinese "、"),
    `{x:semi}` with "; " (Chinese "；"), `{x:lines}` one per line. A Diagnostic is its line
    as `bulletin build` prints a warning; a BulletinError its line(s) as `error()` gives them."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, list | tuple):
            joiners = {
                "": (", ", "、"), "list": (", ", "、"), "semi": ("; ", "；"),
                "lines": ("\n", "\n"), "space": (" ", " "),
            }  # fmt: skip
            en, zh = joiners[format_spec]
            return (en if self.lang == "en" else zh).join(self.format_field(v, "") for v in value)
        if hasattr(value, "params") and hasattr(value, "id"):
            return render(value, self.lang)
        if hasattr(value, "severity"):  # a Diagnostic: its line, as `build` prints a warning
            return finding(value, self.lang)
        if hasattr(value, "diagnostic") and hasattr(value, "more"):  # a BulletinError
            return error(value.diagnostic, self.lang, value.more)
        return format(value, format_spec)


def render(message: Any, lang: str | None = None) -> str:
    """A Message in `lang` (default: the current language)."""
    lang = lang or language()
    params = dict(message.params)
    if not message.id:  # a text of the old kind: English, translated when shown
        text = str(params["text"])
        return text if lang == "en" else t(text)
    try:
        template = catalogue()[message.id][lang]
    except KeyError:
        raise LookupError(f"no {lang} text for {message.id} in {CATALOGUES}") from None
    return _Formatter(lang).vformat(template, (), params)


# -- the catalogue -----------------------------------------------------------------------------

# (English template, Chinese template). Specific entries first: the first full match wins.
CATALOGUE: tuple[tuple[str, str], ...] = (
    # -- config.py: bulletin.toml, edition.toml, front matter ---------------------------------
    ("unknown field '{f:q}'", "未知字段“{f}”"),
    ("required field '{f:q}' is missing", "缺少必填字段“{f}”"),
    ("did you mean '{x}'?", "是否应为“{x}”？"),
    ("valid fields: {names}", "可用的字段：{names}"),
    ("must start with http:// or https://", "必须以 http:// 或 https:// 开头"),
    (
        "must be a folder name inside the project, such as 'site'",
        "必须是项目里的一个文件夹名，如 'site'",
    ),
    ("file not found", "文件不存在"),
    ("not valid UTF-8 text (byte {n:d})", "不是有效的 UTF-8 文本（第 {n} 个字节出错）"),
    ("not UTF-8 text (byte {n:d})", "不是 UTF-8 文本（第 {n} 个字节出错）"),
    ("cannot read the file: {why:m}", "无法读取文件：{why}"),
    ("the file changed while the site was being built", "生成网站的过程中，这个文件被改动了"),
    ("build again", "再生成一次"),
    ("TOML syntax error: {why:m}", "TOML 格式错误：{why}"),
    ("TOML cannot be read: {why:m}", "TOML 读不了：{why}"),
    ("a number has far too many digits", "有一个数字的位数太多"),
    ("values are nested too deeply", "值的嵌套层数太多"),
    (
        "no YAML front matter: an article starts with '---', its fields, then '---'",
        "没有标题信息：稿件要以一行 '---' 开头，接着写各项，再写一行 '---'",
    ),
    ("at least 'title: …'", "至少要写 'title: …'"),
    ("front matter is not valid YAML: {why:m}", "标题信息不是合法的 YAML：{why}"),
    (
        "front matter has a value YAML cannot read: {why:m}",
        "标题信息里有一个 YAML 读不了的值：{why}",
    ),
    ("quote text: byline: '2021-02-30'", "文字请加引号，如 byline: '2021-02-30'"),
    ("front matter must be 'field: value' lines", "标题信息必须是“项: 值”形式的行"),
    ("'{k:q}' is given twice", "“{k}”写了两次"),
    ("the first is on line {n:d}; keep one", "第一次在第 {n} 行；只保留一个"),
    (
        "the {what:m} name '{slug}' becomes part of a web address",
        "{what}名“{slug}”会成为网址的一部分",
    ),
    ("the name '{slug}' becomes part of a web address", "名字“{slug}”会成为网址的一部分"),
    ("edition folder", "期号文件夹"),
    ("article file", "稿件文件"),
    ("table", "表格"),
    (
        "use Latin letters, digits, '-' and '_' only, such as {a} or {b}",
        "只能用英文字母、数字、'-' 和 '_'，如 {a} 或 {b}",
    ),
    (
        "use Latin letters, digits, '-' and '_' only, such as {a}",
        "只能用英文字母、数字、'-' 和 '_'，如 {a}",
    ),
    # tomllib's reasons
    ("Invalid value", "值的写法不对（文字要加英文引号）"),
    ("Invalid statement", "这一行不是“项 = 值”的形式"),
    ("Expected '=' after a key in a key/value pair", "项名后面应该是 '='"),
    ("Unclosed array", "列表没有结束（缺少 ']' 或逗号）"),
    ("Unclosed inline table", "行内表没有结束（缺少 '}}'）"),
    ("Unterminated string", "引号没有配对"),
    ("Cannot overwrite a value", "同一项写了两次"),
    ("Cannot declare {k} twice", "{k} 写了两次"),
    ("Invalid date or datetime", "日期写法不对"),
    ("Invalid initial character for a key part", "项名的开头有不能用的字符"),
    ("Expected newline or end of document after a statement", "一行只能写一项"),
    ("Expected ']' at the end of a table declaration", "表头缺少结尾的 ']'"),
    ("Expected ']]' at the end of an array declaration", "表头缺少结尾的 ']]'"),
    ("Illegal character {c}", "不能用的字符 {c}"),
    ("Found invalid character {c}", "有不能用的字符 {c}"),
    ("at end of document", "在文件末尾"),
    # PyYAML's reasons
    ("mapping values are not allowed here", "这里不能有冒号（值里有英文冒号时，给整个值加引号）"),
    ("could not find expected ':'", "缺少冒号"),
    ("did not find expected key", "缺少项名"),
    ("found undefined alias", "有未定义的别名（值里的 * 要加引号）"),
    ("found character {c} that cannot start any token", "值的开头有不能用的字符 {c}"),
    ("found unexpected end of stream", "引号或括号没有配对"),
    ("nested too deeply", "嵌套层数太多"),
    ("day is out of range for month", "这个月没有这一天"),
    ("month must be in 1..12", "月份必须在 1 到 12 之间"),
    ("year {y} is out of range", "年份 {y} 超出范围"),
    # pydantic's own descriptions of a wrong value (config._describe, tablespec)
    ("{msg:m} (got {value})", "{msg}（现在的值：{value}）"),
    ("Value error, {msg:m}", "{msg}"),
    ("Input should be '{a}' or '{b}'", "只能是 '{a}' 或 '{b}'"),
    ("Input should be a valid integer", "应为整数"),
    (
        "Input should be a valid integer, unable to parse string as an integer",
        "应为整数（不加引号）",
    ),
    (
        "Input should be a valid integer, got a number with a fractional part",
        "应为整数，不能有小数",
    ),
    ("Unable to parse input string as an integer, exceeded maximum size", "数字太大"),
    ("Input should be a valid number", "应为数字"),
    ("Input should be a valid number, unable to parse string as a number", "应为数字（不加引号）"),
    ("Input should be a finite number", "应为有限的数字"),
    ("Input should be a valid string", "应为文字（加英文引号）"),
    ("Input should be a valid boolean", "应为 true 或 false"),
    ("Input should be a valid boolean, unable to interpret input", "应为 true 或 false"),
    ("Input should be a valid list", '应为列表，如 ["a", "b"]'),
    ("Input should be a valid dictionary", "应为一组“项 = 值”"),
    ("Input should be a valid dictionary or instance of {name}", "应为一组“项 = 值”"),
    ("Input should be a valid date", "应为日期，如 2021-11-26（不加引号）"),
    ("Input should be a valid date or datetime, {why:m}", "应为日期，如 2021-11-26：{why}"),
    ("input is too short", "太短"),
    ("input is too long", "太长"),
    ("month value is outside expected range of 1-12", "月份应在 1 到 12 之间"),
    ("day value is outside expected range", "这个月没有这一天"),
    ("invalid date separator, expected `-`", "年月日之间应该用 `-` 分开"),
    ("invalid character in year", "年份里有不能用的字符"),
    ("invalid character in month", "月份里有不能用的字符"),
    ("invalid character in day", "日子里有不能用的字符"),
    (
        "Datetimes provided to dates should have zero time - e.g. be exact dates",
        "只写日期，不写时间",
    ),
    ("Input should be greater than or equal to {n}", "应大于或等于 {n}"),
    ("Input should be greater than {n}", "应大于 {n}"),
    ("Input should be less than or equal to {n}", "应小于或等于 {n}"),
    ("Input should be less than {n}", "应小于 {n}"),
    ("String should have at least {n:d} character", "至少要有 {n} 个字"),
    ("String should have at least {n:d} characters", "至少要有 {n} 个字"),
    ("String should have at most {n:d} characters", "最多 {n} 个字"),
    ("String should match pattern '{p}'", "写法不符合要求（只能用英文字母、数字、'-' 和 '_'）"),
    (
        "List should have at least {n:d} item after validation, not {m:d}",
        "至少要有 {n} 项，现在是 {m} 项",
    ),
    (
        "List should have at least {n:d} items after validation, not {m:d}",
        "至少要有 {n} 项，现在是 {m} 项",
    ),
    ("Field required", "缺少这一项"),
    ("Extra inputs are not permitted", "没有这一项"),
    # -- content.py -------------------------------------------------------------------------
    (
        "no content/ folder: editions live in content/<edition-id>/",
        "没有 content/ 文件夹：各期放在 content/<期号>/ 里",
    ),
    (
        "is a link to a file outside the project folder; bulletin reads only files inside it",
        "是指向项目文件夹以外的链接；程序只读取项目文件夹里的文件",
    ),
    (
        "copy the file into the project instead of linking to it",
        "把文件本身复制到项目里，不要用链接",
    ),
    ("an edition folder needs an edition.toml", "这个期号文件夹里没有 edition.toml"),
    ("bulletin new edition creates one", "运行 bulletin new edition 可以新建一期"),
    (
        "page {p:d} does not exist: the edition has {n:d} page(s)",
        "第 {p} 版不存在：这一期只有 {n} 个版面",
    ),
    (
        "article '{s}' is not in page {p:d}'s articles list",
        "稿件“{s}”不在第 {p} 版的 articles 列表里",
    ),
    ('add "{slug}" to it, or delete {shown}', '把 "{slug}" 加进这个列表，或者删除 {shown}'),
    ("save the file as UTF-8", "把文件另存为 UTF-8 编码"),
    ("第{n}期 of {year} is also {other}", "{year}年第{n}期与 {other} 重复"),
    (
        "page {p:d} lists article '{s}', but there is no {file}.md",
        "第 {p} 版列出了稿件“{s}”，但没有 {file}.md 这个文件",
    ),
    ("the name is the file name without .md", "写文件名，不带 .md"),
    ("article '{s}' is listed twice", "稿件“{s}”列出了两次"),
    (
        "front matter says page {a}, but edition.toml lists it on page {b:d}",
        "标题信息写的是第 {a} 版，edition.toml 却把它列在第 {b} 版",
    ),
    # -- builder.py ---------------------------------------------------------------------------
    ("no published edition to build", "没有已发布的期次可以生成"),
    (
        'set status = "published" in an edition.toml, or build with --drafts',
        '在 edition.toml 里写 status = "published"，或者用 --drafts 生成草稿',
    ),
    (
        "{n:d} warning(s), and --strict makes them errors:",
        "{n} 个警告；用了 --strict，警告算作错误：",
    ),
    (
        "page {p:d} lists table '{name}', but data/{id}/ has no {file}.toml",
        "第 {p} 版列出了表格“{name}”，但 data/{id}/ 里没有 {file}.toml",
    ),
    ("computing tables of {n:d} edition(s)", "计算 {n} 期的表格"),
    ("rendering pages", "生成网页"),
    ("{n:d} unchanged edition(s) taken from the cache", "{n} 期没有改动，取自缓存"),
    ("typesetting {n:d} PDF(s)", "排版 {n} 个 PDF"),
    ("indexing for search", "建立搜索索引"),
    ("writing {n:d} files", "写入 {n} 个文件"),
    ("updated {file}", "已更新 {file}"),
    # -- charts.py ----------------------------------------------------------------------------
    ("no chart font installed: {fonts}", "没有安装画图用的字体：{fonts}"),
    (
        "install fonts-noto-cjk (Debian) or set fonts.sans in bulletin.toml",
        "安装 fonts-noto-cjk（Debian），或者在 bulletin.toml 里设置 fonts.sans",
    ),
    (
        "chart '{c}': highlight names no row '{r}'",
        "图表“{c}”：highlight 的 names 里的“{r}”不是表中的行",
    ),
    ("rows: {names}", "所有的行：{names}"),
    ("chart '{c}': '{col}' has no total to draw", "图表“{c}”：“{col}”没有合计值可画"),
    ("give a number, or no reference", "写一个数，或者不写 reference"),
    ("chart '{c}': no row '{r}'", "图表“{c}”：表中没有“{r}”这一行"),
    (
        "the chart font ({fonts}) has no glyph for '{ch}' (U+{code}) in '{text}'",
        "图表字体（{fonts}）里没有“{text}”中的“{ch}”字（U+{code}）",
    ),
    (
        "set fonts.sans in bulletin.toml to a font that has it",
        "在 bulletin.toml 的 fonts.sans 里写一个有这个字的字体",
    ),
    ("chart '{c}' is also defined by table '{table}'", "图表“{c}”在表格“{table}”里也有定义"),
    (
        "chart names are file names in the edition folder: give it another name",
        "图表名就是本期文件夹里的文件名：另起一个名字",
    ),
    # -- check.py -----------------------------------------------------------------------------
    ("→ fix: {fix:m}", "→ 修改建议：{fix}"),
    (
        "correct this item as the message says (field name, value or format), save, "
        "and run bulletin check again",
        "按提示改正这一项（字段名、取值或格式），保存后再运行 bulletin check",
    ),
    (
        "correct this place in the article as the message says, save, and run bulletin check again",
        "按提示改正文章中的这一处，保存后再运行 bulletin check",
    ),
    (
        "correct this place in the data file or the table spec (.toml) as the message says",
        "按提示改正表格文件或表格说明（.toml）中的这一处",
    ),
    (
        "correct it as the message says, then run bulletin check again",
        "按提示改正后再运行 bulletin check",
    ),
    (
        "check the hand-typed values (or the totals row) in the table: the web page and the PDF "
        "show the computed values",
        "核对表格中手填的数值（或合计行）：网页和 PDF 显示的是计算值",
    ),
    (
        "shorten the article, or move an article to another page (版) in edition.toml; until "
        "then the print edition continues it on a further sheet, with 下转 and 上接 lines",
        "删减稿件，或在 edition.toml 里把一篇稿件移到别的版；否则 PDF 把它转到后面的一张纸上续完，"
        "印“下转”“上接”",
    ),
    (
        "delete the HTML tags and write Markdown instead (bold is **text**)",
        "删去 HTML 标记，改用 Markdown 写法（加粗用 **文字**）",
    ),
    (
        "links may only go to http(s)://, mailto: addresses or pages of this site",
        "只能链接 http(s)://、mailto: 网址或本站页面",
    ),
    (
        "change it as the message says; with --strict this counts as an error",
        "按提示修改；用 --strict 检查时这会算作错误",
    ),
    (
        "run bulletin new edition to start an edition, or delete this folder",
        "运行 bulletin new edition 新建一期，或删除这个文件夹",
    ),
    (
        "run it in the project folder, or start the first edition with bulletin new edition",
        "在项目文件夹里运行，或用 bulletin new edition 新建第一期",
    ),
    (
        "data/{id} has no edition content/{id2}: its tables are never used",
        "data/{id} 没有对应的一期 content/{id2}：其中的表格不会被用到",
    ),
    (
        "rename the folder to its edition's name, or delete it",
        "把文件夹改名为对应一期的名字，或删除它",
    ),
    (
        "page {p:d} lists table '{name}', but there is no data/{id}/{file}.toml",
        "第 {p} 版列出了表格“{name}”，但没有 data/{id}/{file}.toml",
    ),
    ("use a table this edition has: {names}", "改成本期已有的表格名：{names}"),
    (
        "this edition has no tables: delete this entry, or first import one with "
        "bulletin import table.xlsx",
        "本期没有表格：删去这一项，或先用 bulletin import 表格.xlsx 导入",
    ),
    (
        "the {what:m} is {n:d} characters long; more than {limit:d} is hard to set in a column",
        "{what}有 {n} 个字；超过 {limit} 个字在分栏里很难排好",
    ),
    ("shorten the {what:m} to {limit:d} characters or fewer", "把{what}缩短到 {limit} 个字以内"),
    ("headline (title)", "主题"),
    ("kicker", "引题"),
    ("subtitle", "副题"),
    ("link '{href}' points outside the site", "链接“{href}”指向网站以外"),
    (
        "link '{href}' starts with '/': it breaks when the site is not at the top of its "
        "web address",
        "链接“{href}”以 '/' 开头：网站不在网址的最顶层时（如 http://内网/bulletin/）会失效",
    ),
    (
        "link '{href}' points to '{target}', which the site will not have",
        "链接“{href}”指向“{target}”，生成的网站里没有它",
    ),
    (
        "link '{href}' points to a page of draft edition {id}, which a published site will not "
        "have",
        "链接“{href}”指向草稿期次 {id} 的页面，正式发布的网站里没有它",
    ),
    ("article pages on the site end in .html: write {good}", "网站上的文章页是 .html：写成 {good}"),
    ("did you mean to link {good}?", "是不是要链接 {good}？"),
    ("write a relative link, such as ../{example}", "写相对链接，例如 ../{example}"),
    (
        "link an article page of this site (name.html), an edition (../edition-id/) or a PDF; "
        "put attachments outside the site",
        "链接本站的文章页（名字.html）、某一期（../期号/）或 PDF；附件请放到网站以外",
    ),
    ("save this photo again as JPG or PNG", "用 JPG 或 PNG 格式重新保存这张照片"),
    ("✓ checked: no problems found.", "✓ 检查完毕，没有发现问题。"),
    (
        "checked: {e:d} error(s), {w:d} warning(s). (--strict: warnings count as errors)",
        "检查完毕：{e} 个错误，{w} 个警告。（--strict：警告也算作错误）",
    ),
    ("checked: {e:d} error(s), {w:d} warning(s).", "检查完毕：{e} 个错误，{w} 个警告。"),
    ("(--strict: warnings count as errors)", "（--strict：警告也算作错误）"),
    # -- crawl.py (publish's checks of the site) ----------------------------------------------
    ("redirects out of the site, to {url}", "被转到了网站以外：{url}"),
    (
        "differs from the built site (an old release, or a cache?)",
        "与生成的网站不一致（旧版本，还是缓存？）",
    ),
    ("leaves the site", "指向网站以外"),
    ("served as {a}, not {b} (see {doc})", "服务器给出的文件类型是 {a}，应为 {b}（见 {doc}）"),
    ("no such file", "文件不存在"),
    ("no answer ({why:m})", "没有应答（{why}）"),
    ("HTTP {n:d}", "HTTP {n}"),
    ("{url:s}: {why:m} (linked from {page})", "{url}：{why}（链接自 {page}）"),
    ("… and {n:d} more", "……另有 {n} 个"),
    ("verified {summary:m}", "检查通过：{summary}"),
    # CrawlReport.summary(): the four forms
    (
        "{where}: {p:d} pages and {a:d} other files reachable, {x:d} link(s) out of the site "
        "(allowed); {n:d} problem(s):",
        "{where}：可以访问到 {p} 个页面和 {a} 个其他文件，{x} 个链接指向网站以外（已允许）；"
        "{n} 个问题：",
    ),
    (
        "{where}: {p:d} pages and {a:d} other files reachable; {n:d} problem(s):",
        "{where}：可以访问到 {p} 个页面和 {a} 个其他文件；{n} 个问题：",
    ),
    (
        "{where}: {p:d} pages and {a:d} other files reachable, {x:d} link(s) out of the site "
        "(allowed)",
        "{where}：可以访问到 {p} 个页面和 {a} 个其他文件，{x} 个链接指向网站以外（已允许）",
    ),
    (
        "{where}: {p:d} pages and {a:d} other files reachable",
        "{where}：可以访问到 {p} 个页面和 {a} 个其他文件",
    ),
    # -- expr.py (table expressions) ----------------------------------------------------------
    ("expression `{text}`, character {n:d}: {why:m}", "公式 `{text}` 第 {n} 个字符处：{why}"),
    ("{kind:m} is not allowed in table expressions", "表格公式里不能用：{kind}"),
    ("attribute access (a.b)", "属性（a.b）"),
    ("subscripts (a[0])", "下标（a[0]）"),
    ("comparisons", "比较"),
    ("strings", "文字"),
    ("tuples", "元组"),
    ("lists", "列表"),
    ("dicts", "字典"),
    ("sets", "集合"),
    ("comprehensions", "推导式"),
    (
        "the operator {op} is not allowed; use + - * / and ( )",
        "不能用运算符 {op}；只能用 + - * / 和 ( )",
    ),
    ("the expression is empty", "公式是空的"),
    ("longer than {n:d} characters", "超过了 {n} 个字符"),
    ("{kind} constants are not allowed; only numbers", "公式里不能写 {kind} 常量，只能写数字"),
    ("the number is too large", "数字太大"),
    ("the name '{n}' is not allowed (double underscore)", "不能用名字“{n}”（有两个连着的下划线）"),
    ("unknown column '{n}'", "没有“{n}”这一列"),
    ("columns: {names}", "所有的列：{names}"),
    ("calling '{f}' is not allowed", "不能调用“{f}”"),
    ("the functions are {names}", "能用的函数是 {names}"),
    ("{f}() takes plain arguments only", "{f}() 的参数只能是普通的值"),
    (
        "{f}() takes {low:d}–{high:d} arguments, not {n:d}",
        "{f}() 要 {low}–{high} 个参数，不是 {n} 个",
    ),
    (
        "round(x, n) needs n to be a whole number from 0 to 10",
        "round(x, n) 的 n 必须是 0 到 10 的整数",
    ),
    ("unclosed backtick", "反引号没有配对"),
    ("empty column name in backticks", "两个反引号之间是空的"),
    ("not a valid expression ({why:m})", "不是合法的算式（{why}）"),
    ("too complex (nested too deeply)", "太复杂（括号嵌套层数太多）"),
    ("invalid syntax", "写法有错"),
    ("invalid syntax. Perhaps you forgot a comma?", "写法有错，是不是漏了运算符？"),
    ("'{c}' was never closed", "“{c}”没有配对"),
    ("unmatched '{c}'", "“{c}”没有配对"),
    ("invalid character '{c}' (U+{code})", "不能用的字符“{c}”（U+{code}）"),
    # -- images.py, pdf.py, markdown.py: images ------------------------------------------------
    ("image '{src}' is outside the edition folder", "图片“{src}”在本期文件夹以外"),
    (
        "keep images beside the article, in the edition folder",
        "图片要和稿件放在一起，放在本期文件夹里",
    ),
    ("image '{src}' not found", "找不到图片“{src}”"),
    ("expected at {path}", "应在 {path}"),
    (
        "image '{src}': SVG images are not allowed (they can carry scripts)",
        "图片“{src}”：不能用 SVG 图片（它可以夹带脚本）",
    ),
    ("save it as PNG or JPEG", "另存为 PNG 或 JPEG"),
    ("save it as JPEG or PNG", "另存为 JPEG 或 PNG"),
    (
        "image '{src}' cannot be read: it is not a {formats} image",
        "图片“{src}”读不了：它不是 {formats} 图片",
    ),
    (
        "save it as PNG or JPEG (an SVG, too, must be converted)",
        "另存为 PNG 或 JPEG（SVG 也要转换）",
    ),
    ("image '{src}' cannot be read: {why:m}", "图片“{src}”读不了：{why}"),
    ("image '{src}' is not a file in the edition folder", "图片“{src}”不是本期文件夹里的文件"),
    (
        "save the image beside the article and write ![图注](photo.jpg)",
        "把图片存到稿件旁边，写成 ![图注](photo.jpg)",
    ),
    ("image '{src}' is outside the project", "图片“{src}”在项目文件夹以外"),
    ("image '{src}' cannot be printed: {why:m}", "图片“{src}”排不进 PDF：{why}"),
    # -- markdown.py, typst.py ----------------------------------------------------------------
    (
        "raw HTML is not allowed in articles; it is shown as text",
        "稿件里不能用 HTML，它会原样显示为文字",
    ),
    ("raw HTML {html} is shown as text", "HTML {html} 会原样显示为文字"),
    (
        "link to {href} removed: only http(s), mailto and relative links are allowed",
        "去掉了指向 {href} 的链接：只能链接 http(s)、mailto 和相对地址",
    ),
    ("unknown directive '{{{k}}}'", "不认识的指令“{{{k}}}”"),
    ("use {{table}} name or {{chart}} name", "写 {{table}} 表格名 或 {{chart}} 图表名"),
    ("no table named '{n}'", "没有名为“{n}”的表格"),
    ("no chart named '{n}'", "没有名为“{n}”的图表"),
    ("this edition's {what:m}: {names}", "本期的{what}：{names}"),
    ("this edition has no {what:m}", "本期没有{what}"),
    ("tables", "表格"),
    ("charts", "图表"),
    ("unknown role '{{{k}}}'", "不认识的写法“{{{k}}}”"),
    ("use {{value}}`table/row/column`", "写成 {{value}}`表格/行/列`"),
    ("{{value}}`{c}` needs table/row/column", "{{value}}`{c}` 要写成“表格/行/列”"),
    ("for example {{value}}`microcredit/合计/获贷率`", "例如 {{value}}`microcredit/合计/获贷率`"),
    ("{{value}}`{c}`: {why:m}", "{{value}}`{c}`：{why}"),
    # -- tableview.py (cited values) ----------------------------------------------------------
    (
        "table '{t}' has no column '{c}'; columns: {names}",
        "表格“{t}”没有“{c}”这一列；所有的列：{names}",
    ),
    (
        "table '{t}' has no row '{r}'; did you mean '{near}'?",
        "表格“{t}”没有“{r}”这一行；是否应为“{near}”？",
    ),
    ("table '{t}' has no row '{r}'; rows: {names}", "表格“{t}”没有“{r}”这一行；所有的行：{names}"),
    (
        "column '{c}' is ambiguous in table '{t}': it could be {names}",
        "表格“{t}”里的“{c}”不明确：它可以是 {names}",
    ),
    # -- lock.py ------------------------------------------------------------------------------
    ("cannot read the lock: {why}", "读不了锁定文件：{why}"),
    ("restore it from version control", "从版本库中恢复它"),
    (
        "edition {id} is published and locked, but its inputs changed: {files:l}",
        "{id} 这一期已经发布并锁定，但它的文件有改动：{files}",
    ),
    ("{path} (changed)", "{path}（已修改）"),
    ("{path} (added)", "{path}（新增）"),
    ("{path} (removed)", "{path}（已删除）"),
    (
        "undo the change, or record it as a correction: add [[corrections]] with date and text "
        "(勘误) to edition.toml",
        "撤销改动，或者记一条勘误：在 edition.toml 里加 [[corrections]]，写 date 和 text",
    ),
    # -- output.py ----------------------------------------------------------------------------
    (
        "{out} exists and was not made by bulletin; refusing to replace it",
        "{out} 已经存在，而且不是程序生成的；不会替换它",
    ),
    ("choose another output folder, or empty this one", "换一个输出文件夹，或者先清空它"),
    # -- pdf.py -------------------------------------------------------------------------------
    ("Typst could not typeset {shown}: {why}", "Typst 排不了 {shown}：{why}"),
    ("Typst: {why}", "Typst：{why}"),
    (
        "install fonts-noto-cjk, or name installed families in [fonts]",
        "安装 fonts-noto-cjk，或者在 [fonts] 里写已安装的字体",
    ),
    (
        "font '{f}' is not installed, so the PDF cannot be printed with it",
        "字体“{f}”没有安装，PDF 不能用它排版",
    ),
    (
        "install fonts-noto-cjk (Debian/Ubuntu: apt install fonts-noto-cjk) for the default "
        "Noto CJK fonts, or name an installed family (fc-list :lang=zh family)",
        "安装 fonts-noto-cjk（Debian/Ubuntu：apt install fonts-noto-cjk）得到默认的 Noto CJK "
        "字体，或者写一个已安装的字体（用 fc-list :lang=zh family 查看）",
    ),
    # -- search.py ----------------------------------------------------------------------------
    ("the search index needs Pagefind", "建立搜索索引需要 Pagefind"),
    ("the search index needs the Pagefind binary", "建立搜索索引需要 Pagefind 程序"),
    ("install it with: pip install '{pkg}'", "安装方法：pip install '{pkg}'"),
    ("Pagefind failed: {why}", "Pagefind 出错：{why}"),
    (
        "{binary} is not Pagefind's extended build: Chinese text will not be split into words, "
        "and most Chinese searches will find nothing ({hint:m})",
        "{binary} 不是 Pagefind 的扩展版：中文不会分词，大多数中文搜索会什么也搜不到（{hint}）",
    ),
    # -- sheets.py (reading data files) ---------------------------------------------------------
    (
        "the file contains NUL bytes; it is not a CSV text file",
        "文件里有 NUL 字节：它不是 CSV 文本文件",
    ),
    ("the file is empty", "文件是空的"),
    ("the header row has no column '{k}'", "表头这一行里没有“{k}”这一列"),
    ("cannot read '{suffix}' files", "读不了“{suffix}”文件"),
    ("use .csv or .xlsx", "请用 .csv 或 .xlsx"),
    ("cannot open the workbook: {why}", "打不开工作簿：{why}"),
    (
        "is it a real .xlsx file? try saving it again from Excel",
        "它真的是 .xlsx 文件吗？用 Excel 重新保存一次试试",
    ),
    ("no sheet named '{s}'", "没有名为“{s}”的工作表"),
    ("sheets: {names}", "所有的工作表：{names}"),
    ("not a valid CSV file: {why}", "不是有效的 CSV 文件：{why}"),
    ("there is no row {n:d}", "没有第 {n} 行"),
    ("no header row: no cell reads '{k}'", "找不到表头：没有写着“{k}”的格子"),
    ("check the spec's 'key' or give 'header_row'", "检查表格说明里的 'key'，或者写 'header_row'"),
    ("the second header row is missing", "缺少第二行表头"),
    ("{n:d} columns are called '{name}'", "有 {n} 列都叫“{name}”"),
    ("give the full two-row name, e.g. 'group/sub'", "写完整的两行表头名，如 '上格/下格'"),
    ("a CSV file has no sheets", "CSV 文件没有工作表"),
    ("cannot read the sheet: {why}", "读不了工作表：{why}"),
    (
        "the file is neither UTF-8 nor GB18030/GBK text",
        "文件既不是 UTF-8 也不是 GB18030/GBK 编码的文本",
    ),
    ("save it as CSV (UTF-8) from Excel", "在 Excel 里另存为“CSV UTF-8”"),
    ("a second 合计/总计 row", "第二个合计/总计行"),
    ("the first is row {n:d}", "第一个在第 {n} 行"),
    ("a true/false value", "是 true/false 值"),
    ("not a finite number", "不是有限的数"),
    ("not a number", "不是数字"),
    ("more than {n:d} digits", "超过 {n} 位数字"),
    ("too large to be a real figure", "大得不合理"),
    ("a {kind} value", "是 {kind} 值"),
    # -- tables.py (reading and computing tables) ----------------------------------------------
    ("'{src}' is outside the data folder {folder}", "“{src}”在数据文件夹 {folder} 以外"),
    ("no such file: '{src}'", "没有这个文件：“{src}”"),
    ("files here: {names}", "这里有的文件：{names}"),
    ("cannot rank by '{c}': not a numeric column", "不能按“{c}”排名：它不是数值列"),
    ("numeric columns: {names}", "数值列：{names}"),
    ("{row}: the cell is empty; expected {what:m}", "{row}：这一格是空的；应为{what}"),
    (
        'if empty means 0, set blank = "zero" on this column',
        '空格表示 0 时，给这一列写 blank = "zero"',
    ),
    ("{row}: expected a whole number, found '{v}'", "{row}：应为整数，填的是“{v}”"),
    ("{row}: expected {what:m}, found '{v}' ({why:m})", "{row}：应为{what}，填的是“{v}”（{why}）"),
    ("a whole number", "整数"),
    ("a number", "数字"),
    ("a percentage (16.65%)", "百分比（如 16.65%）"),
    ("no column '{c}' in the file", "文件里没有“{c}”这一列"),
    ("no column '{c}'", "没有“{c}”这一列"),
    ("no data rows below the header", "表头下面没有数据行"),
    (
        "cross-check failed: {first:m}; {n:d} more: {rest:p}",
        "核对不一致：{first}；另有 {n} 处：{rest}",
    ),
    ("cross-check failed: {first:m}", "核对不一致：{first}"),
    ("cross-check: {d:m}", "交叉核对：{d}"),
    (
        "page {p:d} gives a span for '{a:q}', which is not on that page",
        "第 {p} 版给“{a}”写了 spans，但这一版没有这篇稿件",
    ),
    ("'{a:q}' = {n}: a span is 1 to 10 base columns", "“{a}” = {n}：一篇稿件占 1 到 10 个基本栏"),
    (
        "page {p:d} of {e:s} does not fit on one sheet even at the smallest size: '{a:q}' "
        "runs over by {n:d} lines ({c:d} characters) and continues on page {to:d}",
        "{e} 期第{p}版在最小字号下也排不进一张纸：稿件“{a}”超出 {n} 行（{c} 字），转到第{to}版续完",
    ),
    ("{row} {col}: reported {a}, computed {b}", "{row} {col}：报送 {a}，计算 {b}"),
    ("the sheet's hand-typed values differ from the computed ones", "表中手填的数值与计算值不一致"),
    ("a column needs 'source' or 'expr' (one of them)", "一列要写 'source' 或 'expr'（二者之一）"),
    ("a derived column cannot have role '{r}'", "计算列的 role 不能是“{r}”"),
    (
        "a reported column needs 'checks' (the computed column)",
        "核对列要写 'checks'（与哪个计算列核对）",
    ),
    (
        "'checks' belongs to role = \"reported\" columns",
        "只有 role = \"reported\" 的列才能写 'checks'",
    ),
    ("a text column cannot be a count", "文字列不能是 count"),
    ("'{c}' is the key column: it is always shown first", "“{c}”是县名列（key）：它总是排在第一列"),
    ("remove this [[columns]] entry", "删去这一段 [[columns]]"),
    ("two columns are named '{c}'", "有两列都叫“{c}”"),
    ("give one a different 'name'", "给其中一列另写一个 'name'"),
    ("circular reference: {cycle}", "循环引用：{cycle}"),
    ("a row with values but no '{k}'", "有一行填了数值，却没有“{k}”"),
    ("'{k}' appears twice", "“{k}”出现了两次"),
    ("first in row {n:d}", "第一次在第 {n} 行"),
    ("{row}: division by zero in '{name}': {d} is 0", "{row}：计算“{name}”时除数为 0：{d} 是 0"),
    ("expression `{e}` at {where}", "公式 `{e}` 在 {where}"),
    (
        "{row}: '{name}' comes to 10^30 or more, too large to be a real figure",
        "{row}：“{name}”算出来达到 10^30 以上，大得不合理",
    ),
    ("check the data and the expression `{e}`", "检查数据和公式 `{e}`"),
    ("'checks' names no computed column '{c}'", "'checks' 写的“{c}”不是计算列"),
    (
        "'{c}' is {what:m} column; expressions use computed numbers",
        "“{c}”是{what}列；公式只能用计算得到的数",
    ),
    ("a text", "文字"),
    ("a reported (hand-typed)", "手填的核对"),
    # -- tablespec.py -------------------------------------------------------------------------
    (
        'must be "total", a number, or a percentage such as "15%"',
        '只能是 "total"、一个数或百分比（如 "15%"）',
    ),
    ("unknown key '{k}'; {n:d} more problem(s) after this", "未知的设置“{k}”；此后还有 {n} 处问题"),
    ("unknown key '{k}'", "未知的设置“{k}”"),
    ("valid keys: {names}", "可用的设置：{names}"),
    (
        "missing required key '{k}'; {n:d} more problem(s) after this",
        "缺少必填的设置“{k}”；此后还有 {n} 处问题",
    ),
    ("missing required key '{k}'", "缺少必填的设置“{k}”"),
    ("{msg:m}; {n:d} more problem(s) after this", "{msg}；此后还有 {n} 处问题"),
    ("the spec is not UTF-8 text", "表格说明不是 UTF-8 文本"),
    ("cannot read the spec: {why:m}", "读不了表格说明：{why}"),
    ("not valid TOML: {why:m}", "不是合法的 TOML：{why}"),
    ("two charts are named '{c}'", "有两个图表都叫“{c}”"),
    ("a {kind} chart draws {want} column(s), not {n:d}", "{kind} 图画 {want} 列，不是 {n} 列"),
    (
        'reference = "total" needs one column (a grouped chart has several)',
        'reference = "total" 只能用于一列（分组图有好几列）',
    ),
    ('give a number, such as 0.15 or "15%"', '写一个数，如 0.15 或 "15%"'),
    ("'rows' is for line charts (bars show every row)", "'rows' 只用于折线图（条形图画所有的行）"),
    ("chart '{c}': no numeric column '{col}'", "图表“{c}”：没有“{col}”这一数值列"),
    ("columns a chart can draw: {names}", "图表能画的列：{names}"),
    # -- new.py -------------------------------------------------------------------------------
    ("there is no content/ folder here", "这里没有 content/ 文件夹"),
    (
        "run the command in the project folder (the one with bulletin.toml), or give --root",
        "在项目文件夹（有 bulletin.toml 的那个）里运行，或者用 --root 指定",
    ),
    (
        "no bulletin.toml here: this is not a bulletin project",
        "这里没有 bulletin.toml：这不是简报项目",
    ),
    ("{shown} already exists; nothing was changed", "{shown} 已经存在；没有做任何改动"),
    (
        "give another --date, or edit the existing edition",
        "换一个 --date，或者直接编辑已有的那一期",
    ),
    ("choose another name with --slug", "用 --slug 换一个名字"),
    ("there is no edition yet", "还没有任何一期"),
    ("create one first: bulletin new edition", "先新建一期：bulletin new edition"),
    ("there is no edition '{e}'", "没有“{e}”这一期"),
    ("editions: {names}", "所有的期次：{names}"),
    ("edition {e} has {n:d} page(s), not page {p:d}", "第 {e} 期只有 {n} 个版面，没有第 {p} 版"),
    ("the title is empty", "标题是空的"),
    (
        'added "{slug}" to the end of page {page:d}\'s articles list in {shown} '
        "(the order can be changed)",
        '已把 "{slug}" 加到 {shown} 第{page}版的 articles 列表末尾（顺序可以调整）',
    ),
    (
        'could not change {shown} by itself: add "{slug}" to the articles list of [[pages]] '
        "number {page:d} yourself",
        '没能自动修改 {shown}：请在第{page}个 [[pages]] 的 articles 列表里自己加上 "{slug}"',
    ),
    (
        "edition {e} is published and locked: record this change as a correction (勘误) in "
        "edition.toml ([[corrections]] with date and text), or the build will stop",
        "{e} 这一期已经发布并锁定：这次改动要在 edition.toml 里记一条勘误"
        "（[[corrections]]，写 date 和 text），否则生成网站时会停下",
    ),
    # -- importers ----------------------------------------------------------------------------
    ("cannot import '{suffix}' files", "不能导入“{suffix}”文件"),
    (
        "import a Word document (.docx) or an Excel workbook (.xlsx); save a .doc or .xls file "
        "in the newer format first",
        "只能导入 Word 文档（.docx）或 Excel 工作簿（.xlsx）；.doc、.xls 文件请先另存为新格式",
    ),
    ("no such file: {file}", "没有这个文件：{file}"),
    ("cannot read the Word document: {why}", "打不开 Word 文档：{why}"),
    (
        "is it a .docx file? open it in Word or WPS and save it as .docx again",
        "它是 .docx 文件吗？用 Word 或 WPS 打开，重新另存为 .docx",
    ),
    ("the document has no text", "文档里没有文字"),
    (
        "image {name} is a {kind} drawing, which browsers cannot show: replace it with a JPG or "
        "PNG of the same name (or delete its line in the article)",
        "图片 {name} 是 {kind} 格式的图形，浏览器显示不了：换成同名的 JPG 或 PNG"
        "（或者删去稿件里的这一行）",
    ),
    (
        "no title found in the document: the file name '{title}' is the title; check the front "
        "matter",
        "文档里找不到标题：用文件名“{title}”作了标题；请检查标题信息",
    ),
    ("Word: {msg}", "Word：{msg}"),
    ("saved {n:d} image(s) beside the article", "已把 {n} 张图片存到稿件旁边"),
    (
        "found no column of county names (…县, …区, …市) in the first sheet",
        "第一个工作表里找不到县名列（…县、…区、…市）",
    ),
    (
        "write the spec by hand, with key = the header of the names column",
        "手工写表格说明，key 写县名那一列的表头",
    ),
    (
        "the spec written from the workbook does not validate, so nothing was kept: {error:m}",
        "根据工作簿写出的表格说明不合格，没有保留任何文件：{error}",
    ),
    (
        "send the workbook to whoever maintains the site, or write the spec by hand",
        "把工作簿交给维护网站的同事，或者手工写表格说明",
    ),
    ("give the table another name with --slug", "用 --slug 给表格另起一个名字"),
    ("wrote {spec} and copied the workbook to {book}", "已写出 {spec}，并把工作簿复制到 {book}"),
    # -- serve.py -----------------------------------------------------------------------------
    (
        "preview at http://{host}:{port:d}/  (it refreshes after every change; Ctrl+C stops it)",
        "预览地址：http://{host}:{port}/  （修改后自动刷新；按 Ctrl+C 结束）",
    ),
    ("[{time}] preview updated ({s} s)", "[{time}] 预览已更新（{s} 秒）"),
    (
        "[{time}] the build failed; the browser shows the error page:",
        "[{time}] 生成失败，浏览器中显示错误页：",
    ),
    ("({n:d} warning(s), the same as last time)", "（{n} 个警告，与上次相同）"),
    ("preview stopped.", "预览已结束。"),
    ("port {port} is in use", "端口 {port} 已被占用"),
    (
        "give another one with --port, or --port 0 to pick a free one",
        "用 --port 换一个端口，或者用 --port 0 让程序自己选",
    ),
    (
        "run the command in the project folder, or give --root",
        "在项目文件夹里运行，或者用 --root 指定",
    ),
    (
        "search is off in the preview: start the preview with bulletin serve --search, "
        "or run bulletin build.",
        "搜索在预览中没有启用：用 bulletin serve --search 启动预览，或运行 bulletin build。",
    ),
    ("an unexpected error (a bug in bulletin): {error}", "意外的错误（程序的缺陷）：{error}"),
    ("please report it with the details below", "请把下面的详细信息报告给维护系统的同事"),
    ("The preview could not be built", "预览生成失败"),
    ("How to fix: {hint}", "修改建议：{hint}"),
    (
        "Correct the file and save it: this page turns into the preview by itself. "
        "(bulletin serve)",
        "改正并保存文件后，这一页会自动换成预览。（bulletin serve）",
    ),
    # -- publish.py ---------------------------------------------------------------------------
    ("there is no built site at {folder}", "{folder} 里没有生成好的网站"),
    ("run `bulletin build` first", "先运行 `bulletin build`"),
    (
        "{folder} is not a site built by bulletin (it has no {marker} file)",
        "{folder} 不是程序生成的网站（没有 {marker} 文件）",
    ),
    (
        "run `bulletin build`, or name the built site with --site",
        "运行 `bulletin build`，或者用 --site 指定生成好的网站",
    ),
    (
        "{folder} was built by an older bulletin that did not record whether drafts were included",
        "{folder} 是旧版程序生成的，没有记下是否含草稿",
    ),
    ("run `bulletin build` again", "重新运行 `bulletin build`"),
    (
        "{folder} was built with --drafts (draft editions: {ids}); drafts are never published",
        "{folder} 是用 --drafts 生成的（草稿：{ids}）；草稿不能发布",
    ),
    ("none at the time", "当时没有"),
    ("run `bulletin build` without --drafts", "不加 --drafts 重新运行 `bulletin build`"),
    (
        "{dest} is a local folder: --ssh and --ssh-option are for user@host:/path",
        "{dest} 是本机文件夹：--ssh 和 --ssh-option 只用于 用户名@服务器:/路径",
    ),
    ("--keep must be at least 1", "--keep 至少是 1"),
    ("not published: {summary:m}", "没有发布：{summary}"),
    ("not bundled: {summary:m}", "没有打包：{summary}"),
    ("verification failed: {summary:m}", "发布后检查失败：{summary}"),
    (
        "`bulletin publish {host} --rollback` goes back to {release}",
        "`bulletin publish {host} --rollback` 可以回到 {release}",
    ),
    (
        "{host}: nothing is published, there is nothing to roll back",
        "{host}：还没有发布过，没有可以回退的版本",
    ),
    (
        "{host}: {release} is the oldest release kept; no release before it",
        "{host}：{release} 是保留的最早版本；它之前没有版本",
    ),
    (
        "{out} is inside the site folder; write the bundle elsewhere",
        "{out} 在网站文件夹里面；压缩包请放到别处",
    ),
    ("'current' points at {link}, not at a release", "“current”指向 {link}，不是一个发布版本"),
    (
        "{dest} is not empty and was not made by `bulletin publish`; refusing to use it",
        "{dest} 不是空的，也不是 `bulletin publish` 建立的；不会使用它",
    ),
    ("publish into an empty or new folder", "发布到一个空文件夹或新文件夹"),
    ("{current} is not a symlink; move it away first", "{current} 不是符号链接；请先把它移开"),
    ("ssh to {host} failed: {why}", "ssh 连接 {host} 失败：{why}"),
    ("publishing over SSH needs rsync", "通过 SSH 发布需要 rsync"),
    ("apt-get install rsync", "安装 rsync：apt-get install rsync"),
    ("rsync to {dest} failed: {why}", "rsync 上传到 {dest} 失败：{why}"),
    (
        "{dest}: rsync daemon destinations (host::module) are not supported",
        "{dest}：不支持 rsync 守护进程的写法（host::module）",
    ),
    (
        "{dest}: name the folder on the host, as in {host}:/srv/bulletin",
        "{dest}：要写出服务器上的文件夹，如 {host}:/srv/bulletin",
    ),
    ("{dest} holds no site published by bulletin", "{dest} 里没有发布过的网站"),
    ("cannot run {program}: {why}", "无法运行 {program}：{why}"),
    (
        "removed the unfinished upload {name} left by an interrupted publish",
        "已删除上次中断的发布留下的未完成上传 {name}",
    ),
    (
        "{host}: the live release {release} already is this site",
        "{host}：正在使用的版本 {release} 就是这个网站",
    ),
    ("uploading {n:d} files to {where}", "正在上传 {n} 个文件到 {where}"),
    (
        "{host}/current → releases/{name} ({c:d} of {n:d} files uploaded, the others linked to "
        "the previous release); removed {k:d} old release(s)",
        "{host}/current → releases/{name}（上传了 {n} 个文件中的 {c} 个，其余链接到上一版本）；"
        "删除了 {k} 个旧版本",
    ),
    (
        "{host}/current → releases/{name} ({c:d} of {n:d} files uploaded, the others linked to "
        "the previous release)",
        "{host}/current → releases/{name}（上传了 {n} 个文件中的 {c} 个，其余链接到上一版本）",
    ),
    (
        "{host}/current → releases/{name} (removed {old})",
        "{host}/current → releases/{name}（已删除 {old}）",
    ),
    # -- cli.py -------------------------------------------------------------------------------
    ("created {name}", "已创建 {name}"),
    ("note: {note:m}", "注意：{note}"),
    (
        "next: edit the articles in {shown}/ and preview them with bulletin serve.",
        "下一步：编辑 {shown}/ 中的文章，运行 bulletin serve 预览。",
    ),
    (
        "Built {e:d} edition(s), {f:d} files into {out} in {s} s ({r:d} unchanged), "
        "{w:d} warning(s)",
        "已生成 {e} 期、{f} 个文件，写入 {out}，用时 {s} 秒（{r} 期没有改动），{w} 个警告",
    ),
    (
        "Built {e:d} edition(s), {f:d} files into {out} in {s} s ({r:d} unchanged)",
        "已生成 {e} 期、{f} 个文件，写入 {out}，用时 {s} 秒（{r} 期没有改动）",
    ),
    (
        "Built {e:d} edition(s), {f:d} files into {out} in {s} s, {w:d} warning(s)",
        "已生成 {e} 期、{f} 个文件，写入 {out}，用时 {s} 秒，{w} 个警告",
    ),
    (
        "Built {e:d} edition(s), {f:d} files into {out} in {s} s",
        "已生成 {e} 期、{f} 个文件，写入 {out}，用时 {s} 秒",
    ),
    ("Rolled back to {release} (removed {old})", "已回退到 {release}（删除了 {old}）"),
    ("Already live: {release}", "已经是正在使用的版本：{release}"),
    (
        "Published {release} ({n:d} files, {c:d} uploaded)",
        "已发布 {release}（{n} 个文件，上传了 {c} 个）",
    ),
    ("Wrote {target} ({n:d} files)", "已写出 {target}（{n} 个文件）"),
    # -- operating system reasons (strerror) ----------------------------------------------------
    ("No such file or directory", "没有这个文件或文件夹"),
    ("Permission denied", "没有权限"),
    ("Is a directory", "这是一个文件夹"),
    ("Not a directory", "不是文件夹"),
    ("No space left on device", "磁盘已满"),
    ("Read-only file system", "文件系统是只读的"),
    ("Connection refused", "连接被拒绝"),
    # -- the shapes messages are put together in: last, so that specific entries win ------------
    ("warning: {msg:m}", "警告：{msg}"),
    ("error: {msg:m}", "错误：{msg}"),
    ("'{f:q}': {msg:m}", "'{f}': {msg}"),
    ("{file:s}:{line:d}: {msg:m}", "{file}:{line}: {msg}"),
    ("{file:s}:?: {msg:m}", "{file}:?: {msg}"),
    ("[{time}] {msg:m}", "[{time}] {msg}"),
    ("{where:s}: {msg:m}", "{where}: {msg}"),  # a page of the site and what is wrong with it
)

MAX_LINE = 4000  # longer lines stay English: matching is quadratic in the worst case
_KINDS = {"": ".+?", "m": ".+?", "l": ".+?", "p": ".+?", "d": r"\d+", "s": r"\S+", "q": "[^']*"}


@functools.cache
def _compiled() -> tuple[tuple[re.Pattern[str], dict[str, str], str, bool], ...]:
    """(regex, {group: kind}, Chinese template, whether the entry is only a shape)."""
    entries = []
    for en, zh in CATALOGUE:
        pattern, kinds = compile_template(en)
        shape = not re.search("[A-Za-z]", "".join(lit for lit, *_ in string.Formatter().parse(en)))
        entries.append((pattern, kinds, zh, shape))
    return tuple(entries)


def compile_template(english: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """The regex of an English template, and {group: kind} of its placeholders."""
    out, kinds = [], {}
    for literal, name, spec, _ in string.Formatter().parse(english):
        out.append(re.escape(literal))
        if name is None:
            continue
        if name in kinds:
            out.append(f"(?P={name})")
            continue
        kinds[name] = spec or ""
        out.append(f"(?P<{name}>{_KINDS[spec or '']})")
    return re.compile("".join(out), re.S), kinds


@functools.lru_cache(maxsize=4096)
def _line(text: str, depth: int = 0) -> str | None:
    """One line in Chinese, or None when nothing in the catalogue matches it."""
    if depth > 12 or not text.strip() or len(text) > MAX_LINE:
        return None
    for pattern, kinds, template, shape in _compiled():
        m = pattern.fullmatch(text)
        if not m:
            continue
        values: dict[str, str | None] = {}
        for name, value in m.groupdict().items():
            if kinds[name] == "m":
                done = _line(value, depth + 1)
                # an entry that is only a shape ("{file}:{line}: {msg}") translates nothing
                # by itself: it counts only when its message does (or needs no translation)
                values[name] = done or (value if not shape or _no_english(value) else None)
            elif kinds[name] in ("l", "p"):
                sep, joiner = (", ", "、") if kinds[name] == "l" else ("; ", "；")
                values[name] = joiner.join(_line(v, depth + 1) or v for v in value.split(sep))
            else:
                values[name] = value
        if None not in values.values():
            return template.format(**values)
    body = text.strip()
    if body != text:  # indented (a problem under a first line): keep the indent
        inner = _line(body, depth + 1)
        if inner is not None:
            return text[: len(text) - len(text.lstrip())] + inner + text[len(text.rstrip()) :]
        return None
    start = _hint_start(text)
    if start > 0:  # "message (hint)"
        head = _line(text[:start], depth + 1)
        if head is not None:
            hint = text[start + 2 : -1]
            return f"{head}（{_line(hint, depth + 1) or hint}）"
    return None


def _no_english(text: str) -> bool:
    """No English words in it (Chinese, numbers, names): it needs no translation."""
    return not re.search(r"[A-Za-z]{2,}", text)


def _hint_start(text: str) -> int:
    """Where " (" opens the parenthesis that closes `text`, or -1."""
    if not text.endswith(")"):
        return -1
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i - 1 if i > 0 and text[i - 1] == " " else -1
    return -1
