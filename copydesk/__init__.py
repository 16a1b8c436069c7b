"""copydesk: a streaming content-quality filter for news and web articles.

The code lives in the repository's top-level ``rules/`` (the rule engine and its packs) and
``streams/`` (the Faust worker, the CLI) folders, as the project layout asks; this package
maps them to ``copydesk.rules`` and ``copydesk.streams`` (symbolic links here, real folders in
the wheel) so that an installed copydesk adds one name to site-packages, not two generic ones.
"""


def __getattr__(name: str) -> str:
    # Read on demand: importlib.metadata costs more than the CLI's whole start-up otherwise.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("copydesk")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(name)
