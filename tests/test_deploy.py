"""The deployment files, without a Docker engine: docker-compose.yml against the Compose
Specification's JSON schema (as shipped in the check-jsonschema wheel) and its cross-references;
the Grafana provisioning and dashboards; the Prometheus config and alert rules; and every metric
name a dashboard or alert queries is one that copydesk exports."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from prometheus_client import REGISTRY

from copydesk.streams import metrics as stream_metrics  # registers every copydesk metric

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE = ROOT / "docker-compose.yml"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
PROVISIONING = DEPLOY / "grafana" / "provisioning"
PROMETHEUS = DEPLOY / "prometheus"
DATASOURCE_UID = "copydesk-prometheus"

# Series that Prometheus itself makes for every scrape target.
PROMETHEUS_BUILTINS = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
# Grafana's own variables, with the values the integration test queries them with.
GRAFANA_VARIABLES = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "1h",
    "$instance": ".*",  # the dashboards' worker variable with "All" chosen
}
PROMQL_KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
    "bool", "offset", "inf", "nan", "atan2",
}  # fmt: skip


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def compose() -> dict[str, Any]:
    data = load_yaml(COMPOSE)
    assert isinstance(data, dict)
    return data


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, including those inside rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def dashboard_expressions() -> list[tuple[str, str]]:
    """(where, PromQL) for every target of every dashboard panel, Grafana variables filled in."""
    found = []
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                expr = target["expr"]
                for variable, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(variable, value)
                found.append((f"{path.name}: {panel['title']} {target['refId']}", expr))
    return found


def alert_rules() -> list[dict[str, Any]]:
    rules = []
    for group in load_yaml(PROMETHEUS / "alerts.yml")["groups"]:
        rules.extend(group["rules"])
    return rules


def alert_expressions() -> list[tuple[str, str]]:
    return [(f"alerts.yml: {rule['alert']}", str(rule["expr"])) for rule in alert_rules()]


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers left once string literals,
    label matchers, range/subquery brackets, grouping clauses, function calls and keywords
    are taken out."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)\b(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def exported_series_names() -> set[str]:
    """Every series name the copydesk metrics can expose (labelled metrics included, whether or
    not a child exists yet)."""
    suffixes = {
        "counter": ["_total", "_created"],
        "histogram": ["_bucket", "_count", "_sum", "_created"],
        "summary": ["_count", "_sum", "_created", ""],
        "info": ["_info"],
        "gauge": [""],
    }
    names: set[str] = set()
    for family in REGISTRY.collect():
        if family.name.startswith("copydesk_"):
            names.update(family.name + suffix for suffix in suffixes[family.type])
    return names


# --- docker-compose.yml -------------------------------------------------------------------


def compose_schema() -> dict[str, Any]:
    # Read from the installed distribution's files: importing check_jsonschema would pull in
    # its command line (and its click version) for nothing.
    [path] = [
        f
        for f in metadata.files("check-jsonschema") or []
        if f.as_posix().endswith("builtin_schemas/vendor/compose-spec.json")
    ]
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


def test_compose_file_is_valid_against_the_compose_specification_schema() -> None:
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(compose()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors
    )


def test_the_schema_check_catches_a_broken_compose_file() -> None:
    """Guards against a schema that accepts anything."""
    schema = compose_schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    broken = compose()
    broken["services"]["worker"]["depends_on"] = {"kafka-init": {"condition": "when-ready"}}
    broken["services"]["grafana"]["portz"] = ["3000:3000"]
    assert len(list(validator.iter_errors(broken))) >= 2


def test_compose_cross_references_hold() -> None:
    data = compose()
    services: dict[str, Any] = data["services"]
    declared_volumes = set(data.get("volumes") or {})
    assert {"kafka", "kafka-init", "worker", "producer", "prometheus", "grafana"} <= set(services)

    for name, service in services.items():
        depends = service.get("depends_on") or []
        targets = depends if isinstance(depends, list) else list(depends)
        for target in targets:
            assert target in services, f"{name} depends on unknown service {target}"
            assert target != name
        for volume in service.get("volumes") or []:
            if isinstance(volume, str) and ":" not in volume:
                continue  # anonymous volume (each worker replica gets its own)
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in declared_volumes, f"{name} uses undeclared volume {source}"

    # The worker image is built here; the producer runs that image.
    worker = services["worker"]
    dockerfile = ROOT / worker["build"]["context"] / worker["build"]["dockerfile"]
    assert dockerfile.is_file()
    copied = re.findall(r"^COPY\s+(.+?)\s+\S+$", dockerfile.read_text(), flags=re.M)
    for sources in copied:
        for source in sources.split():
            assert (ROOT / worker["build"]["context"] / source).exists(), source
    assert services["producer"]["image"] == worker["image"]
    assert services["producer"]["profiles"] == ["producer"]
    # Services without a profile start with `docker compose up`; only the producer waits.
    assert [n for n, s in services.items() if s.get("profiles")] == ["producer"]
    # `--scale worker=N` needs the worker without a fixed host port or container name.
    assert "ports" not in worker and "container_name" not in worker
    # Images are pinned.
    for name, service in services.items():
        image = service.get("image")
        if image and name not in ("worker", "producer"):
            assert re.search(r":[\w][\w.-]*$", image) and not image.endswith(":latest"), image


def test_prometheus_and_grafana_mount_their_provisioning() -> None:
    services = compose()["services"]
    prometheus_mounts = dict(v.split(":")[:2] for v in services["prometheus"]["volumes"])
    assert prometheus_mounts["./deploy/prometheus"] == "/etc/prometheus"
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    # The alert rules travel in the same mounted folder.
    assert (PROMETHEUS / "alerts.yml").is_file()

    grafana = services["grafana"]
    mounts = {v.split(":")[0]: v.split(":")[1:] for v in grafana["volumes"]}
    assert mounts["./deploy/grafana/provisioning"] == ["/etc/grafana/provisioning", "ro"]
    assert mounts["./deploy/grafana/dashboards"] == ["/etc/grafana/dashboards", "ro"]
    provider = load_yaml(PROVISIONING / "dashboards" / "copydesk.yaml")
    assert [p["options"]["path"] for p in provider["providers"]] == ["/etc/grafana/dashboards"]
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (DEPLOY / "grafana" / "dashboards" / Path(home).name).is_file()
    assert "3000:3000" in grafana["ports"]
    assert re.fullmatch(r"grafana/grafana:\d+\.\d+\.\d+", grafana["image"])


# --- Grafana ------------------------------------------------------------------------------


def test_provisioning_files_parse_and_pin_the_datasource_uid() -> None:
    files = sorted(PROVISIONING.glob("*/*.yaml"))
    assert {f.parent.name for f in files} == {"datasources", "dashboards"}
    for path in files:
        assert load_yaml(path)["apiVersion"] == 1, path
    [source] = load_yaml(PROVISIONING / "datasources" / "prometheus.yaml")["datasources"]
    assert source["uid"] == DATASOURCE_UID
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"  # the compose service


def test_dashboards_parse_and_use_only_the_pinned_datasource() -> None:
    assert {p.name for p in DASHBOARDS} == {
        "copydesk-overview.json",
        "copydesk-content-quality.json",
    }
    uids = set()
    for path in DASHBOARDS:
        text = path.read_text(encoding="utf-8")
        dashboard = json.loads(text)
        assert "${DS_" not in text and "__inputs" not in dashboard, path.name
        uids.add(dashboard["uid"])
        ids = [panel["id"] for panel in panels(dashboard)]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        for panel in panels(dashboard):
            if panel.get("type") == "row":
                continue
            assert panel["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}, (
                path.name,
                panel["title"],
            )
            assert panel["targets"], (path.name, panel["title"])
            for target in panel["targets"]:
                assert target.get("datasource", panel["datasource"])["uid"] == DATASOURCE_UID
                assert target["expr"].strip()
    assert len(uids) == len(DASHBOARDS)


def test_the_dashboards_cover_what_issue_7_asks_for() -> None:
    exprs = " ".join(expr for _, expr in dashboard_expressions())
    for needle in (
        "copydesk_articles_in_total",
        "copydesk_articles_out_total",
        "histogram_quantile(0.5, sum by (le, stage) (rate(copydesk_processing_seconds_bucket",
        "histogram_quantile(0.95, sum by (le, stage)",
        "histogram_quantile(0.99, sum by (le, stage)",
        "sum by (reason) (rate(copydesk_dlq_total",
        "copydesk_consumer_lag",
        "copydesk_end_to_end_lag_seconds_bucket",
        'up{job="copydesk", instance=~".*"}',
        "sum by (rule) (rate(copydesk_findings_total",
        "topk(10,",
        "exact-duplicate|near-duplicate|excerpt|expansion|paraphrase",
        "attribution",
        "sum by (rule) (rate(copydesk_removed_characters_total",
        'copydesk_state_entries{stage="flag", instance=~".*"}',
    ):
        assert needle in exprs, needle


def test_every_panel_has_a_unit_and_no_generic_one() -> None:
    # A rate of articles is not "req/s", and a count of entries is not "short": each panel says
    # what its axis counts.
    for path in DASHBOARDS:
        for panel in panels(json.loads(path.read_text(encoding="utf-8"))):
            if panel.get("type") == "row":
                continue
            unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
            assert unit and unit not in {"short", "reqps", "cps", "none"}, (
                path.name,
                panel["title"],
            )
            assert "until" not in panel.get("description", ""), (path.name, panel["title"])


def test_every_query_follows_the_worker_variable() -> None:
    for path in DASHBOARDS:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        [variable] = dashboard["templating"]["list"]
        assert (variable["name"], variable["includeAll"], variable["multi"]) == (
            "instance",
            True,
            True,
        )
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                selectors = re.findall(
                    r"\b(?:copydesk_\w+|up)(?:\{[^}]*\})?(?![\w(])", target["expr"]
                )
                assert selectors, target["expr"]
                for selector in selectors:
                    assert 'instance=~"$instance"' in selector, (
                        path.name,
                        panel["title"],
                        selector,
                    )


def test_refused_rule_reloads_have_a_panel_and_an_alert() -> None:
    exprs = [expr for _, expr in dashboard_expressions()]
    assert any('copydesk_rules_reloads_total{result="refused"' in e for e in exprs)
    [alert] = [r for r in alert_rules() if r["alert"] == "CopydeskRuleReloadRefused"]
    assert 'copydesk_rules_reloads_total{result="refused"}' in alert["expr"]


def test_stalled_partitions_have_a_panel_and_an_alert() -> None:
    exprs = [expr for _, expr in dashboard_expressions()]
    assert any("copydesk_stalled_partitions" in e for e in exprs)
    [alert] = [r for r in alert_rules() if r["alert"] == "CopydeskPartitionStalled"]
    assert "copydesk_stalled_partitions" in alert["expr"]


def test_the_worker_healthcheck_asks_health_not_metrics() -> None:
    test = " ".join(compose()["services"]["worker"]["healthcheck"]["test"])
    assert "/health'" in test and "/metrics" not in test


# --- Prometheus ---------------------------------------------------------------------------


def test_prometheus_config_scrapes_the_workers_and_loads_the_alerts() -> None:
    config = load_yaml(PROMETHEUS / "prometheus.yml")
    [job] = config["scrape_configs"]
    assert job["job_name"] == "copydesk"
    assert job["dns_sd_configs"] == [{"names": ["worker"], "type": "A", "port": 6066}]
    assert "6066" in compose()["services"]["worker"]["expose"]
    assert config["rule_files"] == ["alerts.yml"]


def test_alert_rules_are_well_formed() -> None:
    rules = alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    assert {
        "CopydeskDeadLetterRateHigh",
        "CopydeskConsumerLagGrowing",
        "CopydeskNoInput",
        "CopydeskWorkerDown",
    } <= set(names)
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


# --- metric names -------------------------------------------------------------------------


def test_metric_name_extraction() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (le, stage) (rate(copydesk_processing_seconds_bucket"
        '{stage=~"a|b"}[5m]))) / on (instance) group_left up{job="x"} or vector(0)'
    )
    assert metric_names(expr) == {"copydesk_processing_seconds_bucket", "up"}


@pytest.mark.parametrize(
    ("where", "expr"),
    dashboard_expressions() + alert_expressions(),
    ids=[w for w, _ in dashboard_expressions() + alert_expressions()],
)
def test_every_queried_metric_is_exported(where: str, expr: str) -> None:
    names = metric_names(expr)
    assert names, f"{where}: selects no metric"
    known = exported_series_names() | PROMETHEUS_BUILTINS
    assert names <= known, f"{where}: unknown metric(s) {sorted(names - known)}"


def test_exported_metrics_follow_the_naming_rules() -> None:
    families = [f for f in REGISTRY.collect() if f.name.startswith("copydesk_")]
    assert len(families) >= 15
    forbidden = {"url", "id", "article", "article_id", "source", "key", "title"}
    for family in families:
        assert not family.name.endswith("_total")  # the client adds it to counters
        assert not re.search(r"_(ms|milliseconds|kb|mb|minutes)\b", family.name)
    for metric in vars(stream_metrics).values():
        labels = set(getattr(metric, "_labelnames", ()))
        assert not labels & forbidden, metric


def test_the_counting_store_tracks_entries_and_bytes() -> None:
    from copydesk.rules.state import MemoryStore

    inner = MemoryStore()
    inner.put("dup", "old", b"12345")  # state recovered before the worker counts
    store = stream_metrics.CountingStore(inner, "test", lambda: [v for _, v in inner.items()])

    def sample(name: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"stage": "test"})

    store.put("dup", "a", b"abc")
    assert (sample("copydesk_state_entries"), sample("copydesk_state_bytes")) == (2, 8)
    store.put("dup", "a", b"abcdef")  # an update: same entries, more bytes
    store.delete("dup", "old")
    store.delete("dup", "never-there")
    assert (sample("copydesk_state_entries"), sample("copydesk_state_bytes")) == (1, 6)
    store.invalidate()
    assert sample("copydesk_state_entries") == 0
    store.put("dup", "b", b"x")  # re-seeded from what the store holds
    assert (sample("copydesk_state_entries"), sample("copydesk_state_bytes")) == (2, 7)
    assert store.get("dup", "a") == b"abcdef" and sorted(store.keys("dup")) == ["a", "b"]
