"""Typed, validated configuration: bulletin.toml, edition.toml and article front matter.

Every model forbids unknown fields. Validation errors become `ConfigError`s that name the
file, the line (found in the source text) and the field, and suggest the nearest valid
field name for a typo.
"""

from __future__ import annotations

import datetime as dt
import re
import reprlib
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bulletin.diagnostics.errors import ConfigError, Diagnostic, Message, msg, suggest
from bulletin.diagnostics.reasons import os_reason, pydantic_reason, toml_reason

# libyaml's loader where PyYAML has it: parsing every article's front matter in Python was
# a tenth of a no-change rebuild (bench/results.md). Errors are reported by the Python one.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Fonts(Model):
    """Font families, found by family name (Noto CJK from Debian's fonts-noto-cjk by default)."""

    serif: list[str] = ["Noto Serif CJK SC"]
    sans: list[str] = ["Noto Sans CJK SC"]


class PrintConfig(Model):
    """bulletin.toml's [print]: the bounds within which the makeup fits each 版 on its sheet.
    Unset, the paper's defaults (body 7.5–10.5 pt, line pitch 1.5–1.8 em, 6–8 base columns
    on A3, 4–5 on A4)."""

    body_min: float | None = Field(None, ge=6, le=16, description="smallest body size, pt")
    body_max: float | None = Field(None, ge=6, le=16, description="largest body size, pt")
    pitch_min: float | None = Field(None, ge=1.2, le=2.5, description="tightest line pitch, em")
    pitch_max: float | None = Field(None, ge=1.2, le=2.5, description="widest line pitch, em")
    columns_min: int | None = Field(None, ge=2, le=10, description="fewest base columns")
    columns_max: int | None = Field(None, ge=2, le=10, description="most base columns")


class PublishConfig(Model):
    """bulletin.toml's [publish]: where and how `bulletin publish` (and the workbench) put the
    built site; an option given on the command line overrides the setting here."""

    dest: str | None = Field(
        None,
        min_length=1,
        description="a folder (relative: to the project folder) or user@host:/path over SSH",
    )
    ssh: str | None = Field(None, min_length=1, description="the ssh command, for user@host:/path")
    ssh_options: list[str] = Field(default_factory=list, description="ssh -o options")
    keep: int = Field(5, ge=1, description="releases kept")
    bwlimit: int | None = Field(None, ge=1, description="upload speed cap over SSH, KB/s")
    verify_url: str | None = Field(None, description="where readers see the site: crawled")
    allow_external_links: bool = Field(False, description="article links may leave the site")
    wait: int = Field(
        300, ge=0, description="seconds to wait for another publish to the same place to end"
    )

    @field_validator("verify_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v and not re.match(r"^https?://", v):
            raise ValueError(msg("config.http_url"))
        return v


class SiteConfig(Model):
    """bulletin.toml"""

    name: str = Field(min_length=1, description="bulletin name for the masthead (报头)")
    publisher: str = Field(min_length=1, description="编印单位")
    language: str = "zh-CN"
    paper: Literal["A3", "A4"] = "A3"
    fonts: Fonts = Fonts()
    print: PrintConfig = PrintConfig()
    output: str = "site"
    base_url: str | None = None
    distribution: Distribution | None = None
    cjk_latin_spacing: bool = Field(
        False,
        description="a thin space between Chinese and Latin letters or digits (print and web); "
        "off by default, as in printed government documents",
    )
    messages: Literal["zh", "en"] = Field(
        "zh",
        description="the language of the messages editors read (errors, warnings, prompts); "
        "--lang or BULLETIN_LANG overrides it",
    )
    publish: PublishConfig = PublishConfig()

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, v: str | None) -> str | None:
        if v and not re.match(r"^https?://", v):
            raise ValueError(msg("config.http_url"))
        return v.rstrip("/") + "/" if v else None

    @field_validator("output")
    @classmethod
    def _plain_folder(cls, v: str) -> str:
        if not v or v in {".", ".."} or Path(v).is_absolute() or ".." in Path(v).parts:
            raise ValueError(msg("config.plain_folder"))
        return v


