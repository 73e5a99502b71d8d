"""The Dash app, and `server` for WSGI servers such as gunicorn (`gunicorn app:server`)."""

from dashboard.factory import create_app

app = create_app()
server = app.server
