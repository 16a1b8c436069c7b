"""copydesk rule engine: pure, Kafka-free article cleaning and flagging.

The engine (``rules.engine``) runs YAML rule packs (``rules.loader``) over article records
(``rules.records``). The worker, the offline filter and the tests all share it.
"""
