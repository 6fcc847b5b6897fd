"""Helpers shared by the tests: building worlds and walking cases through the API and pages."""
