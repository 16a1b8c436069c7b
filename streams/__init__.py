"""copydesk streaming side: the Faust app, topics, agents, metrics, the local broker and the CLI."""
