"""编辑台, the editors' workbench: `bulletin serve` also serves it at /_studio/.

One browser tab does what the commands do (new edition, new article, import, check, build,
publish) and edits what editors otherwise edit by hand (edition.toml, front matter, Markdown,
table specs). The files stay the single source of truth: every screen is read from them, every
save writes them (atomically, refused when the file changed on disk since it was read), and
the actions call the same functions as the CLI, so they write the same bytes.

- `guard.py`: who may ask (Host and Origin headers, the CSRF token, the access token when
  bound to another address than 127.0.0.1) and the headers every answer carries;
- `files.py`: the project's files as the workbench reads and writes them;
- `api.py`: the requests, each a small function from a request to a JSON answer;
- `bulletin/theme/studio/`: the page, its script and style (no framework, nothing remote).
"""
