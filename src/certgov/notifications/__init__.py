"""Notifications of deadlines, decisions and findings for the parties (see certgov.notifications.services)."""
