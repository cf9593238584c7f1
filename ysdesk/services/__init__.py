"""Use cases shared by the window and the command line: set-up, lists, import, matrix, briefs.

May import domain, store and exchange; never Qt.
"""
