"""A deterministic benchmark corpus: N editions of the sample site's kind, in three layouts.

    .venv/bin/python bench/generate.py 100 /tmp/corpus      # bulletin/, hugo/, mkdocs/

Every edition has one page of seven Chinese articles of about 1,500 characters each and one
table, the sample's 通报表 (data/2021-13/microcredit.toml: counts only, and its chart) with
counts varied from edition to edition. The article text is made of the sample articles' own
sentences, drawn by a seeded RNG: the same N and seed give byte-identical files. The same
articles are also written as a Hugo site (a minimal layout of its own, no theme) and as an
MkDocs site (its built-in theme), so the three generators build the same text.

`--no-charts` leaves the chart out of the table spec (the pages-only comparison).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content"
TABLE_SPEC = ROOT / "data" / "2021-13" / "microcredit.toml"  # counts only
BASE_CSV = ROOT / "data" / "2021-13" / "microcredit.csv"
SLUGS = ("caizheng", "minquan", "ningling", "zhecheng", "shifanqu", "liangyuan", "suixian")
ARTICLE_CHARS = 1500
FIRST_DAY = dt.date(2012, 1, 6)  # a Friday; one edition a week
BANNER = "压紧压实巩固脱贫攻坚成果主体责任 坚决守住不发生规模性返贫底线"
CREDIT = "本版由商丘市乡村振兴局供稿"


# -- the sample's text ---------------------------------------------------------------------


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    _, head, body = text.split("---\n", 2)
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip().strip("'\"")
    return meta, body


def sample_text() -> tuple[list[str], list[str], list[str]]:
    """(sentences, titles, kickers) of the sample articles, in file order."""
    sentences: list[str] = []
    titles: list[str] = []
    kickers: list[str] = []
    for path in sorted(SAMPLE.glob("*/*.md")):
        meta, body = _front_matter(path.read_text(encoding="utf-8"))
        titles.append(meta["title"])
        if meta.get("kicker"):
            kickers.append(meta["kicker"])
        for para in body.split("\n\n"):
            para = para.strip()
            if not para or para.startswith(("```", "#", "|", ">", "!", "-")):
                continue
            if "{" in para or "`" in para:  # directives: not plain Markdown
                continue
            para = para.replace("**", "").replace("\n", "")
            sentences += [s for s in re.findall(r"[^。！？]+[。！？]", para) if len(s) >= 8]
    return sentences, titles, kickers


# -- one edition ---------------------------------------------------------------------------


def editions(n: int) -> list[tuple[str, int, dt.date]]:
    """(id, number within the year, date) of N weekly editions, oldest first."""
    out = []
    number, year = 0, None
    for i in range(n):
        day = FIRST_DAY + dt.timedelta(days=7 * i)
        number = number + 1 if day.year == year else 1
        year = day.year
        out.append((f"{day.year}-{number:02d}", number, day))
    return out


def article(rng: random.Random, sentences: list[str]) -> list[str]:
    """The paragraphs (Markdown) of an article of about ARTICLE_CHARS characters."""
    paragraphs: list[str] = []
    size = 0
    while size < ARTICLE_CHARS:
        picked = [rng.choice(sentences) for _ in range(rng.randint(3, 6))]
        text = "".join(picked)
        size += len(text)
        if len(paragraphs) % 2 == 1 and len(picked[0]) <= 24:
            text = f"**{picked[0]}**{''.join(picked[1:])}"  # a lead-in sentence in bold
        paragraphs.append(text)
    return paragraphs


def counts(rng: random.Random, index: int) -> list[list[str]]:
    """The 通报表 rows (as CSV cells) of edition `index`: the sample's counts, varied."""
    with BASE_CSV.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    out = [header]
    growth = 1 + 0.001 * index
    for row in body:
        poor, watched, loans, new = (int(x) for x in row[2:6])
        watched = max(1, round(watched * growth * rng.uniform(0.97, 1.03)))
        loans = round(loans * growth * rng.uniform(0.9, 1.1))
        new = min(loans, round(new * rng.uniform(0.85, 1.15)))
        out.append([*row[:2], str(poor), str(watched), str(loans), str(new)])
    return out


