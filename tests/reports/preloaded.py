"""A module a render process loads as it starts (see test_pdf_rendering)."""
