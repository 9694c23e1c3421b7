"""hailong: measure how satisfied people are with public administrative services, and act on it."""

__version__ = "0.1.0"
