"""Seller personas: the bundled library, user-made personas and their validation."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from desktop.core.resources import resource_path

MOTIVATION_LEVELS = ("low", "medium", "high")
CONVERSATION_STYLES = ("friendly", "skeptical", "aggressive", "cooperative")
PERSONA_SOURCES = ("builtin", "user", "team")

# Canonical objection labels (what metrics and the sync contract record) and a line a seller might say for each;
# the prompt builder and the rule-based practice partner both speak these.
OBJECTION_LINES: dict[str, str] = {
    "price too low": "Honestly, that number is insulting.",
    "worth more online": "It's worth a lot more than that. I looked it up online.",
    "not in a hurry": "I'm not in any hurry to sell.",
    "wants to talk to family": "I'd have to talk it over with my family first.",
    "how did you get my number": "Wait, how did you get my number?",
    "is this a scam": "Is this some kind of scam? Who are you with?",
    "has another offer": "Another investor already offered me more than that.",
    "will list with an agent": "I think I'll just list it with a real estate agent.",
    "family land": "This place has been in the family for generations.",
    "back taxes or lien": "There are back taxes on it. Is that going to be a problem?",
    "paperwork hassle": "I don't want to deal with a pile of paperwork.",
    "send it in writing": "Just send me something in writing.",
    "call back later": "Call me back in six months.",
}

MAX_NAME = 60
MAX_PROPERTY_TYPE = 120
MAX_LOCATION = 80
MAX_BACKSTORY = 1000
MAX_OBJECTION = 120
MAX_OBJECTIONS = 6
MAX_FACTS = 16
MAX_FACT_LABEL = 40
MAX_FACT_VALUE = 300
MAX_PRICE = 100_000_000
DEFAULT_AVATAR_COLOR = "#5B7083"
# With no fair price given, assume the usual investor gap: an offer around 70% of what the seller asks.
DEFAULT_FAIR_RATIO = 0.7

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_VOICE_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PRICE_RE = re.compile(r"^-?\d+(\.\d+)?$")


class PersonaValidationError(ValueError):
    """A user-made persona that cannot be used; `errors` maps each bad field to a message the user can act on."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Persona:
    """One seller the trainee can call: who they are, what they own, and how they behave on the phone."""

    id: str
    name: str
    property_type: str
    location: str
    motivation_level: str
    conversation_style: str
    objection_patterns: tuple[str, ...]
    backstory: str = ""
    asking_price: int = 0
    fair_price: int = 0
    facts: tuple[tuple[str, str], ...] = ()
    phone: str = ""
    avatar_color: str = DEFAULT_AVATAR_COLOR
    voice_id: str | None = None
    source: str = "builtin"

    @property
    def first_name(self) -> str:
        parts = self.name.split()
        return parts[0] if parts else self.name

    def fact(self, label: str, default: str = "") -> str:
        return dict(self.facts).get(label, default)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["objection_patterns"] = list(self.objection_patterns)
        data["facts"] = dict(self.facts)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Persona:
        """Rebuilds a persona from trusted data (the bundled file, a stored snapshot); optional fields may be absent."""
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            property_type=str(data["property_type"]),
            location=str(data["location"]),
            motivation_level=str(data["motivation_level"]),
            conversation_style=str(data["conversation_style"]),
            objection_patterns=tuple(str(o) for o in data.get("objection_patterns") or ()),
            backstory=str(data.get("backstory") or ""),
            asking_price=int(data.get("asking_price") or 0),
            fair_price=int(data.get("fair_price") or 0),
            facts=tuple((str(k), str(v)) for k, v in dict(data.get("facts") or {}).items()),
            phone=str(data.get("phone") or ""),
            avatar_color=str(data.get("avatar_color") or DEFAULT_AVATAR_COLOR),
            voice_id=data.get("voice_id") or None,
            source=str(data.get("source") or "builtin"),
        )

    def snapshot(self) -> dict[str, Any]:
        """The persona as stored with a session: the sync contract's seven fields first, then the rest.

        The rest is kept so a past call can be reviewed offline exactly as it was played, even after the persona
        is edited or deleted; `from_dict` accepts it back.
        """
        return self.to_dict()


def load_builtin_personas(path: Path | str | None = None) -> list[Persona]:
    """The bundled personas; a broken entry raises ValueError because it is a packaging bug, not user input."""
    entries = _read_list(Path(path) if path else resource_path("personas.json"), "personas")
    personas: list[Persona] = []
    for index, entry in enumerate(entries):
        errors = validate_persona(entry)
        if errors:
            raise ValueError(f"built-in persona #{index + 1} is invalid: {errors}")
        personas.append(Persona.from_dict({**entry, "source": entry.get("source") or "builtin"}))
    _require_unique([p.id for p in personas], "persona id")
    _require_unique([normalize_phone(p.phone) for p in personas if p.phone], "persona phone")
    return personas


