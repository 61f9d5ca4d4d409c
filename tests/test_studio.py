"""The workbench (编辑台, bulletin/studio) over real HTTP: who may ask (Host, Origin, CSRF,
token), stale edits, uploads, nothing written outside the project, and files byte-identical
to those the CLI writes for the same actions."""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import io
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from bulletin.cli import main
from bulletin.commands.serve import Handler, Preview
from bulletin.studio.app import Workbench
from bulletin.studio.edits import with_front_matter

from .conftest import ROOT, copy_project, tree_digest

DAY = dt.date(2022, 1, 7)


@dataclass
class Server:
    root: Path
    port: int
    bench: Workbench

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        host: str | None = None,
        origin: str | None = "same",
        csrf: str | None = "same",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        sent = {"Host": host or f"127.0.0.1:{self.port}", **(headers or {})}
        if origin is not None and method != "GET":
            sent["Origin"] = f"http://127.0.0.1:{self.port}" if origin == "same" else origin
        if csrf is not None and method != "GET":
            sent["X-CSRF-Token"] = self.bench.guard.csrf if csrf == "same" else csrf
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        conn.close()
        kind = response.getheader("Content-Type") or ""
        parsed = json.loads(raw) if kind.startswith("application/json") else raw
        return response.status, parsed, dict(response.getheaders())

    def api(self, method: str, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        status, data, _ = self.request(method, "/_studio/api/" + path, body, **kw)
        return status, data


def start(root: Path, host: str = "127.0.0.1") -> Iterator[Server]:
    preview = Preview(root, echo=lambda text: None)
    server = ThreadingHTTPServer((host, 0), functools.partial(Handler, preview=preview))
    port = server.server_address[1]
    bench = Workbench.open(root, host, port, "en", today=lambda: DAY)
    server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        Handler, preview=preview, workbench=bench
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Server(root.resolve(), port, bench)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Server]:
    """The workbench over a copy of the sample project, in a folder of its own (its parent
    is watched: nothing may be written beside the project)."""
    yield from start(copy_project(tmp_path / "box" / "sample"))


def outside(server: Server) -> dict[str, str]:
    """Every file beside the project (in its parent folder), to see that none appears."""
    return {k: v for k, v in tree_digest(server.root.parent).items()
            if not k.startswith(server.root.name + "/")}


# -- who may ask -----------------------------------------------------------------------------


def test_the_page_and_its_headers(studio: Server) -> None:
    status, page, headers = studio.request("GET", "/_studio/")
    assert status == 200
    text = page.decode()
    assert studio.bench.guard.csrf in text and "studio.js" in text
    assert '<html lang="en">' in text and ">Editions<" in text  # (this server: --lang en)
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing from elsewhere
    assert '<script type="module" src="studio.js">' in text
    scripts = {"studio.js"}
    seen: set[str] = set()
    while scripts - seen:  # the page's script and every module it imports, served from here
        name = sorted(scripts - seen)[0]
        seen.add(name)
        status, body, headers = studio.request("GET", "/_studio/" + name)
        assert status == 200 and body and "Content-Security-Policy" in headers, name
        assert headers["Content-Type"].startswith("text/javascript"), name  # (modules need it)
        assert not re.search(rb"https?://", body), name
        scripts |= {m.decode() for m in re.findall(rb'from "\./([\w-]+\.js)"', body)}
    shipped = {p.name for p in (ROOT / "bulletin/theme/studio").glob("*.js")}
    assert seen == shipped  # no module left unused, none missing
    status, body, headers = studio.request("GET", "/_studio/studio.css")
    assert status == 200 and body and not re.search(rb"https?://", body)


def test_a_foreign_host_is_refused_dns_rebinding_included(studio: Server) -> None:
    for path in ("/_studio/", "/_studio/api/editions", "/index.html"):
        status, data, _ = studio.request("GET", path, host=f"attacker.example:{studio.port}")
        assert status == 403, path
    status, data = studio.api("POST", "editions", {}, host=f"attacker.example:{studio.port}")
    assert status == 403 and "attacker.example" in data["error"][0]["message"]
    assert not (studio.root / "content" / "2022-01").exists()


