"""The small HTML page served at / that links the endpoints, as the Go exporters' landing page does."""

from html import escape


def landing_page(name: str, description: str, version: str, telemetry_path: str, extra: list[str]) -> bytes:
    links = [(telemetry_path, "Metrics"), *((path, path.strip("/").capitalize()) for path in extra),
             ("/healthz", "Health"), ("/readyz", "Readiness")]
    items = "\n".join(f'<li><a href="{escape(href)}">{escape(label)}</a></li>' for href, label in links)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>{escape(name)}</title></head>
<body>
<h1>{escape(name)}</h1>
<p>{escape(description)}</p>
<p>Version: {escape(version)}</p>
<ul>
{items}
</ul>
</body>
</html>
""".encode()