def validate_persona(data: object) -> dict[str, str]:
    """Checks persona fields from any source; returns field -> message for each bad field and never raises."""
    if not isinstance(data, Mapping):
        return {"persona": f"Expected a persona with named fields, got {_kind_of(data)}."}
    errors: dict[str, str] = {}

    def record(key: str, message: str | None) -> None:
        if message:
            errors[key] = message

    record("name", _text_error(data.get("name"), "Name", MAX_NAME, required=True, single_line=True))
    record(
        "property_type",
        _text_error(data.get("property_type"), "Property type", MAX_PROPERTY_TYPE, required=True, single_line=True),
    )
    record("location", _text_error(data.get("location"), "Location", MAX_LOCATION, required=True, single_line=True))
    record("backstory", _text_error(data.get("backstory"), "Backstory", MAX_BACKSTORY))
    record("motivation_level", _choice_error(data.get("motivation_level"), "Motivation", MOTIVATION_LEVELS))
    record("conversation_style", _choice_error(data.get("conversation_style"), "Style", CONVERSATION_STYLES))
    record("objection_patterns", _parse_objections(data.get("objection_patterns"))[1])
    asking, asking_error = _parse_price(data.get("asking_price"), "Asking price", required=True)
    record("asking_price", asking_error)
    fair, fair_error = _parse_price(data.get("fair_price"), "Fair price", required=False)
    if not fair_error and asking and fair and fair > asking:
        fair_error = "Fair price should not be above the asking price, or the seller would take any offer at once."
    record("fair_price", fair_error)
    record("facts", _parse_facts(data.get("facts"))[1])
    record("phone", _phone_error(data.get("phone")))
    record("avatar_color", _pattern_error(data.get("avatar_color"), "Avatar colour", _COLOR_RE, "like #3A7BD5"))
    record("voice_id", _pattern_error(data.get("voice_id"), "Voice id", _VOICE_RE, "of letters, digits, - or _"))
    record("id", _pattern_error(data.get("id"), "Id", _SLUG_RE, "of lowercase letters, digits and dashes"))
    source = data.get("source")
    if source is not None and source not in PERSONA_SOURCES:
        errors["source"] = f"Source must be one of {', '.join(PERSONA_SOURCES)}."
    return errors


def persona_from_user_input(data: object, existing_ids: Collection[str] = ()) -> Persona:
    """A clean Persona from form or team data; raises PersonaValidationError with every problem at once."""
    errors = validate_persona(data)
    if errors or not isinstance(data, Mapping):
        raise PersonaValidationError(errors)
    name = " ".join(str(data["name"]).split())
    asking = _parse_price(data.get("asking_price"), "", required=True)[0] or 0
    fair = _parse_price(data.get("fair_price"), "", required=False)[0]
    if fair is None:
        fair = int(round(asking * DEFAULT_FAIR_RATIO, -2)) or asking
    persona_id = str(data.get("id") or "").strip() or _unique_id(f"user-{_slugify(name)}", existing_ids)
    phone = normalize_phone(data.get("phone") or "")
    return Persona(
        id=persona_id,
        name=name,
        property_type=" ".join(str(data["property_type"]).split()),
        location=" ".join(str(data["location"]).split()),
        motivation_level=str(data["motivation_level"]).strip().lower(),
        conversation_style=str(data["conversation_style"]).strip().lower(),
        objection_patterns=_parse_objections(data.get("objection_patterns"))[0],
        backstory=str(data.get("backstory") or "").strip(),
        asking_price=asking,
        fair_price=fair,
        facts=_parse_facts(data.get("facts"))[0],
        phone=format_phone(phone) if phone else "",
        avatar_color=str(data.get("avatar_color") or DEFAULT_AVATAR_COLOR),
        voice_id=str(data["voice_id"]) if data.get("voice_id") else None,
        source=str(data.get("source") or "user"),
    )


def normalize_phone(text: object) -> str:
    """Digits only, with a leading US country code 1 dropped, so '+1 (555) 010-3817' equals '5550103817'."""
    digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii()) if isinstance(text, str) else ""
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def format_phone(text: str) -> str:
    digits = normalize_phone(text)
    if len(digits) != 10:
        return text
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def find_persona_by_phone(personas: Iterable[Persona], dialed: str) -> Persona | None:
    """The persona the dialer reaches: a full 10-digit match, or a 7-digit local number that matches one persona."""
    digits = normalize_phone(dialed)
    if len(digits) not in (7, 10):
        return None
    candidates = [p for p in personas if p.phone]
    for persona in candidates:
        if normalize_phone(persona.phone) == digits:
            return persona
    if len(digits) == 7:
        # Every built-in shares an area code, so trainees tend to dial just the local part.
        local = [p for p in candidates if normalize_phone(p.phone)[-7:] == digits]
        if len(local) == 1:
            return local[0]
    return None


def _read_list(path: Path, key: str) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    entries = document.get(key) if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise ValueError(f"{path} must hold a list of {key}")
    return entries


