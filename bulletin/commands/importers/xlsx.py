"""An Excel workbook → a table spec skeleton in data/<edition>/, with the workbook beside it.

The header is found the way the build finds it (:func:`bulletin.compute.sheets.read_sheet`, two-row
headers included), once the key column is known: the column whose cells read like county
names (…县, …区, …市). Every other column is listed with a guessed role: ``count`` for whole
numbers (summed into the 合计 row), ``value`` for rates, decimals and text. Commented hints
show how to compute a rate (``expr``) and rank the rows (``[rank]``). The spec is validated
with the build's own loader before the command reports success.
"""

from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

from bulletin import punctuation
from bulletin.commands.new import Created, find_edition, published_note, toml_string
from bulletin.compute.sheets import Sheet, SheetRow, clean_text, parse_number_or_none, read_sheet
from bulletin.diagnostics.errors import BulletinError, DataError, msg
from bulletin.load.config import SLUG

COUNTY = re.compile(r"^.{1,10}(县|区|市|旗|镇|乡|街道|合计|总计)$")
RATE_WORDS = ("率", "比例", "占比", "比重", "%", "％")
MEAN_WORDS = ("平均", "人均", "均值")
SERIAL = ("序号", "编号", "序")

# The comments written into the spec are Chinese content, not messages: they are Chinese
# whatever the messages' language. (The messages are in bulletin/diagnostics/messages/xlsx.toml.)
MSG = {
    "header": "# {title}：由 `bulletin import {file}` 生成的表格说明。\n"
    "# 请核对每一列的 role：count = 整数，合计行里求和；value = 照表显示（比率、平均数、文字）。\n"
    "# 放到网页上：在文章里另起一行写 ```{{table}} {name}，下一行写 ```；\n"
    '# 或在 edition.toml 的 [[pages]] 里写 tables = ["{name}"]。',
    "serial": "# 序号列：网页上不需要序号时，删去下面这一段 [[columns]]",
    "blank": "# 这一列有空格：空格按 0 计",
    "rate": "# 表中手填的比率；更好的做法是由户数计算，见文末的 expr 示例",
    "skipped": "# 第{n}列（'{header}'）没有列入：{why}",
    "no_header": "没有表头",
    "same_header": "另有一列表头相同；请给它写 name 和 source",
    "expr_hint": "# 由 count 列计算比率（使用时删去各行行首的“# ”）；\n"
    "# 列名不是纯文字时用反引号括起来，例如 `县(市、区)`：",
    "rank_hint": '# 排名（使用时删去各行行首的“# ”）。ties："min" = 1,1,3（Excel RANK），\n'
    '# "dense" = 1,1,2（中国式排名）。order："desc" 大的排前，"asc" 小的排前。',
}


def _guess_key(grid: list[SheetRow]) -> tuple[int, str] | None:
    """(column, header text) of the county-names column."""
    width = max((len(r.cells) for r in grid), default=0)
    best: tuple[int, int] | None = None
    for col in range(width):
        texts = [clean_text(r.cells[col]) if col < len(r.cells) else "" for r in grid]
        hits = sum(1 for t in texts if COUNTY.match(t) and parse_number_or_none(t) is None)
        if hits >= 2 and (best is None or hits > best[1]):
            best = (col, hits)
    if best is None:
        return None
    col = best[0]
    texts = [clean_text(r.cells[col]) if col < len(r.cells) else "" for r in grid]
    first = next(i for i, t in enumerate(texts) if COUNTY.match(t))
    for i in range(first - 1, -1, -1):
        if texts[i] and parse_number_or_none(texts[i]) is None:
            return col, texts[i]
    return None


def _title(grid: list[SheetRow], header_line: int, fallback: str) -> str:
    for row in grid:
        if row.line >= header_line:
            break
        texts = [clean_text(v) for v in row.cells if clean_text(v)]
        if len(texts) == 1 and parse_number_or_none(texts[0]) is None:
            return " ".join(str(next(v for v in row.cells if clean_text(v))).split())
    return fallback


def _column(header: str, cells: list[Any]) -> tuple[list[str], str | None]:
    """The spec lines of one column (after [[columns]]), and a comment above it."""
    values = [c for c in cells if clean_text(c)]
    numbers = [parse_number_or_none(c) for c in values]
    lines = [f"source = {toml_string(header)}"]
    if "/" in header:
        top, sub = header.rsplit("/", 1)
        lines = [f"name = {toml_string(sub)}", *lines, f"group = {toml_string(top)}"]
    comment = None
    if not values or any(n is None for n in numbers):
        return [*lines, 'role = "value"', 'type = "text"'], None
    blanks = len(values) < len(cells)
    percent = any(isinstance(c, str) and c.strip().endswith(("%", "％")) for c in values)
    rate = any(w in header for w in RATE_WORDS)
    whole = all(n is not None and n.denominator == 1 for n in numbers)
    if percent or (rate and all(n is not None and abs(n) <= 1 for n in numbers) and not whole):
        lines += ['role = "value"', 'type = "percent"', "decimals = 2"]
        comment = MSG["rate"]
    elif whole and any(header.endswith(s) for s in SERIAL) and _serial(numbers):
        lines += ['role = "value"', 'type = "int"']
        comment = MSG["serial"]
    elif whole and not rate and not any(w in header for w in MEAN_WORDS):
        lines += ['role = "count"']
    else:
        lines += ['role = "value"', 'type = "number"', f"decimals = {_decimals(cells)}"]
    if blanks:
        lines += [f'blank = "zero"  {MSG["blank"]}']
    return lines, comment


