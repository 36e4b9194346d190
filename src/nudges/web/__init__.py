"""The local web page: `nudges serve` (needs the `web` extra: FastAPI, uvicorn, Pillow).

create_app is imported on first use, so the modules the notebook widgets share with the page
(views, runs, bundle) need no FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .server import create_app
        return create_app
    raise AttributeError(f"module 'nudges.web' has no attribute {name!r}")
