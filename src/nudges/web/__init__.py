"""The local web page: `nudges serve` (needs the `web` extra: FastAPI, uvicorn, Pillow)."""

from .server import create_app

__all__ = ["create_app"]
