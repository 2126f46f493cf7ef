"""Server-rendered Dutch web pages (Jinja templates in templates/web/)."""