def table_spec(charts: bool) -> str:
    spec = TABLE_SPEC.read_text(encoding="utf-8")
    if not charts:
        spec = spec[: spec.index("[[charts]]")]
    return "\n".join(line for line in spec.splitlines() if not line.startswith("#")) + "\n"


def _csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _md_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines) + "\n"


def _yaml(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- the three layouts ---------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.invalid/"
languageCode = "zh-cn"
title = "商丘乡村振兴"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
HUGO_BASEOF = """\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<style>body{max-width:46em;margin:auto;font-family:sans-serif;line-height:1.8}</style>
</head><body>
<header><a href="{{ "" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body></html>
"""
HUGO_SINGLE = """\
{{ define "main" }}
<article>{{ with .Params.kicker }}<p class="kicker">{{ . }}</p>{{ end }}
<h1>{{ .Title }}</h1>
{{ .Content }}
</article>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
"""
HUGO_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"""
MKDOCS_CONFIG = """\
site_name: 商丘乡村振兴
docs_dir: docs
theme:
  name: mkdocs
  language: zh
"""


def generate(n: int, out: Path, *, seed: int = 2021, charts: bool = True) -> Path:
    """Write the corpus of N editions into `out` (replaced): out/bulletin, out/hugo, out/mkdocs."""
    if out.exists():
        shutil.rmtree(out)
    sentences, titles, kickers = sample_text()
    spec = table_spec(charts)
    site = out / "bulletin"
    hugo = out / "hugo"
    docs = out / "mkdocs" / "docs"
    (site / "content").mkdir(parents=True)
    toml = (ROOT / "bulletin.toml").read_text(encoding="utf-8")
    (site / "bulletin.toml").write_text(toml, encoding="utf-8")
    for folder in ("content/editions", "layouts/_default"):
        (hugo / folder).mkdir(parents=True)
    (hugo / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (hugo / "layouts/_default/baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (hugo / "layouts/_default/single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (hugo / "layouts/_default/list.html").write_text(HUGO_LIST, encoding="utf-8")
    (hugo / "content/_index.md").write_text("---\ntitle: 往期\n---\n", encoding="utf-8")
    (hugo / "content/editions/_index.md").write_text("---\ntitle: 往期\n---\n", encoding="utf-8")
    docs.mkdir(parents=True)
    (out / "mkdocs" / "mkdocs.yml").write_text(MKDOCS_CONFIG, encoding="utf-8")
    (docs / "index.md").write_text("# 商丘乡村振兴\n", encoding="utf-8")
    rng = random.Random(seed)
    for index, (eid, number, day) in enumerate(editions(n)):
        edition = site / "content" / eid
        edition.mkdir()
        (edition / "edition.toml").write_text(
            f'number = {number}\ndate = {day.isoformat()}\nstatus = "published"\n\n'
            f'[[pages]]\nbanner = "{BANNER}"\ncredit = "{CREDIT}"\n'
            f"articles = [{', '.join(f'{s!r}' for s in SLUGS)}]\n".replace("'", '"')
            + 'tables = ["microcredit"]\n',
            encoding="utf-8",
        )
        data = site / "data" / eid
        data.mkdir(parents=True)
        rows = counts(rng, index)
        (data / "microcredit.csv").write_text(_csv_text(rows), encoding="utf-8")
        (data / "microcredit.toml").write_text(spec, encoding="utf-8")
        heading = f"{day.year}年第{number}期"
        hugo_dir = hugo / "content" / "editions" / eid
        hugo_dir.mkdir()
        (hugo_dir / "_index.md").write_text(
            f"---\ntitle: {_yaml(heading)}\ndate: {day.isoformat()}\n---\n\n"
            f"## 商丘市脱贫人口小额信贷通报表\n\n{_md_table(rows)}",
            encoding="utf-8",
        )
        (docs / eid).mkdir()
        (docs / eid / "index.md").write_text(
            f"# {heading}\n\n## 商丘市脱贫人口小额信贷通报表\n\n{_md_table(rows)}",
            encoding="utf-8",
        )
        for order, slug in enumerate(SLUGS, start=1):
            title = rng.choice(titles)
            kicker = rng.choice(kickers)
            paragraphs = article(rng, sentences)
            body = "\n\n".join(paragraphs) + "\n"
            (edition / f"{slug}.md").write_text(
                f"---\nkicker: {_yaml(kicker)}\ntitle: {_yaml(title)}\n---\n\n{body}",
                encoding="utf-8",
            )
            (hugo_dir / f"{slug}.md").write_text(
                f"---\ntitle: {_yaml(title)}\nkicker: {_yaml(kicker)}\n"
                f"date: {day.isoformat()}\nweight: {order}\n---\n\n{body}",
                encoding="utf-8",
            )
            (docs / eid / f"{slug}.md").write_text(f"# {title}\n\n{body}", encoding="utf-8")
    return out


# -- the makeup corpus: editions of varied size ------------------------------------------------

MAKEUP_SIZES = (3, 4, 5, 6, 7, 8, 9)


def varied(out: Path, count: int, *, seed: int = 15) -> list[Path]:
    """`count` one-edition projects of varied size for the print makeup (tests/test_makeup.py,
    bench/makeup.py): 3–9 articles of together about 2,000–12,000 Chinese characters (the
    lead the longest), on A3 or A4, with or without the 通报表 and its chart; the paper's
    default bounds. Deterministic for a seed."""
    if out.exists():
        shutil.rmtree(out)
    sentences, titles, kickers = sample_text()
    rng = random.Random(seed)
    projects = []
    for index in range(count):
        root = out / f"{index:02d}"
        paper = ("A3", "A4")[index % 2]
        articles = MAKEUP_SIZES[rng.randrange(len(MAKEUP_SIZES))]
        total = rng.randrange(2000, 12001 if paper == "A3" else 6001, 500)
        table = rng.random() < 0.6
        (root / "content" / "2024-01").mkdir(parents=True)
        (root / "bulletin.toml").write_text(
            f'name = "商丘乡村振兴"\npublisher = "商丘市乡村振兴局"\npaper = "{paper}"\n',
            encoding="utf-8",
        )
        slugs = [f"a{i}" for i in range(articles)]
        (root / "content" / "2024-01" / "edition.toml").write_text(
            'number = 1\ndate = 2024-01-05\nstatus = "published"\n\n'
            f'[[pages]]\nbanner = "{BANNER}"\ncredit = "{CREDIT}"\n'
            f"articles = [{', '.join(f'{chr(34)}{s}{chr(34)}' for s in slugs)}]\n"
            + ('tables = ["microcredit"]\n' if table else ""),
            encoding="utf-8",
        )
        weights = [2.0] + [rng.uniform(0.6, 1.4) for _ in slugs[1:]]
        for slug, weight in zip(slugs, weights, strict=True):
            size = int(total * weight / sum(weights))
            paragraphs: list[str] = []
            while sum(len(p) for p in paragraphs) < size:
                paragraphs.append("".join(rng.choice(sentences) for _ in range(rng.randint(2, 5))))
            (root / "content" / "2024-01" / f"{slug}.md").write_text(
                f"---\nkicker: {_yaml(rng.choice(kickers))}\ntitle: {_yaml(rng.choice(titles))}"
                f"\n---\n\n" + "\n\n".join(paragraphs) + "\n",
                encoding="utf-8",
            )
        if table:
            data = root / "data" / "2024-01"
            data.mkdir(parents=True)
            (data / "microcredit.csv").write_text(_csv_text(counts(rng, index)), encoding="utf-8")
            (data / "microcredit.toml").write_text(table_spec(True), encoding="utf-8")
        projects.append(root)
    return projects


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("editions", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-charts", action="store_true")
    args = parser.parse_args(argv)
    generate(args.editions, args.out, seed=args.seed, charts=not args.no_charts)
    print(f"wrote {args.editions} edition(s) into {args.out}")


if __name__ == "__main__":
    main()
