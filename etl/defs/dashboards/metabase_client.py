"""A strict wrapper around `metabase_api.Metabase_API`: every non-2xx answer raises.

metabase-api (3.6) handles the session (login, re-login when it expires) but answers `False` or a
bare status code on failure. Here every call goes through its `'raw'` mode and any answer
outside 2xx, or no answer at all, becomes a `MetabaseError` naming method, endpoint, status and
the response body. Secrets the caller names (passwords, the session token) are masked in it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import requests
from metabase_api import Metabase_API

_log = logging.getLogger(__name__)
BODY_LIMIT = 2000
MASK = "***"


class MetabaseError(RuntimeError):
    """Metabase refused or failed a request."""

    def __init__(self, method: str, endpoint: str, status: int | None, body: str) -> None:
        self.method, self.endpoint, self.status, self.body = method, endpoint, status, body
        answered = f"answered {status}" if status is not None else "did not answer"
        super().__init__(f"Metabase {method} {endpoint} {answered}: {body}")


def _endpoint_of(response: requests.Response, base: str) -> str:
    url = response.request.url if response.request is not None and response.request.url else response.url
    return url[len(base):] if url.startswith(base) else url


class MetabaseClient:
    """Authenticated JSON calls to one Metabase; raises `MetabaseError` on anything but 2xx."""

    def __init__(self, url: str, username: str, password: str, *, secrets: Iterable[str] = ()) -> None:
        self.base = url.rstrip("/")
        self._secrets = [s for s in (password, *secrets) if s]
        try:
            self._api = Metabase_API(self.base, email=username, password=password)
        except requests.RequestException as exc:
            raise MetabaseError("POST", "/api/session", None, self._clean(type(exc).__name__ + ": " + str(exc))) from None
        except Exception as exc:  # metabase-api raises a bare Exception(response) when login fails
            self._raise_from(exc, "POST", "/api/session")
            raise
        if self._api.session_id:
            self._secrets.append(self._api.session_id)

    def get(self, endpoint: str, **params: Any) -> Any:
        return self._call("GET", endpoint, params=params or None)

    def post(self, endpoint: str, body: Any) -> Any:
        return self._call("POST", endpoint, json=body)

    def put(self, endpoint: str, body: Any) -> Any:
        return self._call("PUT", endpoint, json=body)

    def _call(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        call = {"GET": self._api.get, "POST": self._api.post, "PUT": self._api.put}[method]
        try:
            response: requests.Response = call(endpoint, "raw", **kwargs)
        except requests.RequestException as exc:
            raise MetabaseError(method, endpoint, None, self._clean(type(exc).__name__ + ": " + str(exc))) from None
        except Exception as exc:  # the session check before each call raises Exception(response)
            self._raise_from(exc, method, endpoint)
            raise
        if not 200 <= response.status_code < 300:
            raise MetabaseError(method, endpoint, response.status_code, self._clean(response.text))
        _log.debug("Metabase %s %s -> %s", method, endpoint, response.status_code)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise MetabaseError(method, endpoint, response.status_code, "respuesta que no es JSON") from None

    def _raise_from(self, exc: Exception, method: str, endpoint: str) -> None:
        response = exc.args[0] if exc.args else None
        if isinstance(response, requests.Response):
            raise MetabaseError(
                response.request.method if response.request is not None else method,
                _endpoint_of(response, self.base), response.status_code, self._clean(response.text),
            ) from None

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + " …"