@pytest.mark.parametrize(
    ("origin", "csrf"),
    [("http://evil.example", "same"), (None, "same"), ("same", None), ("same", "guess")],
)
def test_a_change_from_another_origin_or_without_the_token_is_refused(
    studio: Server, origin: str | None, csrf: str | None
) -> None:
    before = tree_digest(studio.root)
    status, data = studio.api("POST", "editions", {"date": "2022-01-07"}, origin=origin, csrf=csrf)
    assert status == 403, data
    assert tree_digest(studio.root) == before


def test_bound_to_another_address_every_request_needs_the_token(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "sample")
    for server in start(root, host="0.0.0.0"):
        token = server.bench.guard.token
        assert token
        assert server.request("GET", "/_studio/")[0] == 403
        assert server.request("GET", "/_studio/api/editions")[0] == 403
        status, _, headers = server.request("GET", f"/_studio/?token={token}")
        assert status == 200 and "HttpOnly" in headers["Set-Cookie"]
        cookie = headers["Set-Cookie"].split(";")[0]
        assert server.api("GET", "editions", headers={"Cookie": cookie})[0] == 200
        assert server.api("GET", "editions", headers={"Cookie": "bulletin_studio=x"})[0] == 403


# -- files -----------------------------------------------------------------------------------


def test_editions_and_an_edition(studio: Server) -> None:
    status, data = studio.api("GET", "editions")
    assert status == 200
    assert [(e["id"], e["number"], e["status"]) for e in data["editions"]] == [
        ("2021-13", 13, "published"), ("2021-12", 12, "published")]
    status, e = studio.api("GET", "editions/2021-13")
    assert e["pages"][0]["articles"] == ["xindai", "suixian"]
    assert e["articles"]["suixian"]["title"].startswith("睢县")
    assert e["tables"] == ["microcredit"]


def test_reordering_keeps_the_comments_and_needs_a_correction_when_published(
    studio: Server,
) -> None:
    path = studio.root / "content/2021-13/edition.toml"
    before = path.read_text(encoding="utf-8")
    _, e = studio.api("GET", "editions/2021-13")
    change = {"version": e["version"], "pages": [{"articles": ["suixian", "xindai"]}]}
    status, data = studio.api("PUT", "editions/2021-13", change)
    assert status == 400 and "correction" in data["error"][0]["message"]
    assert path.read_text(encoding="utf-8") == before
    change["correction"] = {"date": "2021-12-28", "text": "调整稿件顺序"}
    status, data = studio.api("PUT", "editions/2021-13", change)
    assert status == 200, data
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('articles = ["xindai", "suixian"]',
                                   'articles = ["suixian", "xindai"]') + (
        '\n[[corrections]]\ndate = 2021-12-28\ntext = "调整稿件顺序"\n')
    built = CliRunner().invoke(main, ["build", "--no-pdf", "--root", str(studio.root)])
    assert built.exit_code == 0, built.output


def test_a_stale_edit_is_refused_and_nothing_is_written(studio: Server) -> None:
    _, a = studio.api("GET", "articles/2021-12/caizheng")
    path = studio.root / "content/2021-12/caizheng.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n编辑在别处加的一段。\n", encoding="utf-8")
    on_disk = path.read_bytes()
    edit = {"version": a["version"], "meta": a["meta"], "body": a["body"] + "\n新的一段。\n",
            "correction": {"date": "2021-12-30", "text": "补充一段"}}
    status, data = studio.api("PUT", "articles/2021-12/caizheng", edit)
    assert status == 409 and "changed on disk" in data["error"][0]["message"]
    assert path.read_bytes() == on_disk
    assert "corrections" not in (studio.root / "content/2021-12/edition.toml").read_text("utf-8")


def test_an_article_saved_keeps_its_other_lines(studio: Server) -> None:
    path = studio.root / "content/2021-13/xindai.md"
    original = path.read_text(encoding="utf-8")
    _, a = studio.api("GET", "articles/2021-13/xindai")
    meta = {**a["meta"], "subtitle": "记者 走访", "kicker": ""}
    edit = {"version": a["version"], "meta": meta, "body": a["body"],
            "correction": {"date": "2021-12-30", "text": "增加副题"}}
    status, data = studio.api("PUT", "articles/2021-13/xindai", edit)
    assert status == 200, data
    saved = path.read_text(encoding="utf-8")
    assert saved.endswith(a["body"]) and "subtitle: 记者 走访\n" in saved
    assert "kicker:" not in saved.split("---")[1]
    same = with_front_matter(original, a["meta"], a["body"])
    assert same == original  # the fields as they were: the file as it was


