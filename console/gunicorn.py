"""gunicorn settings for the team server (`gunicorn -c python:console.gunicorn console.wsgi`).

The access log goes through the console's link-token filter (console.core.logfilters),
so the one request line that carries an invitation or password-reset token does not
keep it.
"""

bind = "0.0.0.0:8000"
workers = 4
threads = 4
accesslog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"link_tokens": {"()": "console.core.logfilters.RedactLinkTokens"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["link_tokens"],
        },
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["link_tokens"],
        },
    },
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
    },
}
