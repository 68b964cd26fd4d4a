"""Renders the model as Grafana 9.2 dashboard JSON: one row panel per row, panels laid out left to right on the
24-column grid, instant queries for the single-value kinds and tables (merged into one table, a column per query)."""

from __future__ import annotations

from .model import NEUTRAL, Dashboard, Link, Panel, Variable

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 37  # Grafana 9.2
GRID_WIDTH = 24


def render_thresholds(steps: tuple[tuple[str, float | None], ...]) -> dict:
    return {"mode": "absolute", "steps": [{"color": colour, "value": value} for colour, value in steps]}


def render_mappings(mappings: tuple[tuple[str, str, str], ...]) -> list[dict]:
    if not mappings:
        return []
    return [{"type": "value", "options": {value: {"text": text, "color": colour, "index": index}
                                          for index, (value, text, colour) in enumerate(mappings)}}]


def render_targets(panel: Panel) -> list[dict]:
    instant = panel.kind != "timeseries"
    targets = []
    for index, query in enumerate(panel.queries):
        target = {"refId": chr(ord("A") + index), "datasource": DATASOURCE, "expr": query.expr,
                  "legendFormat": query.legend or "__auto", "range": not instant, "instant": instant}
        if panel.kind == "table":
            target["format"] = "table"
        targets.append(target)
    return targets


def table_parts(panel: Panel) -> tuple[list[dict], list[dict]]:
    """Merge the instant queries into one table, name each value column after its query's legend, units and links
    per column."""
    renames = {("Value" if len(panel.queries) == 1 else f"Value #{chr(ord('A') + index)}"): query.legend or "Value"
               for index, query in enumerate(panel.queries)}
    original = {renamed: name for name, renamed in renames.items()}  # organize orders by the fields' own names
    order = {original.get(column, column): index for index, column in enumerate(panel.column_order)}
    transformations = [{"id": "merge", "options": {}},
                       {"id": "organize", "options": {"excludeByName": {"Time": True, "__name__": True},
                                                      "indexByName": order, "renameByName": renames}}]
    overrides = [{"matcher": {"id": "byName", "options": column}, "properties": [{"id": "unit", "value": unit}]}
                 for column, unit in panel.column_units]
    overrides += [{"matcher": {"id": "byName", "options": column},
                   "properties": [{"id": "links", "value": [{"title": title, "url": url}]}]}
                  for column, title, url in panel.column_links]
    overrides += [{"matcher": {"id": "byName", "options": column},
                   "properties": [{"id": "custom.displayMode", "value": "color-text"},
                                  {"id": "mappings", "value": render_mappings(panel.mappings)}]}
                  for column in panel.coloured_columns]
    return transformations, overrides


