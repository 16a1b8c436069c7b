"""Rule kinds: one module each. To add a kind, write its module and add its spec to the union."""

from typing import Annotated

from pydantic import Field

from rules.kinds.line_pattern import LinePatternSpec

AnyRuleSpec = Annotated[LinePatternSpec, Field(discriminator="kind")]
