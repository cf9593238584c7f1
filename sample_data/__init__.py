"""Bundled data: the plan (from the seed), the unit registry and the sample annual list."""
