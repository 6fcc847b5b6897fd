"""One upload mechanism for every form (see certgov.uploads.services)."""