def test_a_correction_is_written_as_the_cli_writes_it(studio: Server, tmp_path: Path) -> None:
    twin = copy_project(tmp_path / "twin")
    _, a = studio.api("GET", "articles/2021-13/xindai")
    edit = {"version": a["version"], "meta": a["meta"], "body": a["body"] + "\n补充一段。\n",
            "correction": {"date": "2021-12-30", "text": "补充 一段"}}
    assert studio.api("PUT", "articles/2021-13/xindai", edit)[0] == 200
    cli(twin, "new", "correction", "补充 一段", "--edition", "2021-13", "--date", "2021-12-30")
    name = "content/2021-13/edition.toml"
    assert (studio.root / name).read_bytes() == (twin / name).read_bytes()
    early = {**edit, "version": studio.api("GET", "articles/2021-13/xindai")[1]["version"],
             "correction": {"date": "2021-12-01", "text": "早于出版"}}
    status, data = studio.api("PUT", "articles/2021-13/xindai", early)
    assert status == 400 and "before the date of edition" in data["error"][0]["message"]


def test_preview_renders_the_body_with_the_editions_tables(studio: Server) -> None:
    body = ("合计余额获贷率为{value}`microcredit/合计/余额获贷率`。\n\n<b>x</b>\n\n"
            "```{table} microcredit\n```\n")
    status, r = studio.api("POST", "preview", {"edition": "2021-12", "body": body})
    assert status == 200
    assert "14.40%" in r["html"] and "<b>" not in r["html"]
    assert "<table" in r["html"] and "217445" in r["html"]  # the table, computed
    assert '"../editions/2021-12/' in r["html"]  # its chart, from the preview
    assert 'href="../editions/2021-12/microcredit.csv"' in r["html"]  # its CSV too
    assert any("HTML" in p["message"] for p in r["problems"])
    chart = "```{chart} microcredit-rate\n```\n"
    status, r = studio.api("POST", "preview", {"edition": "2021-12", "body": chart})
    assert status == 200 and "../editions/2021-12/microcredit-rate.svg" in r["html"]


def test_a_table_and_a_spec_saved_only_when_it_computes(studio: Server) -> None:
    status, tb = studio.api("GET", "tables/2021-12/microcredit")
    assert status == 200 and "217445" in tb["html"]
    assert any("cross-check" in p["message"] for p in tb["problems"])
    path = studio.root / "data/2021-12/microcredit.toml"
    before = path.read_bytes()
    bad = tb["spec"].replace('key = "县(市、区)"', 'key = "县名"')
    status, data = studio.api("PUT", "tables/2021-12/microcredit",
                              {"version": tb["version"], "spec": bad,
                               "correction": {"date": "2021-12-30", "text": "x"}})
    assert status == 400 and data["error"][0]["file"] == "data/2021-12/microcredit.toml"
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".*"))


def test_paths_and_names_that_leave_the_project_are_refused(studio: Server) -> None:
    before = outside(studio)
    for path in ("articles/2021-12/..%2F..%2Fbulletin", "articles/..%2F..%2Fx/y",
                 "tables/2021-12/..%2Fx", "editions/..%2F..%2Fetc"):
        status, _ = studio.api("GET", path)
        assert status in (403, 404), path
    assert outside(studio) == before


# -- actions: the same bytes as the CLI ------------------------------------------------------


def cli(root: Path, *args: str) -> None:
    result = CliRunner().invoke(main, [*args, "--root", str(root)])
    assert result.exit_code == 0, result.output


def test_new_edition_and_article_write_what_the_cli_writes(studio: Server, tmp_path: Path) -> None:
    twin = copy_project(tmp_path / "twin")
    status, made = studio.api("POST", "editions", {"date": DAY.isoformat()})
    assert status == 201 and made["id"] == "2022-01"
    cli(twin, "new", "edition", "--date", DAY.isoformat())
    status, made = studio.api("POST", "editions/2022-01/articles", {"title": "全市召开推进会"})
    assert status == 201
    cli(twin, "new", "article", "全市召开推进会", "--edition", "2022-01")
    assert tree_digest(studio.root / "content") == tree_digest(twin / "content")