class Distribution(Model):
    """The report tail of a printed bulletin: 报/送/发 lines and the print run."""

    report_to: str | None = Field(None, description="报")
    copy_to: str | None = Field(None, description="送")
    issue_to: str | None = Field(None, description="发")
    copies: int | None = Field(None, ge=1, description="共印N份")


class PageConfig(Model):
    """One page (版) of an edition."""

    columns: int | None = Field(
        None, ge=2, le=10, description="the print edition's base columns (default: chosen)"
    )
    banner: str | None = Field(None, description="通栏标语")
    credit: str | None = Field(None, description="本版由…供稿")
    articles: list[str] | None = Field(None, description="article slugs, in order")
    tables: list[str] = Field(default_factory=list, description="tables after the articles")
    spans: dict[str, int] = Field(
        default_factory=dict,
        description="print: an article's block width in base columns, by article name",
    )
    table_at: Literal["bottom", "top"] = Field(
        "bottom", description="print: the tables and charts at the foot, or under the lead"
    )

    @field_validator("spans")
    @classmethod
    def _spans(cls, v: dict[str, int]) -> dict[str, int]:
        for slug, span in v.items():
            if not 1 <= span <= 10:
                raise ValueError(msg("config.bad_span", slug=slug, span=span))
        return v


class Correction(Model):
    """勘误: a change to a published edition, shown on its page and in its PDF."""

    date: dt.date
    text: str = Field(min_length=1)


class EditionConfig(Model):
    """content/<edition-id>/edition.toml"""

    number: int = Field(ge=1, description="第N期 (within the year)")
    total: int | None = Field(None, ge=1, description="总第N期")
    date: dt.date
    status: Literal["draft", "published"] = "draft"
    pages: list[PageConfig] = Field(min_length=1)
    corrections: list[Correction] = Field(default_factory=list, description="勘误")
    sample: bool = Field(False, description="invented example content, marked as such on the page")
    distribution: Distribution | None = Field(None, description="overrides bulletin.toml's")


class ArticleMeta(Model):
    """An article's YAML front matter."""

    title: str = Field(min_length=1, description="主题")
    kicker: str | None = Field(None, description="引题")
    subtitle: str | None = Field(None, description="副题")
    byline: str | None = None
    page: int = Field(1, ge=1)
    order: int | None = None


# -- errors with file, line and field --------------------------------------------------------


