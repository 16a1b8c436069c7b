"""The rule-pack format. ``copydesk schema pack`` prints it as JSON Schema for editors."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copydesk.rules.kinds import AnyRuleSpec
from copydesk.rules.kinds.base import KEBAB_CASE, ExampleCase, Examples, RuleSpec


class Pack(BaseModel):
    """A YAML rule pack: a name and a list of rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str = Field(pattern=KEBAB_CASE, description="Pack name, kebab-case.")
    description: str = ""
    disable: list[str] = Field(
        default_factory=list, description="Ids of rules from earlier packs to switch off."
    )
    override: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Parameters to change in rules from earlier packs, by rule id.",
    )
    rules: list[AnyRuleSpec] = Field(default_factory=list)


def effective_rules(packs: Sequence[Pack]) -> list[RuleSpec]:
    """The rules in force once every pack, in order, has added, disabled and overridden rules.
    Raises ValueError naming the pack and rule when a pack refers to a rule it cannot."""
    rules: dict[str, RuleSpec] = {}
    for pack in packs:
        for rule_id in pack.disable:
            if rules.pop(rule_id, None) is None:
                raise ValueError(f"pack {pack.pack}: `disable` names no earlier rule {rule_id!r}")
        for rule_id, changes in pack.override.items():
            earlier = rules.get(rule_id)
            if earlier is None:
                raise ValueError(f"pack {pack.pack}: `override` names no earlier rule {rule_id!r}")
            if "id" in changes or "kind" in changes:
                raise ValueError(
                    f"pack {pack.pack}: `override` of {rule_id} cannot change id or kind"
                )
            try:
                rules[rule_id] = type(earlier).model_validate({**earlier.model_dump(), **changes})
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(
                    f"pack {pack.pack}: `override` of {rule_id}: `{where}`: {first['msg']}"
                ) from None
        for rule in pack.rules:
            rules[rule.id] = rule
    return list(rules.values())


def spec_classes() -> tuple[type[RuleSpec], ...]:
    """Every rule kind's spec model, from the union in ``rules.kinds``."""
    members = get_args(get_args(AnyRuleSpec)[0]) or (get_args(AnyRuleSpec)[0],)
    return tuple(members)


@cache
def field_vocabulary() -> frozenset[str]:
    """All field names a pack may use, for did-you-mean hints."""
    models: tuple[type[BaseModel], ...] = (Pack, Examples, ExampleCase, *spec_classes())
    return frozenset(name for model in models for name in model.model_fields)
