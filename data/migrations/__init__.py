"""Numbered schema migrations, NNN_name.sql, applied in order by bot.store.migrations."""