def toml_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the key at `loc` in TOML text (best effort: tomllib keeps no positions)."""
    lines = text.splitlines()
    start = 0
    # Follow [[array]] index for paths like ('pages', 1, 'banner').
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        headers = [
            i
            for i, ln in enumerate(lines)
            if re.match(rf"^\s*\[\[\s*{re.escape(loc[0])}\s*\]\]", ln)
        ]
        if loc[1] < len(headers):
            start = headers[loc[1]]
            if len(loc) == 2:
                return start + 1
    keys = [k for k in loc if isinstance(k, str)]
    if not keys:
        return None
    key = re.escape(keys[-1])
    for i in range(start, len(lines)):
        if re.match(rf'^\s*(?:[\w.-]*\.)?["\']?{key}["\']?\s*=', lines[i]):
            return i + 1
        if i > start and start and re.match(r"^\s*\[", lines[i]):
            break
    return None


def _yaml_lines(text: str, first_line: int) -> dict[str, int]:
    """Line numbers of top-level keys in a YAML mapping (1-based, in the whole file)."""
    try:
        node = yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + first_line for k, _ in node.value}


def _describe(err: dict[str, Any], model: type[BaseModel]) -> tuple[Message, Message | None]:
    field = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        name = str(err["loc"][-1])
        fields = _fields_at(model, err["loc"][:-1])
        near = suggest(name, fields)
        hint = (
            msg("common.did_you_mean", name=near)
            if near
            else msg("config.valid_fields", names=", ".join(sorted(fields)))
        )
        return msg("config.unknown_field", field=field), hint
    if err["type"] == "missing":
        return msg("config.missing_field", field=field), None
    return msg("config.bad_value", why=pydantic_reason(err), value=_short(err.get("input"))), None


def _short(value: Any) -> str:
    """A bounded repr: the input may be huge or a YAML alias bomb (repr would never end)."""
    brief = reprlib.Repr()  # (keyword arguments only from Python 3.12)
    brief.maxlevel, brief.maxlist, brief.maxdict, brief.maxstring, brief.maxother = 2, 4, 4, 60, 60
    return brief.repr(value)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names valid at a (nested) location of a model."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            break
        ann = info.annotation
        args = getattr(ann, "__args__", ())
        current = next(
            (a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None
        )
        if current is None:
            return []
    return list(current.model_fields) if current is not None else []


def validation_error(
    exc: ValidationError, model: type[BaseModel], file: Path | str, line_of: Any
) -> ConfigError:
    """One ConfigError naming file, line and field of the first problem; the others come
    with it (`more`), each with its own line."""
    described = []
    for err in exc.errors():
        message, hint = _describe(err, model)
        described.append((err, message, hint, line_of(tuple(err["loc"]))))
    # A typo ('titel') explains a missing field ('title'): report unknown fields first.
    described.sort(key=lambda d: (d[0]["type"] != "extra_forbidden", d[3] or 0))
    err, message, hint, line = described[0]
    more = [
        Diagnostic(m2, str(file), l2, ".".join(str(p) for p in e2["loc"]) or None, "error", h2)
        for e2, m2, h2, l2 in described[1:]
    ]
    field = ".".join(str(p) for p in err["loc"]) or None
    return ConfigError(message, file=file, line=line, field=field, hint=hint, more=more)


# -- loading ---------------------------------------------------------------------------------


def read_toml(path: Path, shown: str) -> tuple[dict[str, Any], str]:
    """A TOML file (a UTF-8 BOM, as Windows Notepad writes, is allowed) as data, and its text;
    a syntax error names the line and, for the common slips, the field and the fix."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(msg("config.file_not_found"), file=shown) from None
    except UnicodeDecodeError as e:
        raise ConfigError(msg("config.not_utf8", byte=e.start), file=shown) from None
    except OSError as e:
        raise ConfigError(msg("config.unreadable", why=os_reason(e)), file=shown) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        # Python < 3.14 keeps the position only in the message: "… (at line 2, column 12)"
        m = re.search(r"\(at line (\d+), column \d+\)$", str(e))
        line = getattr(e, "lineno", None) or (int(m.group(1)) if m else None)
        if line is None and str(e).endswith("(at end of document)"):  # cut off: the last line
            line = max(1, len(text.splitlines()))
        why = getattr(e, "msg", None) or (str(e)[: m.start()].strip() if m else str(e))
        lines = text.splitlines()
        slip = toml_slip(lines[line - 1] if line and line <= len(lines) else "")
        if slip is not None and slip[0] is not None:  # a date written otherwise: name it
            raise ConfigError(slip[1], file=shown, line=line, field=slip[0]) from None
        raise ConfigError(
            msg("config.toml_syntax", why=toml_reason(why)), file=shown, line=line,
            hint=slip[1] if slip else None,
        ) from None  # fmt: skip
    except (ValueError, RecursionError) as e:  # a 5,000-digit number, [[[[… nested too deep
        raise toml_limit_error(ConfigError, e, text, shown) from None


_KEY = r"^\s*([A-Za-z0-9_-]+)\s*=\s*"