def _serial(numbers: list[Fraction | None]) -> bool:
    return [int(n) for n in numbers if n is not None] == list(range(1, len(numbers) + 1))


def _decimals(cells: list[Any]) -> int:
    places = 0
    for c in cells:
        text = str(c).strip() if c is not None else ""
        if isinstance(c, float):
            text = repr(c)
        if "." in text and "e" not in text.lower():
            places = max(places, len(text.split(".", 1)[1].rstrip("%")))
    return min(max(places, 1), 4)


def spec_text(
    sheet: Sheet, key: str, title: str, file: str, name: str, source: str, sheet_name: str | None
) -> str:
    out = [MSG["header"].format(title=title, file=file, name=name), ""]
    out += [f"title = {toml_string(title)}", f"source = {toml_string(source)}"]
    if sheet_name is not None:
        out.append(f"sheet = {toml_string(sheet_name)}")
    out.append(f"key = {toml_string(key)}")
    printed = punctuation.convert(key)  # the header as printed: 县(市、区) → 县（市、区）
    if printed != key:  # (key itself must match the sheet's header, so stays as it is)
        out.append(f"key_label = {toml_string(printed)}")
    out.append("")
    seen: dict[str, int] = {}
    for header in sheet.header:
        seen[header] = seen.get(header, 0) + 1
    counts, rates = [], []
    key_at = sheet.find_column(key)
    for i, header in enumerate(sheet.header):
        if i == key_at:
            continue
        cells = [r.cells[i] if i < len(r.cells) else None for r in sheet.rows]
        if not header:
            if any(clean_text(c) for c in cells):
                out += [MSG["skipped"].format(n=i + 1, header="", why=MSG["no_header"]), ""]
            continue
        if seen[header] > 1:
            out += [
                MSG["skipped"].format(
                    n=i + 1,
                    header=header,
                    why=MSG["same_header"],
                ),
                "",
            ]
            continue
        lines, comment = _column(header, cells)
        if comment:
            out.append(comment)
        out += ["[[columns]]", *lines, ""]
        label = header.rsplit("/", 1)[-1]
        if 'role = "count"' in lines:
            counts.append(label)
        elif 'type = "percent"' in lines or 'type = "number"' in lines:
            rates.append(label)
    out += _hints(counts, rates)
    return "\n".join(out)


def _ident(name: str) -> str:
    return name if name.isidentifier() else f"`{name}`"


def _hints(counts: list[str], rates: list[str]) -> list[str]:
    lines = [MSG["expr_hint"]]
    a, b = (counts[-1], counts[0]) if len(counts) >= 2 else ("数量A", "数量B")
    lines += [
        "# [[columns]]",
        '# name = "比率"',
        f'# expr = "{_ident(a)} / {_ident(b)}"',
        '# type = "percent"',
        "# decimals = 2",
        "",
    ]
    by = rates[0] if rates else "比率"
    lines += [
        MSG["rank_hint"],
        "# [rank]",
        f"# by = {toml_string(by)}",
        '# order = "desc"',
        '# ties = "min"',
        '# name = "排名"',
        "",
    ]
    return lines


def _free_name(folder: Path, stem: str) -> str:
    if SLUG.match(stem) and not (folder / f"{stem}.toml").exists():
        return stem
    n = 1
    while (folder / f"table-{n}.toml").exists():
        n += 1
    return f"table-{n}"


def import_xlsx(
    file: Path, root: Path, *, edition: str | None = None, name: str | None = None
) -> Created:
    from bulletin.compute.sheets import read_grid
    from bulletin.compute.tables import load_table

    root = root.resolve()
    info = find_edition(root, edition)
    folder = root / "data" / info.id
    name = name if name is not None else _free_name(folder, file.stem)
    if not SLUG.match(name):
        raise BulletinError(msg("xlsx.bad_name", name=name), hint=msg("xlsx.bad_name_hint"))
    spec_path = folder / f"{name}.toml"
    book_path = folder / f"{name}{file.suffix.lower()}"
    for path in (spec_path, book_path):
        if path.exists():
            raise BulletinError(
                msg("xlsx.exists", file=path.relative_to(root).as_posix()),
                hint=msg("xlsx.exists_hint"),
            )
    grid = read_grid(file, file.name)
    found = _guess_key(grid)
    if found is None:
        raise DataError(msg("xlsx.no_key"), file=file.name, hint=msg("xlsx.no_key_hint"))
    _, key = found
    sheet = read_sheet(file, shown=file.name, key=key)
    title = _title(grid, sheet.header_line, " ".join(file.stem.split()))
    text = spec_text(sheet, key, title, file.name, name, book_path.name, None)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, book_path)
    spec_path.write_text(text, encoding="utf-8")
    try:
        table = load_table(spec_path, root=root)
    except BulletinError as exc:
        spec_path.unlink()
        book_path.unlink()
        raise BulletinError(msg("xlsx.invalid", error=exc), hint=msg("xlsx.invalid_hint")) from None
    spec_shown = spec_path.relative_to(root).as_posix()
    book_shown = book_path.relative_to(root).as_posix()
    created = Created(spec_path, spec_shown, files=[spec_shown, book_shown])
    created.notes += [msg("xlsx.crosscheck", finding=f) for f in table.findings]
    created.notes += published_note(info)
    return created
