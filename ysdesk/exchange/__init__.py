"""File formats: xlsx/xls in (python-calamine) and out (openpyxl), docx (python-docx), pdf.

May import ysdesk.domain only; never Qt, never the store.
"""
