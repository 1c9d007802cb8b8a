"""A built-in stand-in for the Usage Engine API, for demos and tests.

The core (everything except `apps.py` and `management/`) is Django-free: it is a WSGI
application served by a threaded wsgiref server. Start it with ``manage.py sandbox``,
``python -m console.sandbox``, or `console.sandbox.server.start_in_thread` in tests.
"""
