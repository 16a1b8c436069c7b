"""Rule kinds: one module each. To add a kind, write its module and add its spec to the union."""

from typing import Annotated

from pydantic import Field

from rules.kinds.content_region import ContentRegionSpec
from rules.kinds.credits import CreditsSpec
from rules.kinds.duplicates import DuplicatesSpec
from rules.kinds.learned_chrome import LearnedChromeSpec
from rules.kinds.line_pattern import LinePatternSpec
from rules.kinds.menu_block import MenuBlockSpec
from rules.kinds.missing_attribution import MissingAttributionSpec
from rules.kinds.quotes import QuoteAttributionSpec
from rules.kinds.section_cutoff import SectionCutoffSpec
from rules.kinds.wire_style import WireStyleSpec

AnyRuleSpec = Annotated[
    LinePatternSpec
    | SectionCutoffSpec
    | MenuBlockSpec
    | ContentRegionSpec
    | LearnedChromeSpec
    | DuplicatesSpec
    | CreditsSpec
    | MissingAttributionSpec
    | WireStyleSpec
    | QuoteAttributionSpec,
    Field(discriminator="kind"),
]