def docx_bytes() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("加强监测 防止返贫", style="Subtitle")
    document.add_heading("睢县开展防返贫监测", level=1)
    document.add_paragraph("正文第一段，介绍工作开展情况。" * 3)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload_both(
    studio: Server, twin: Path, tmp_path: Path, data: bytes, name: str, *options: str,
    headers: dict[str, str] | None = None,
) -> Any:
    """`data` uploaded as `name` into the workbench's 2022-01 and imported by the CLI into
    its twin project (with the same `options`); the upload's answer."""
    status, made = studio.api("POST", "editions/2022-01/upload", data,
                              headers={"X-Filename": quote(name), **(headers or {})})
    assert status == 201, made
    sent = tmp_path / name
    sent.write_bytes(data)
    cli(twin, "import", str(sent), "--edition", "2022-01", *options)
    return made


def test_uploads_import_as_the_cli_does_and_bad_ones_are_refused(
    studio: Server, tmp_path: Path
) -> None:
    twin = copy_project(tmp_path / "twin")
    cli(studio.root, "new", "edition", "--date", DAY.isoformat())
    cli(twin, "new", "edition", "--date", DAY.isoformat())
    data = docx_bytes()
    made = upload_both(studio, twin, tmp_path, data, "睢县.docx")
    assert made["kind"] == "article", made
    assert tree_digest(studio.root / "content") == tree_digest(twin / "content")

    before, beside = tree_digest(studio.root), outside(studio)
    for name, body in [("..%2F..%2Fevil.docx", data), ("%2Fetc%2Fpasswd.docx", data),
                       ("notes.txt", b"text"), ("fake.docx", b"not a zip at all"),
                       ("..", data), ("", data)]:
        status, answer = studio.api("POST", "editions/2022-01/upload", body,
                                    headers={"X-Filename": name})
        assert status == 403, (name, answer)
    assert tree_digest(studio.root) == before and outside(studio) == beside


def test_a_too_large_upload_is_refused(studio: Server) -> None:
    big = b"PK\x03\x04" + b"\0" * (studio.bench.max_body + 10)
    status, _ = studio.api("POST", "editions/2021-13/upload", big,
                           headers={"X-Filename": "big.docx"})
    assert status == 413


def test_check_lists_every_problem_with_its_place(studio: Server) -> None:
    status, r = studio.api("POST", "check")
    assert status == 200
    files = {p["file"] for p in r["problems"] if p["level"] == "warning"}
    assert files == {"data/2021-12/microcredit.csv"}
    assert all(p["line"] for p in r["problems"] if p["level"] == "warning")
    _, listed = studio.api("GET", "editions")
    counts = {e["id"]: e["problems"] for e in listed["editions"]}
    assert counts["2021-12"]["warning"] == 5 and counts["2021-13"] == {"error": 0, "warning": 0}


