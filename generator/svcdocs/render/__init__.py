"""Render: the only stage that produces output (text, files, pages)."""
