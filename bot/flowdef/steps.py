"""Reading one step of a flow file: its kind, its keys, and what can be said about it alone."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from pydantic import ValidationError

from bot.flowdef.limits import MAX_CHOICES
from bot.flowdef.messages import describe, line_at, suggest, unknown_key
from bot.flowdef.problems import Found
from bot.flowdef.schema import KINDS, ActionDoc, AskDoc, ChoiceDoc, EndDoc, SayDoc, StepDoc, keys_of
from bot.flowdef.texts import placeholder_problems, slug
from bot.flowdef.yamlload import YamlMap

KIND_KEYS = {kind: keys_of(model) for kind, model in KINDS.items()}
_ANY_STEP_KEYS = frozenset().union(*KIND_KEYS.values())
_CHOICE_KEYS = keys_of(ChoiceDoc)


@dataclass(slots=True)
class ReadStep:
    """A step as read from the file; `doc` is None when it doesn't fit the schema."""

    id: str | None
    line: int
    raw: YamlMap | None
    doc: StepDoc | None = None
    values: list[str] = field(default_factory=list)  # resolved choice values, for asks

    def line_of(self, key: str) -> int:
        """The line of one of this step's keys (the step's own line when absent)."""
        return self.raw.line_of(key) if self.raw is not None else self.line


def read_step(raw: object, line: int, found: Found, known_actions: Collection[str]) -> ReadStep:
    """Validate one entry of `steps:`; problems go to `found`."""
    if not isinstance(raw, YamlMap):
        message = "each step must be a set of 'key: value' lines, starting with '- id:'"
        found.error(line, message, "wrong_type")
        return ReadStep(None, line, None)
    raw_id = raw.get("id")
    # A number is not a valid id, but naming the step in messages still helps.
    named = isinstance(raw_id, str) or (isinstance(raw_id, int) and not isinstance(raw_id, bool))
    step_id = str(raw_id) if named else None
    step = ReadStep(step_id, raw.line, raw)
    kinds = [kind for kind in KINDS if kind in raw]
    unknown = [key for key in raw if key not in _ANY_STEP_KEYS]
    if not kinds and unknown:
        # A misspelt kind (`sayy:`) is the likely cause: say which key, and what was meant.
        for key in unknown:
            message = unknown_key(key, _ANY_STEP_KEYS)
            found.error(raw.line_of(str(key)), message, "unknown_key", step_id)
        return step
    if len(kinds) != 1:
        message = (
            f"a step needs exactly one of: {', '.join(KINDS)} (found: {', '.join(kinds) or 'none'})"
        )
        found.error(raw.line, message, "step_kind", step_id)
        return step
    kind = kinds[0]
    try:
        doc = KINDS[kind].model_validate(raw)
    except ValidationError as invalid:
        for error in invalid.errors():
            loc = error["loc"]
            where = line_at(raw, loc, raw.line)
            if error["type"] == "extra_forbidden":
                found.error(where, *_extra_key(kind, loc), step_id)
            else:
                found.error(where, *describe(error), step_id)
        return step
    step.doc = doc
    _check_texts(doc, step, found)
    if isinstance(doc, AskDoc):
        step.values = _check_ask(doc, step, found)
    if isinstance(doc, ActionDoc) and doc.action not in known_actions:
        message = f"unknown action '{doc.action}'{suggest(doc.action, known_actions)}"
        found.error(step.line_of("action"), message, "unknown_action", doc.id)
    return step


