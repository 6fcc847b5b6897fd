"""certgov: supervision of electronic certification services and app security certification."""

__version__ = "0.1.0"
