"""Reports: render assessments and other results as text, Markdown and JSON, in Dutch and English."""
