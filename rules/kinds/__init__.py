"""Rule kinds: one module each. To add a kind, write its module and add its spec to the union."""

from typing import Annotated

from pydantic import Field

from copydesk.rules.kinds.content_region import ContentRegionSpec
from copydesk.rules.kinds.credits import CreditsSpec
from copydesk.rules.kinds.duplicates import DuplicatesSpec
from copydesk.rules.kinds.learned_chrome import LearnedChromeSpec
from copydesk.rules.kinds.line_model import LineModelSpec
from copydesk.rules.kinds.line_pattern import LinePatternSpec
from copydesk.rules.kinds.menu_block import MenuBlockSpec
from copydesk.rules.kinds.missing_attribution import MissingAttributionSpec
from copydesk.rules.kinds.quotes import QuoteAttributionSpec
from copydesk.rules.kinds.section_cutoff import SectionCutoffSpec
from copydesk.rules.kinds.wire_style import WireStyleSpec

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
    | QuoteAttributionSpec
    | LineModelSpec,
    Field(discriminator="kind"),
]