def _require_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what}: {value}")
        seen.add(value)


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _kind_of(value: object) -> str:
    names = {type(None): "nothing", str: "text", bool: "true/false", int: "a number", float: "a number"}
    if isinstance(value, (list, tuple)):
        return "a list"
    return "a set of fields" if isinstance(value, Mapping) else names.get(type(value), type(value).__name__)


def _text_error(value: object, label: str, limit: int, required: bool = False, single_line: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"{label} is required." if required else None
    if not isinstance(value, str):
        return f"{label} must be text, not {_kind_of(value)}."
    if single_line and ("\n" in value or "\r" in value):
        return f"{label} must fit on one line."
    length = len(value.strip())
    if length > limit:
        return f"{label} is too long ({length} characters); keep it to {limit}."
    return None


def _choice_error(value: object, label: str, choices: tuple[str, ...]) -> str | None:
    if isinstance(value, str) and value.strip().lower() in choices:
        return None
    shown = f" (got {value!r:.40})" if isinstance(value, str) and value.strip() else ""
    return f"{label} must be one of {', '.join(choices)}{shown}."


def _parse_objections(value: object) -> tuple[tuple[str, ...], str | None]:
    if isinstance(value, str):
        # A form's text box gives one objection per line; blank lines are just spacing.
        items: list[object] = [line for line in value.splitlines() if line.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    elif value is None:
        items = []
    else:
        return (), f"Objections must be a list of text, not {_kind_of(value)}."
    if not items:
        return (), "Add at least one objection the seller raises."
    if len(items) > MAX_OBJECTIONS:
        return (), f"Too many objections ({len(items)}); keep it to {MAX_OBJECTIONS}."
    cleaned: list[str] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, str) or not item.strip():
            return (), f"Objection {number} must be non-empty text."
        text = " ".join(item.split())
        if len(text) > MAX_OBJECTION:
            return (), f"Objection {number} is too long ({len(text)} characters); keep it to {MAX_OBJECTION}."
        if text.lower() in (c.lower() for c in cleaned):
            return (), f"Objection {number} repeats an earlier one."
        cleaned.append(text)
    return tuple(cleaned), None


def _parse_price(value: object, label: str, required: bool) -> tuple[int | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, (f"{label} is required." if required else None)
    number: float | int
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None, f"{label} must be a number of dollars, not {_kind_of(value)}."
    if isinstance(value, str):
        # People type prices the way they write them: "$85,000" or "85 000 USD".
        cleaned = re.sub(r"[\s$,]|usd", "", value.strip().lower())
        if not _PRICE_RE.match(cleaned):
            return None, f"{label} must be a number of dollars, like 85000."
        number = float(cleaned)
    elif isinstance(value, int):
        number = value if abs(value) <= MAX_PRICE else (math.inf if value > 0 else -math.inf)
    else:
        number = value
    if math.isnan(number):
        return None, f"{label} must be a real number of dollars."
    if number < 0:
        return None, f"{label} cannot be negative."
    if number == 0:
        return None, f"{label} must be more than $0."
    if number > MAX_PRICE:
        return None, f"{label} is unrealistically high; keep it under ${MAX_PRICE:,}."
    return int(round(number)), None


def _parse_facts(value: object) -> tuple[tuple[tuple[str, str], ...], str | None]:
    if value is None:
        return (), None
    if isinstance(value, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        pairs = [tuple(pair) for pair in value]
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        return (), f"Facts must be labels with values, not {_kind_of(value)}."
    if len(pairs) > MAX_FACTS:
        return (), f"Too many facts ({len(pairs)}); keep it to {MAX_FACTS}."
    cleaned: dict[str, str] = {}
    for label, text in pairs:
        if not isinstance(label, str) or not label.strip() or len(label.strip()) > MAX_FACT_LABEL:
            return (), f"Each fact needs a label of 1 to {MAX_FACT_LABEL} characters."
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str) or not text.strip():
            return (), f"The fact '{label.strip()}' needs a text value."
        if len(text.strip()) > MAX_FACT_VALUE:
            return (), f"The fact '{label.strip()}' is too long; keep it to {MAX_FACT_VALUE} characters."
        if label.strip() in cleaned:
            return (), f"The fact '{label.strip()}' is listed twice."
        cleaned[label.strip()] = " ".join(text.split())
    return tuple(cleaned.items()), None


def _phone_error(value: object) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # optional: a persona without a number is still reachable from the contact list
    if not isinstance(value, str):
        return f"Phone must be text like (555) 010-1234, not {_kind_of(value)}."
    if re.search(r"[^\d\s()+.\-]", value) or len(normalize_phone(value)) != 10:
        return "Phone must be a 10-digit US number like (555) 010-1234."
    return None


def _pattern_error(value: object, label: str, pattern: re.Pattern[str], hint: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not pattern.match(value):
        return f"{label} must be text {hint}."
    return None


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:50].rstrip("-") or "persona"


def _unique_id(base: str, taken: Collection[str]) -> str:
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate
