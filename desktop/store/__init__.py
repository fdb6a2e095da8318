"""The local session store: SQLite through peewee, migrations, and the one writer of every row."""
