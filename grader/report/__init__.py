"""Reports rendered from a SubmissionResult, one module per format (html.py: the student's page)."""

from grader.report.html import render_html, write_html

__all__ = ["render_html", "write_html"]