def toml_slip(line: str) -> tuple[str | None, Message] | None:
    """The editor's slip most likely behind a TOML syntax error on `line`, in their terms:
    (the field it names or None, what to write instead), or None when no slip is seen."""
    if m := re.match(_KEY + r"(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?\s*(#.*)?$", line):
        good = f"{m[2]}-{int(m[3]):02d}-{int(m[4]):02d}"
        value = line.split("=", 1)[1].split("#")[0].strip()
        return m[1], msg("config.slip_date_form", field=m[1], value=value, good=good)
    if m := re.match(_KEY + r"(\d{4}-\d{1,2}-\d{1,2})\s*(#.*)?$", line):
        return m[1], msg("config.slip_date_impossible", field=m[1], value=m[2])
    if "＝" in line:
        return None, msg("config.slip_fullwidth_equals")
    if re.search("[“”‘’]", line):
        return None, msg("config.slip_fullwidth_quotes")
    bare = re.sub(r'"[^"]*"|\'[^\']*\'', "", line)  # (what is not quoted text)
    if "[" in line and re.search("[，、]", bare):
        return None, msg("config.slip_chinese_comma")
    if re.search(r'"[^"]*\\[^"\\nt"u]', line):
        return None, msg("config.slip_backslash")
    if line.count('"') % 2 == 1:
        return None, msg("config.slip_unclosed_quote")
    return None


def toml_limit_error(kind: Any, e: Exception, text: str, shown: str) -> Any:
    """What tomllib raises beyond its TOMLDecodeError, as a `kind` error with a line."""
    found = re.search(r"[0-9_]{1000,}" if isinstance(e, ValueError) else r"[\[{]{100,}", text)
    line = text[: found.start()].count("\n") + 1 if found else None
    what = msg("config.too_many_digits") if isinstance(e, ValueError) else msg("config.too_deep")
    return kind(msg("config.toml_limit", why=what), file=shown, line=line)


def load_model(path: Path, model: type[Model], shown: str) -> Model:
    data, text = read_toml(path, shown)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise validation_error(e, model, shown, lambda loc: toml_line(text, loc)) from None


def load_site_config(root: Path) -> SiteConfig:
    return load_model(root / "bulletin.toml", SiteConfig, "bulletin.toml")  # type: ignore[return-value]


def load_edition_config(path: Path, shown: str) -> EditionConfig:
    return load_model(path, EditionConfig, shown)  # type: ignore[return-value]


FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*\r?$\n?", re.S | re.M)


