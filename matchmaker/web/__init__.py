"""The Flask layer: views parse and format only; services do the work."""
from .app import create_app

__all__ = ["create_app"]
