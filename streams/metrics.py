"""Prometheus metrics. Labels come from small fixed sets only (topic, rule id, finding kind,
severity, error reason): never an article id, URL or source name."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, Info

ARTICLES_IN = Counter("copydesk_articles_in_total", "Records consumed.", ["topic"])
ARTICLES_OUT = Counter("copydesk_articles_out_total", "Records produced.", ["topic"])
DLQ = Counter("copydesk_dlq_total", "Records sent to the dead-letter topic, by reason.", ["reason"])
FINDINGS = Counter(
    "copydesk_findings_total", "Findings raised, by rule.", ["rule", "kind", "severity"]
)
CHARS_REMOVED = Counter(
    "copydesk_removed_characters_total", "Characters removed from bodies, by rule.", ["rule"]
)
CHARS_IN = Counter("copydesk_body_characters_total", "Characters of body text processed.")
PROCESSING = Histogram(
    "copydesk_processing_seconds",
    "Engine time per article, by stage (strip, flag).",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
RULES = Info("copydesk_rules", "Loaded rule set.")
RULE_COUNT = Gauge("copydesk_rules_loaded", "Rules loaded.")