def split_front_matter(text: str, shown: str) -> tuple[ArticleMeta, str, int]:
    """(front matter, Markdown body, line number of the body's first line)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    m = FRONT_MATTER.match(text)
    if not m:
        raise ConfigError(
            msg("config.no_front_matter"),
            file=shown,
            line=1,
            hint=msg("config.no_front_matter_hint"),
        )
    raw = m.group(1)
    try:
        data, lines = _load_front_matter(raw, shown)
    except (yaml.YAMLError, ValueError, RecursionError):
        data, lines = _front_matter_slowly(raw, shown), None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(msg("config.not_fields"), file=shown, line=2)
    if lines is None:
        lines = _yaml_lines(raw, 2)
        _no_duplicate_keys(raw, shown)
    try:
        meta = ArticleMeta.model_validate(data)
    except ValidationError as e:
        # a missing field is reported at the opening '---'
        raise validation_error(
            e, ArticleMeta, shown, lambda loc: lines.get(str(loc[0]), 1) if loc else 1
        ) from None
    body_line = text[: m.end()].count("\n") + 1
    return meta, text[m.end() :], body_line


def _load_front_matter(raw: str, shown: str) -> tuple[Any, dict[str, int] | None]:
    """The front matter's data and the line of each top-level key, composed once by libyaml
    (the common case; errors are reported by _front_matter_slowly)."""
    loader = FAST_LOADER(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if not isinstance(node, yaml.MappingNode):
            return loader.construct_document(node), {}
        _duplicates(node, shown)
        lines = {str(k.value): k.start_mark.line + 2 for k, _ in node.value}
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _front_matter_slowly(raw: str, shown: str) -> Any:
    """The front matter read again by the Python loader, for its error messages."""
    try:
        try:
            data = yaml.load(raw, Loader=FAST_LOADER)  # a safe loader
        except (yaml.YAMLError, ValueError, RecursionError):
            data = yaml.safe_load(raw)  # again in Python, for its error messages
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark else None
        if isinstance(e, yaml.reader.ReaderError):  # a control character: only its position
            line = raw[: e.position].count("\n") + 2
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(
            msg("config.not_yaml", why=_yaml_reason(problem)), file=shown, line=line
        ) from None
    except (ValueError, RecursionError) as e:  # a date like 2021-02-30, a 5,000-digit number…
        deep = isinstance(e, RecursionError)
        raise ConfigError(
            msg(
                "config.bad_yaml_value",
                why=msg("config.nested") if deep else _yaml_reason(str(e)[:80]),
            ),
            file=shown,
            line=_bad_value_line(raw),
            hint=None if deep else msg("config.bad_yaml_value_hint"),
        ) from None
    return data


def _bad_value_line(raw: str) -> int | None:
    """The line of the first front-matter value that cannot be constructed (1-based)."""
    loader = yaml.SafeLoader(raw)
    try:
        node = loader.get_single_node()
        for _, value in node.value if isinstance(node, yaml.MappingNode) else []:
            try:
                loader.construct_object(value, deep=True)
            except (ValueError, RecursionError, yaml.YAMLError):
                return int(value.start_mark.line) + 2
    except (yaml.YAMLError, RecursionError):
        found = re.search(r"[\[{]{50,}", raw)  # nested too deeply to compose at all
        return raw[: found.start()].count("\n") + 2 if found else None
    finally:
        loader.dispose()
    return None


def _no_duplicate_keys(raw: str, shown: str) -> None:
    """A field given twice is a mistake (YAML itself would silently keep the last one)."""
    try:
        node = yaml.compose(raw, Loader=FAST_LOADER)
    except yaml.YAMLError:  # libyaml refuses what the Python loader read
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
    _duplicates(node, shown)


def _duplicates(node: Any, shown: str) -> None:
    first: dict[str, int] = {}
    for key, _ in node.value if isinstance(node, yaml.MappingNode) else []:
        line = key.start_mark.line + 2
        if str(key.value) in first:
            raise ConfigError(
                msg("config.given_twice", key=str(key.value)),
                file=shown,
                line=line,
                field=str(key.value),
                hint=msg("config.given_twice_hint", line=first[str(key.value)]),
            )
        first[str(key.value)] = line


def check_slug(slug: str, shown: str, what: str) -> None:
    """`what`: "edition folder" or "article file"."""
    if not SLUG.match(slug):
        raise ConfigError(
            msg("config.bad_edition_name", name=slug)
            if what == "edition folder"
            else msg("config.bad_article_name", name=slug),
            file=shown,
            hint=msg("config.name_hint"),
        )


# -- PyYAML's reasons (and the date's) -------------------------------------------------------

_YAML = {  # what PyYAML (or the date it constructs) says, as a message
    "mapping values are not allowed here": msg("config.yaml_colon"),
    "could not find expected ':'": msg("config.yaml_no_colon"),
    "did not find expected key": msg("config.yaml_no_key"),
    "found unexpected end of stream": msg("config.yaml_end"),
    "day is out of range for month": msg("config.no_such_day"),
    "month must be in 1..12": msg("config.no_such_month"),
}


def _yaml_reason(text: str) -> Message | str:
    """PyYAML's problem (or a ValueError's text) as a message, or as it is."""
    if text in _YAML:
        return _YAML[text]
    start, end = "found character ", " that cannot start any token"
    if text.startswith(start) and text.endswith(end) and len(text) > len(start + end):
        return msg("config.yaml_bad_character", char=text[len(start) : -len(end)])
    start, end = "year ", " is out of range"
    if text.startswith(start) and text.endswith(end) and len(text) > len(start + end):
        return msg("config.no_such_year", year=text[len(start) : -len(end)])
    return text
