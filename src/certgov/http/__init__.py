"""Shared by the HTTP adapters (API and web pages): dependencies, sessions, error translation."""
