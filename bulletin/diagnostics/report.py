"""The reporter: where diagnostics go. One object collects them, counts them and shows each
in the one format every command uses (`build`, `check`, `serve`, the workbench):

    content/2021-12/edition.toml:11: error: 'pages.0.articles': page 1 lists article …
      → did you mean 'caizheng'?

in the current language (错误：/警告：/提示：, → 修改建议：…). Code that finds problems hands
them to a reporter (or raises a BulletinError that the caller reports); it never prints.
Tests use a plain `Reporter` as a buffer (lektor's BufferReporter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bulletin.diagnostics import i18n
from bulletin.diagnostics.errors import Diagnostic


class Reporter:
    """Collects diagnostics in the order they come; counts them. `show`, if given, receives
    each one's text as it is reported (the CLI prints it)."""

    def __init__(self, show: Callable[[str], None] | None = None) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.show = show

    def report(self, d: Diagnostic) -> None:
        self.diagnostics.append(d)
        if self.show is not None:
            self.show(i18n.diagnostic(d))

    def report_all(self, found: Iterable[Diagnostic]) -> None:
        for d in found:
            self.report(d)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        """Errors, or (with --strict) warnings."""
        return bool(self.errors or (strict and self.warnings))
