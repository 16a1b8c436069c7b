"""The baseline for ``bench.e2e``: a Faust worker with copydesk's settings and topics whose
one agent forwards each raw record to the clean topic unchanged, with the same attached send
copydesk's agents make. Run as ``python -m bench.passthrough`` with the ``COPYDESK_*``
environment of the worker it stands in for."""

from __future__ import annotations

from typing import Any

import faust

from copydesk.streams.app import faust_app
from copydesk.streams.settings import Settings
from copydesk.streams.topics import declare_topics


def create_passthrough(settings: Settings) -> faust.App:
    app = faust_app(settings)
    topics = declare_topics(app, settings)

    @app.agent(topics.raw, name="passthrough")
    async def forward(stream: Any) -> None:
        async for event in stream.events():
            await topics.clean.send(key=event.key, value=event.value)

    return app


if __name__ == "__main__":
    create_passthrough(Settings()).Worker(loglevel="warning").execute_from_commandline()