def test_nothing_is_left_beside_or_in_the_project_after_a_session(studio: Server) -> None:
    beside = outside(studio)
    studio.api("GET", "tables/2021-12/microcredit")
    studio.api("POST", "preview", {"edition": "2021-12", "body": "正文。"})
    assert outside(studio) == beside
    leftovers = [p for p in studio.root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    shutil.rmtree(studio.root / ".cache", ignore_errors=True)


def test_the_table_form_changes_only_its_settings_lines(studio: Server) -> None:
    path = studio.root / "data/2021-13/microcredit.toml"
    before = path.read_text(encoding="utf-8")
    _, tb = studio.api("GET", "tables/2021-13/microcredit")
    form = tb["form"]
    assert form["rank"] == {"by": "余额获贷率", "order": "desc", "ties": "min"}
    roles = {c["name"]: c["role"] for c in form["columns"]}
    assert roles["已脱贫户数"] == "count" and roles["新增获贷率"] is None
    rate = next(c for c in form["columns"] if c["name"] == "新增获贷率")
    change = {"rank": {"by": "新增获贷率", "order": "desc", "ties": "dense"},
              "columns": [{"index": rate["index"],
                           "expr": "当年新增户数 / (已脱贫户数 + 监测户数)"}]}
    status, data = studio.api("PUT", "tables/2021-13/microcredit",
                              {"version": tb["version"], "form": change,
                               "correction": {"date": "2021-12-30", "text": "按新增获贷率排名"}})
    assert status == 200, data
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('by = "余额获贷率"', 'by = "新增获贷率"').replace(
        'ties = "min"', 'ties = "dense"')
    _, tb = studio.api("GET", "tables/2021-13/microcredit")
    assert tb["form"]["rank"]["by"] == "新增获贷率"


def test_a_csv_uploaded_imports_as_the_cli_imports_it(studio: Server, tmp_path: Path) -> None:
    """A legacy CSV (GB18030, as old county systems write it) becomes a table spec."""
    twin = copy_project(tmp_path / "twin")
    for root in (studio.root, twin):
        cli(root, "new", "edition", "--date", DAY.isoformat())
    text = (studio.root / "data/2021-13/microcredit.csv").read_text(encoding="utf-8")
    data = text.encode("gb18030")
    made = upload_both(studio, twin, tmp_path, data, "county.csv")
    assert made["kind"] == "table", made
    assert tree_digest(studio.root / "data") == tree_digest(twin / "data")
    status, tb = studio.api("GET", f"tables/2022-01/{made['name']}")
    assert status == 200 and "50144" in tb["html"]
    status, _ = studio.api("POST", "editions/2022-01/upload", b"\x00\x01binary",
                           headers={"X-Filename": "county2.csv"})
    assert status == 403


def test_adding_to_a_published_edition_needs_its_correction(
    studio: Server, tmp_path: Path
) -> None:
    """As the CLI's `new article` then `new correction`: the same bytes; without a 勘误,
    nothing is written (an upload is refused the same way)."""
    before = tree_digest(studio.root)
    status, data = studio.api("POST", "editions/2021-13/articles", {"title": "补发一篇"})
    assert status == 400 and "correction" in data["error"][0]["message"]
    status, data = studio.api("POST", "editions/2021-13/upload", docx_bytes(),
                              headers={"X-Filename": "late.docx"})
    assert status == 400 and "correction" in data["error"][0]["message"]
    assert tree_digest(studio.root) == before
    fix = {"date": "2021-12-30", "text": "补发一篇稿件"}
    status, made = studio.api("POST", "editions/2021-13/articles",
                              {"title": "补发一篇", "correction": fix})
    assert status == 201 and made["notes"] and not any("published" in n for n in made["notes"])
    twin = copy_project(tmp_path / "twin")
    cli(twin, "new", "article", "补发一篇", "--edition", "2021-13")
    cli(twin, "new", "correction", "补发一篇稿件", "--edition", "2021-13", "--date", "2021-12-30")
    assert tree_digest(studio.root / "content") == tree_digest(twin / "content")
    built = CliRunner().invoke(main, ["build", "--no-pdf", "--root", str(studio.root)])
    assert built.exit_code == 0, built.output


def test_an_article_goes_on_the_page_asked_for(studio: Server, tmp_path: Path) -> None:
    """A second 版: a new article and a Word upload onto it, as `--page 2` does."""
    twin = copy_project(tmp_path / "twin")
    for root in (studio.root, twin):
        cli(root, "new", "edition", "--date", DAY.isoformat())
        toml = root / "content/2022-01/edition.toml"
        toml.write_text(toml.read_text(encoding="utf-8") + '\n[[pages]]\narticles = []\n',
                        encoding="utf-8")
    status, made = studio.api("POST", "editions/2022-01/articles", {"title": "二版头条", "page": 2})
    assert status == 201
    cli(twin, "new", "article", "二版头条", "--edition", "2022-01", "--page", "2")
    upload = upload_both(studio, twin, tmp_path, docx_bytes(), "second.docx", "--page", "2",
                         headers={"X-Page": "2"})
    assert tree_digest(studio.root / "content") == tree_digest(twin / "content")
    _, e = studio.api("GET", "editions/2022-01")
    assert e["pages"][1]["articles"] == [made["slug"], upload["name"]]
    status, _ = studio.api("POST", "editions/2022-01/articles", {"title": "x", "page": "two"})
    assert status == 403
