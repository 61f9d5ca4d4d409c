"""What every chart kind says in words (:mod:`bulletin.charts.kinds`): the highest and the
lowest, the marked bars, a row's change across editions — in Chinese, from the values'
texts as the table shows them."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bulletin.charts.data import ChartData, Series


def extremes(labels: Sequence[str], values: Sequence[float | None], texts: Sequence[str]) -> str:
    """"甲县最高（24.40%），乙县最低（6.32%）" (ties named together; "均为" when all equal)."""
    known = [(lab, v, t) for lab, v, t in zip(labels, values, texts, strict=True) if v is not None]
    if not known:
        return "没有数据"
    hi, lo = max(v for _, v, _ in known), min(v for _, v, _ in known)

    def who(target: float) -> tuple[str, str]:
        names = [lab for lab, v, _ in known if v == target]
        text = next(t for _, v, t in known if v == target)
        return "、".join(names) + ("并列" if len(names) > 1 else ""), text

    (hn, ht), (ln, lt) = who(hi), who(lo)
    if hi == lo:
        return f"{hn}均为{ht}"
    return f"{hn}最高（{ht}），{ln}最低（{lt}）"


def marks(data: ChartData) -> str:
    """What highlight marked, for the alt text: "红色标出最高的3个；…。" ("" for nothing)."""
    count: dict[str, int] = {}
    for mark in data.highlight.values():
        count[mark] = count.get(mark, 0) + 1
    parts = []
    if "top" in count:
        parts.append(f"红色标出最高的{count['top']}个")
    if "bottom" in count:
        parts.append(f"橙色标出最低的{count['bottom']}个")
    if "named" in count:
        names = [k for k, m in data.highlight.items() if m == "named"]
        parts.append(f"{'、'.join(names)}以红色标出")
    return "；".join(parts) + "。" if parts else ""


def change(s: Series) -> str:
    """A line's first and latest value: "甲县由10.0%升至15.0%"."""
    known = [(v, t) for v, t in zip(s.values, s.texts, strict=True) if v is not None]
    if not known:
        return ""
    (first, ft), (last, lt) = known[0], known[-1]
    if len(known) == 1:
        return f"{s.name}{lt}"
    verb = "升至" if last > first else "降至" if last < first else "持平于"
    return f"{s.name}由{ft}{verb}{lt}"


def ordered(name: str, values: Sequence[float | None]) -> str:
    """How the alt text introduces values in drawing order: by size, or as they come."""
    pairs = list(itertools.pairwise(v for v in values if v is not None))
    if all(a >= b for a, b in pairs):
        return f"按{name}从高到低"
    if all(a <= b for a, b in pairs):
        return f"按{name}从低到高"
    return "依次为"
