"""Bundled resources: style sheet, icons, templates."""
