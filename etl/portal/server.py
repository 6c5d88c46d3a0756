"""The portal under uvicorn, configured so that nothing personal reaches a log."""

from __future__ import annotations

import logging
from typing import Any

import uvicorn

# uvicorn's access log prints the full request line (query string included) and the client's
# address: it stays off, and etl.portal.security.AccessLog logs method, route and status instead.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "etl.portal": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def build_server(app: Any, host: str, port: int, *, configure_logging: bool = True) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_config=LOG_CONFIG if configure_logging else None,
        server_header=False,
        # X-Forwarded-Proto / -For are trusted from a reverse proxy on this machine only (TLS ends there).
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=10,
    )
    # After Config (which may apply a logging config): whatever handlers a deployment or a test
    # runner attaches, uvicorn's access logger stays silent.
    logging.getLogger("uvicorn.access").disabled = True
    return uvicorn.Server(config)
