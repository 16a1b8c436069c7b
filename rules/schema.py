"""The rule-pack format. ``copydesk schema pack`` prints it as JSON Schema for editors."""

from __future__ import annotations

from functools import cache
from typing import get_args

from pydantic import BaseModel, ConfigDict, Field

from rules.kinds import AnyRuleSpec
from rules.kinds.base import KEBAB_CASE, ExampleCase, Examples, RuleSpec


class Pack(BaseModel):
    """A YAML rule pack: a name and a list of rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str = Field(pattern=KEBAB_CASE, description="Pack name, kebab-case.")
    description: str = ""
    rules: list[AnyRuleSpec] = Field(default_factory=list)


def spec_classes() -> tuple[type[RuleSpec], ...]:
    """Every rule kind's spec model, from the union in ``rules.kinds``."""
    members = get_args(get_args(AnyRuleSpec)[0]) or (get_args(AnyRuleSpec)[0],)
    return tuple(members)


@cache
def field_vocabulary() -> frozenset[str]:
    """All field names a pack may use, for did-you-mean hints."""
    models: tuple[type[BaseModel], ...] = (Pack, Examples, ExampleCase, *spec_classes())
    return frozenset(name for model in models for name in model.model_fields)
