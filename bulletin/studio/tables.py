"""The workbench's requests about a table: its computed result, its spec saved."""

from __future__ import annotations

from typing import Any

from bulletin.diagnostics.errors import BulletinError, msg
from bulletin.studio.answers import Answer, Request, shown
from bulletin.studio.base import StudioBase
from bulletin.studio.edits import spec_form, with_spec_form
from bulletin.studio.files import Refused, Stale, check_name


class TableRequests(StudioBase):
    """GET/PUT tables/<id>/<name>."""

    def table(self, request: Request, eid: str, name: str) -> Answer:
        from bulletin.compute import compute
        from bulletin.load.content import load_site

        self._info(eid)
        where = f"data/{eid}/{check_name(name, 'table')}.toml"
        read = self.files.read(where)
        if read.data is None:
            raise Refused(msg("studio.no_table", file=where))
        answer: dict[str, Any] = {"edition": eid, "name": name, "file": where,
                                  "version": read.version, "spec": read.text,
                                  "form": spec_form(read.text)}
        try:
            site = load_site(self.root, drafts=True)
            computed = compute(site, {eid}, strict=False)[eid]
            table = computed.tables[name]
        except BulletinError as exc:
            answer.update(html="", problems=[shown(d) for d in exc.diagnostics])
            return Answer(200, answer)
        html = self._table_html((site, computed), eid, name)
        answer.update(html=html, problems=[shown(f) for f in table.findings])
        return Answer(200, answer)

    def save_table(self, request: Request, eid: str, name: str) -> Answer:
        from bulletin.compute.tables import load_table

        body = request.json()
        info = self._info(eid)
        where = f"data/{eid}/{check_name(name, 'table')}.toml"
        current = self.files.read(where)
        if isinstance(body.get("form"), dict):  # the common settings, into the text as it is
            text = with_spec_form(current.text, body["form"])
        else:
            text = str(body.get("spec") or "")
        if current.version != body.get("version"):
            raise Stale(msg("studio.stale", file=where), file=where, hint=msg("studio.stale_hint"))
        probe = self.root / "data" / eid / f".{name}.check"  # beside its CSV, as the spec is
        probe.write_text(text, encoding="utf-8")
        try:
            load_table(probe, root=self.root)
        except BulletinError as exc:
            raise exc.at(file=where) from None
        finally:
            probe.unlink(missing_ok=True)
        if info.config.status == "published":
            self._record_correction(info, body)
        version = self.files.write(where, text.encode("utf-8"), body.get("version", ""))
        return Answer(200, {"version": version})