def _extra_key(kind: str, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """A key this kind of step doesn't take: a typo, or a key of another kind of step."""
    key = loc[-1]
    if len(loc) > 1:
        return unknown_key(key, _CHOICE_KEYS), "unknown_key"
    owners = [other for other, keys in KIND_KEYS.items() if key in keys]
    if owners:
        return f"'{key}' only goes with {_either(owners)}", "misplaced_key"
    return unknown_key(key, KIND_KEYS[kind]), "unknown_key"


def _either(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _check_texts(doc: StepDoc, step: ReadStep, found: Found) -> None:
    texts: list[tuple[str, str | None]] = []
    if isinstance(doc, SayDoc):
        texts.append(("say", doc.say))
    elif isinstance(doc, AskDoc):
        texts += [("ask", doc.ask), ("retry", doc.retry)]
    elif isinstance(doc, EndDoc):
        texts.append(("end", doc.end))
    elif isinstance(doc, ActionDoc):
        texts += list(doc.params.items())
    for key, text in texts:
        line = line_at(step.raw, ("with", key) if isinstance(doc, ActionDoc) else (key,), step.line)
        for message in placeholder_problems(text or "", key):
            found.error(line, message, "bad_placeholder", doc.id)


_ONLY_WITH_INPUT = {
    "max_length": ("text",),
    "min": ("number",),
    "max": ("number",),
    "allow_future": ("date",),
    "multiple": ("choice", "photo", "document"),
}


def _check_ask(doc: AskDoc, step: ReadStep, found: Found) -> list[str]:
    given = doc.model_fields_set
    if doc.choices is not None and "input" in given:
        message = "use either 'choices' or 'input', not both"
        found.error(step.line_of("input"), message, "misplaced_key", doc.id)
    if doc.choices_from is not None:
        _check_choices_from(doc, step, found)
    buttons = doc.choices is not None or doc.choices_from is not None
    kind = "choice" if buttons else doc.input or "text"
    for key, kinds in _ONLY_WITH_INPUT.items():
        if key in given and kind not in kinds:
            wanted = ["choices" if k == "choice" else f"input: {k}" for k in kinds]
            message = f"'{key}' only goes with {_either(wanted)}"
            found.error(step.line_of(key), message, "misplaced_key", doc.id)
    if doc.min is not None and doc.max is not None and doc.min > doc.max:
        found.error(step.line_of("min"), "'min' is more than 'max'", "invalid_value", doc.id)
    return _check_choices(doc, step, found) if doc.choices is not None else []


def _check_choices_from(doc: AskDoc, step: ReadStep, found: Found) -> None:
    """Buttons from a variable make a choice question: nothing else can say what it takes.

    Whether the variable is set on every way here is checked with the other variables
    (`bot.flowdef.dataflow`); what it holds can only be checked when it runs.
    """
    line = step.line_of("choices_from")
    if doc.choices is not None:
        message = "use either 'choices' or 'choices_from', not both"
        found.error(line, message, "misplaced_key", doc.id)
    if "input" in doc.model_fields_set:
        message = "use either 'choices_from' or 'input', not both"
        found.error(step.line_of("input"), message, "misplaced_key", doc.id)
    if doc.save is not None and doc.save == doc.choices_from:
        # The answer would replace the list: going Back to this question would find
        # no buttons to show.
        message = f"'save' can't be '{doc.save}': that variable holds this question's buttons"
        found.error(step.line_of("save"), message, "invalid_value", doc.id)


def _check_choices(doc: AskDoc, step: ReadStep, found: Found) -> list[str]:
    choices = doc.choices or []
    if not 1 <= len(choices) <= MAX_CHOICES:
        message = f"'choices' needs 1 to {MAX_CHOICES} buttons (found {len(choices)})"
        found.error(step.line_of("choices"), message, "choice_count", doc.id)
    values: list[str] = []
    for index, choice in enumerate(choices):
        line = line_at(step.raw, ("choices", index), step.line)
        value = choice.value or slug(choice.label)
        if "{" in choice.label or "}" in choice.label:
            message = "a button label can't hold '{' or '}' (placeholders work in texts only)"
            found.error(line, message, "label_braces", doc.id)
        if not value:
            message = f"can't make a value from label '{choice.label}': add 'value:'"
            found.error(line, message, "invalid_value", doc.id)
        elif value in values:
            message = f"choice value '{value}' appears twice in this step"
            found.error(line, message, "duplicate_choice", doc.id)
        if choice.next is not None and doc.multiple:
            message = (
                "a choice's 'next' doesn't work with 'multiple: true': "
                "after Done the flow goes on to the step's 'next'"
            )
            where = line_at(step.raw, ("choices", index, "next"), line)
            found.error(where, message, "misplaced_key", doc.id)
        _check_revisit(doc, index, step, found)
        values.append(value)
    if doc.return_to is not None and not any(choice.revisit for choice in choices):
        message = "'return_to' is only used by choices with 'revisit'"
        found.warning(step.line_of("return_to"), message, "unused_key", doc.id)
    return values


def _check_revisit(doc: AskDoc, index: int, step: ReadStep, found: Found) -> None:
    """`revisit`/`until` on a choice: what can be said from the step alone."""
    choice = (doc.choices or [])[index]
    where = line_at(step.raw, ("choices", index), step.line)
    if choice.until is not None and choice.revisit is None:
        found.error(where, "'until' needs 'revisit' on the same choice", "misplaced_key", doc.id)
    if choice.revisit is None:
        return
    if choice.next is not None:
        message = "use either 'revisit' or 'next' on a choice, not both"
        found.error(where, message, "misplaced_key", doc.id)
    if doc.return_to is None:
        message = "a choice with 'revisit' needs 'return_to' on its step: where to go after"
        found.error(where, message, "missing_key", doc.id)
    if doc.multiple:
        message = "'revisit' doesn't work with 'multiple: true'"
        found.error(where, message, "misplaced_key", doc.id)