def render_panel(panel: Panel, panel_id: int, x: int, y: int) -> dict:
    rendered = {"id": panel_id, "type": panel.kind, "title": panel.title, "description": panel.description,
                "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y}}
    if panel.kind == "text":
        rendered["options"] = {"mode": "markdown", "content": panel.content}
        return rendered
    coloured = panel.thresholds != NEUTRAL or bool(panel.mappings)
    defaults: dict = {"unit": panel.unit, "thresholds": render_thresholds(panel.thresholds),
                      "mappings": render_mappings(panel.mappings), "color": {"mode": "thresholds"},
                      "links": [{"title": title, "url": url} for title, url in panel.links]}
    if panel.kind == "timeseries" and panel.minimum is None and not panel.signed:
        defaults["min"] = 0
    elif panel.minimum is not None:
        defaults["min"] = panel.minimum
    if panel.maximum is not None:
        defaults["max"] = panel.maximum
    if panel.decimals is not None:
        defaults["decimals"] = panel.decimals
    if panel.no_value:
        defaults["noValue"] = panel.no_value
    rendered |= {"datasource": DATASOURCE, "targets": render_targets(panel)}
    reduce = {"calcs": ["lastNotNull"], "fields": "", "values": False}
    overrides: list[dict] = []
    if panel.kind == "timeseries":
        defaults["color"] = {"mode": "palette-classic"}
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 25 if panel.stacked else 10,
                              "showPoints": "never", "spanNulls": False,
                              "stacking": {"mode": "normal" if panel.stacked else "none", "group": "A"},
                              "thresholdsStyle": {"mode": "line" if panel.threshold_lines else "off"}}
        if panel.soft_max is not None:
            defaults["custom"]["axisSoftMax"] = panel.soft_max
        rendered["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "calcs": []},
                               "tooltip": {"mode": "multi", "sort": "desc"}}
        overrides = [{"matcher": {"id": "byName", "options": name},
                      "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": colour}}]}
                     for name, colour in panel.series_colours]
    elif panel.kind == "stat":
        rendered["options"] = {"reduceOptions": reduce, "colorMode": "background" if coloured else "none",
                               "graphMode": "area", "justifyMode": "auto", "orientation": "auto",
                               "textMode": panel.text_mode}
    elif panel.kind == "gauge":
        rendered["options"] = {"reduceOptions": reduce, "orientation": "auto", "showThresholdLabels": False,
                               "showThresholdMarkers": True}
    elif panel.kind == "bargauge":
        rendered["options"] = {"reduceOptions": reduce, "orientation": "horizontal", "displayMode": "gradient",
                               "showUnfilled": True}
    elif panel.kind == "table":
        if coloured and not panel.coloured_columns:
            raise ValueError(f"table {panel.title!r}: thresholds or mappings without the columns they colour")
        defaults["custom"] = {"align": "auto", "displayMode": "auto"}
        defaults["mappings"] = []
        rendered["options"] = {"showHeader": True, "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
        if panel.column_sort:
            column, descending = panel.column_sort
            rendered["options"]["sortBy"] = [{"displayName": column, "desc": descending}]
        rendered["transformations"], overrides = table_parts(panel)
    else:
        raise ValueError(f"unknown panel kind {panel.kind!r}")
    rendered["fieldConfig"] = {"defaults": defaults, "overrides": overrides}
    return rendered


def render_variable(variable: Variable) -> dict:
    rendered = {"type": "query", "name": variable.name, "label": variable.label, "datasource": DATASOURCE,
                "definition": variable.query, "query": {"query": variable.query, "refId": "StandardVariableQuery"},
                "refresh": 2, "sort": 1, "regex": "", "hide": 0, "skipUrlSync": False, "options": [], "current": {},
                "multi": variable.include_all, "includeAll": variable.include_all}
    if variable.include_all:
        rendered["allValue"] = ".*"
        rendered["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
    return rendered


DATASOURCE_VARIABLE = {"type": "datasource", "name": "datasource", "label": "Data source", "query": "prometheus",
                       "current": {"selected": False, "text": "Prometheus", "value": "prometheus"}, "regex": "",
                       "refresh": 1, "hide": 0, "skipUrlSync": False, "options": [], "multi": False,
                       "includeAll": False}


def render_link(link: Link) -> dict:
    return {"title": link.title, "type": "link", "url": f"/d/{link.uid}/{link.uid.removeprefix('suite-')}",
            "icon": "dashboard", "tooltip": "", "keepTime": True, "includeVars": link.include_vars,
            "asDropdown": False, "targetBlank": False, "tags": []}


SUITE_MENU = {"title": "Exporter suite", "type": "dashboards", "tags": ["exporter-suite"], "asDropdown": True,
              "icon": "external link", "keepTime": True, "includeVars": False, "targetBlank": False, "tooltip": "",
              "url": ""}


def dashboard(board: Dashboard) -> dict:
    """The dashboard JSON: one row panel per row, its panels laid out left to right, wrapping at 24 columns."""
    panels: list[dict] = []
    y = 0
    next_id = 1
    for row in board.rows:
        panels.append({"id": next_id, "type": "row", "title": row.title, "collapsed": False, "panels": [],
                       "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y}})
        next_id += 1
        y += 1
        x = line_height = 0
        for panel in row.panels:
            if x + panel.width > GRID_WIDTH:
                x, y, line_height = 0, y + line_height, 0
            panels.append(render_panel(panel, next_id, x, y))
            next_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return {
        "uid": board.uid, "title": board.title, "description": board.description,
        "tags": ["exporter-suite", board.folder.lower().replace(" ", "-"), *board.tags],
        "timezone": "browser", "schemaVersion": SCHEMA_VERSION, "version": 1, "editable": board.editable,
        "graphTooltip": 1, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [DATASOURCE_VARIABLE, *map(render_variable, board.variables)]},
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [*map(render_link, board.links), SUITE_MENU], "panels": panels,
    }

