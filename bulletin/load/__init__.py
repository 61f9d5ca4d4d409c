"""The load stage: bulletin.toml, editions, articles (config, content)."""
