"""`python -m observatory.cli`: the same as the `observatory` command."""

from . import app

app()
