"""Parameter files and the routewijzer: what a worked example is about, checked before it runs.

Two kinds of YAML file live in ``parameters/``:

- a **policy question** (routewijzer, recommendation 3.4), ``parameters/questions/<id>.yaml``::

      id: heftig-structureel-geweld
      title: "Is het ons gelukt om het heftige en structurele geweld terug te dringen?"
      why: "..."                      # toelichting: why a region asks this
      sub_questions: ["...", "..."]   # step 2: which analysis is needed
      indicators: [meldingen_acuut_structureel_pct, ...]   # catalogue ids (step 3)
      headline: meldingen_acuut_structureel_pct            # the figure an overview shows
      headline_category: null         # needed when the headline is a distribution
      dashboard: ["Regionaal — Vergroting bereik Veilig Thuis"]
      reflection: ["..."]             # questions for step 6 that hold for any region
      answers: {meldingen_acuut_structureel_pct: [1, 2]}   # step 3: which sub-question(s) an indicator answers

  A question file holds generic text only: what is true of one region (its goal, its context,
  which professional groups it trained) belongs in the region's run parameters.

- a **run** of the stappenplan notebook for one region, e.g. ``parameters/drenthe.yaml``::

      region: Drenthe
      question: eerder-beter-in-beeld
      period: 2021HJ01
      title: "Voorbeeld Drenthe, stap 1-6"
      goal: "..."                     # the region's own goal (step 1); without it step 1 asks
      context: "..."                  # what the region did or is doing (step 1)
      trained_groups: [Kinderopvang, Huisarts]   # melder/adviesvrager groups the region trained

Everything is validated before a notebook runs: a bad file raises :class:`ParameterError`
with one Dutch line naming the file, the key and what is expected.

>>> q = load_question("eerder-beter-in-beeld")
>>> q.title
'Hebben we de aard en omvang van HGKM eerder en beter in beeld?'
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from . import regions as _regions
from .catalogue import get_indicator_spec
from .errors import ParameterError, UserInputError
from .periods import parse_period
from .yamlfiles import safe_load

__all__ = [
    "Question",
    "RunParameters",
    "PROJECT_ROOT",
    "questions_dirs",
    "all_questions",
    "load_question",
    "load_parameters",
    "make_parameters",
]

#: The project folder (a clone): holds ``parameters/`` and ``notebooks/``.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: The two questions of the national webinar; the exercises exist for these.
EXERCISE_QUESTIONS = ("heftig-structureel-geweld", "eerder-beter-in-beeld")

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: A folder of question files the runner hands to its kernel (the ``questions`` folder next to
#: the parameter file), so a question found at validation is also found when the notebook runs.
QUESTIONS_VARIABLE = "IMPACTMONITOR_QUESTIONS_DIR"


def _check_indicators(ids: list[str]) -> list[str]:
    for ident in ids:
        try:
            get_indicator_spec(ident)
        except UserInputError as exc:
            raise ValueError(str(exc)) from None
    if len(set(ids)) != len(ids):
        raise ValueError("bevat een indicator twee keer; noem elke indicator één keer.")
    return ids


class Question(BaseModel):
    """One policy question of the routewijzer with its indicator set."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str = Field(min_length=5)
    why: str = Field(min_length=5)
    goal: str | None = None
    sub_questions: list[str] = Field(min_length=1)
    indicators: list[str] = Field(min_length=1)
    headline: str
    headline_category: str | None = Field(default=None, validate_default=True)
    dashboard: list[str] = Field(min_length=1)
    reflection: list[str] = Field(default_factory=list)
    answers: dict[str, list[int]] = Field(default_factory=dict)  # indicator id → sub-question numbers (1-based)

    @field_validator("answers", mode="before")
    @classmethod
    def _answers(cls, value, info):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("moet per indicator de nummers van de deelvragen geven, bijvoorbeeld 'meldingen_per_10k: [1]'.")
        n = len(info.data.get("sub_questions") or [])
        out = {}
        for ident, numbers in value.items():
            numbers = [numbers] if isinstance(numbers, int) else list(numbers or [])
            if ident not in (info.data.get("indicators") or []):
                raise ValueError(f"noemt '{_shown(ident)}', maar die indicator staat niet onder 'indicators'.")
            if not numbers or any(not isinstance(x, int) or isinstance(x, bool) or not 1 <= x <= n for x in numbers):
                raise ValueError(f"'{_shown(ident)}': geef deelvraagnummers van 1 t/m {n}.")
            out[str(ident)] = numbers
        return out

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("moet een naam in kleine letters met streepjes zijn, bijvoorbeeld 'eerder-beter-in-beeld'.")
        return value

    @field_validator("indicators")
    @classmethod
    def _indicators(cls, value: list[str]) -> list[str]:
        return _check_indicators(value)

    @field_validator("headline")
    @classmethod
    def _headline(cls, value: str) -> str:
        _user(lambda: get_indicator_spec(value, require_open=True))
        return value

    @field_validator("headline_category")
    @classmethod
    def _headline_category(cls, value: str | None, info) -> str | None:
        if "headline" not in info.data:
            return value
        spec = get_indicator_spec(info.data["headline"])
        if spec.kind == "distribution" and not value:
            raise ValueError(f"ontbreekt: '{spec.id}' is een verdeling; kies een van: {'; '.join(spec.categories)}.")
        return _user(lambda: spec.resolve_category(value))


class RunParameters(BaseModel):
    """The parameters of one run of ``notebooks/stappenplan_1-6.ipynb``.

    Names are checked and normalised: ``region`` becomes the region's official name,
    ``period`` a CBS key (``2021HJ01``), ``peers`` a list of region names or ``"auto"``.
    ``period=None`` means the newest half year (filled in by the runner).
    """

    model_config = ConfigDict(extra="forbid")
    #: The folder of the parameter file (where a ``questions`` folder may hold the question).
    _near: Path | None = PrivateAttr(default=None)
    level: str | None = None  # validated before ``region``, which needs it
    region: str
    period: str | None = None
    question: str
    indicators: list[str] | None = None
    peers: Literal["auto"] | list[str] = "auto"
    title: str | None = None
    local_file: str | None = None
    goal: str | None = None  # the region's own policy goal (step 1)
    context: str | None = None  # the region's own context: what it did, what plays (step 1)
    trained_groups: list[str] | None = None  # categories of 'Type melder' the region trained

    @field_validator("goal", "context", mode="before")
    @classmethod
    def _text(cls, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("moet tekst zijn.")
        return " ".join(value.split())

    @field_validator("trained_groups", mode="before")
    @classmethod
    def _trained_groups(cls, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not value:
            raise ValueError("moet een lijst beroepsgroepen zijn, bijvoorbeeld [Kinderopvang, Huisarts].")
        spec = get_indicator_spec("melders_type_pct")
        out = [_user(lambda v=v: spec.resolve_category(str(v))) for v in value]
        if len(set(out)) != len(out):
            raise ValueError("noemt een beroepsgroep twee keer; noem elke groep één keer.")
        return out

    @field_validator("level")
    @classmethod
    def _level(cls, value: str | None) -> str | None:
        return _user(lambda: _regions.parse_level(value))

    @field_validator("region")
    @classmethod
    def _region(cls, value: str, info) -> str:
        return _user(lambda: _regions.resolve(value, info.data.get("level")).region.name)

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value) -> str | None:
        if value is None or str(value).strip() == "":
            return None
        return _user(lambda: parse_period(value).key)

    @field_validator("indicators")
    @classmethod
    def _indicators(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("is leeg; laat de sleutel weg om de indicatoren van de beleidsvraag te gebruiken.")
        return None if value is None else _check_indicators(value)

    @field_validator("peers", mode="before")
    @classmethod
    def _peers(cls, value):
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list):
            if not value:
                raise ValueError("is leeg; geef 'auto' of een lijst met regio's.")
            return [_user(lambda v=v: _regions.resolve(str(v)).region.name) for v in value]
        return value

    def as_notebook(self) -> dict:
        """The values papermill injects into the ``parameters`` cell."""
        return self.model_dump()


def _user(fn):
    """Run a check from the library; its Dutch message becomes a validation message."""
    try:
        return fn()
    except UserInputError as exc:
        raise ValueError(str(exc)) from None


# --------------------------------------------------------------------------- errors
_EXPECT = {
    "missing": "ontbreekt",
    "extra_forbidden": "is onbekend",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "too_short": "mag niet leeg zijn",
    "literal_error": "moet 'auto' of een lijst met regio's zijn",
}


def _shown(value, limit: int = 60) -> str:
    """A user's value as typed, fit for one line: NUL as ``\\0``, newlines as spaces, truncated."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\x00", "\\0").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _explain(exc: ValidationError, where: str, model: type[BaseModel]) -> ParameterError:
    """The first validation problem as one Dutch line: file, key, what is expected.

    The key is the top-level key of the file (``peers``, not pydantic's ``peers.literal['auto']``);
    values are shown as the user wrote them (:func:`_shown`), never altered.
    """
    err = exc.errors()[0]
    key = _shown(err["loc"][0]) if err["loc"] else "(bestand)"
    if err["type"] == "value_error":
        problem = str(err["msg"]).removeprefix("Value error, ")
    elif err["type"] in ("extra_forbidden", "invalid_key"):
        allowed = ", ".join(model.model_fields)
        problem = f"is onbekend; toegestane sleutels: {allowed}."
    else:
        expected = _EXPECT.get(err["type"], f"heeft een ongeldige waarde ({err['msg']})")
        given = "" if err["type"] == "missing" else f" (gegeven: {_shown(err.get('input'))})"
        problem = f"{expected}{given}."
    sep = ": " if problem[:1].isupper() else " "  # a library message is a sentence of its own
    return ParameterError(f"{where}: sleutel '{key}'{sep}{problem}")


#: Largest parameter or question file read (a real one is well under 10 kB).
MAX_FILE_BYTES = 64 * 1024
#: Most values (after following YAML aliases) a parameter or question file may hold.
MAX_NODES = 10_000


def _size(value, budget: list[int]) -> None:
    """Count the values in ``value`` as if aliases were copied, stopping once ``budget`` is spent."""
    budget[0] -= 1
    if budget[0] < 0:
        return
    items = value.items() if isinstance(value, dict) else (value if isinstance(value, list) else ())
    for item in items:
        for part in (item if isinstance(value, dict) else (item,)):
            _size(part, budget)
            if budget[0] < 0:
                return


def _read_text(path: Path) -> str:
    """The text of a small regular file; anything else is one Dutch line."""
    shown = _shown(str(path), 120)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ParameterError(f"Parameterbestand {shown} bestaat niet; geef het pad naar een .yaml-bestand.") from None
    except OSError as exc:  # a name too long, a symlink loop, ...
        raise ParameterError(f"Parameterbestand {shown} is niet te openen ({exc.strerror or exc.__class__.__name__}); "
                             "geef het pad naar een .yaml-bestand.") from None
    if stat.S_ISDIR(info.st_mode):
        raise ParameterError(f"{shown} is geen leesbaar bestand; geef het pad naar een .yaml-bestand.")
    if not stat.S_ISREG(info.st_mode):
        raise ParameterError(f"{shown} is geen gewoon bestand (maar bijvoorbeeld een apparaat of pijp); "
                             "geef het pad naar een .yaml-bestand.")
    if info.st_size > MAX_FILE_BYTES:
        raise ParameterError(f"{shown} is te groot voor een parameterbestand ({info.st_size // 1024} kB; "
                             f"hoogstens {MAX_FILE_BYTES // 1024} kB).")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ParameterError(f"{shown} is geen leesbaar bestand ({exc.strerror or exc.__class__.__name__}); "
                             "geef het pad naar een .yaml-bestand.") from None
    if len(data) > MAX_FILE_BYTES:
        raise ParameterError(f"{shown} is te groot voor een parameterbestand (hoogstens {MAX_FILE_BYTES // 1024} kB).")
    return data.decode("utf-8")


def _read_yaml(path: Path) -> dict:
    try:
        raw = safe_load(_read_text(path))
    except FileNotFoundError:
        raise ParameterError(f"Parameterbestand {path} bestaat niet; geef het pad naar een .yaml-bestand.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (regel {mark.line + 1})" if mark else ""
        raise ParameterError(f"{path}{line}: geen geldige YAML; verwacht regels als 'sleutel: waarde'.") from None
    except (IsADirectoryError, PermissionError):
        raise ParameterError(f"{path} is geen leesbaar bestand; geef het pad naar een .yaml-bestand.") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"{path}: verwacht sleutels met waarden (region, question, ...), niet een lege lijst of tekst.")
    budget = [MAX_NODES]
    _size(raw, budget)
    if budget[0] < 0:  # e.g. a 'billion laughs' of YAML aliases
        limit = f"{MAX_NODES:,}".replace(",", ".")
        raise ParameterError(f"{path}: te veel waarden (meer dan {limit}, ook via YAML-verwijzingen "
                             "'&'/'*'); een parameterbestand heeft er maar een paar.")
    return raw


# --------------------------------------------------------------------------- questions
def questions_dirs(near: Path | None = None) -> list[Path]:
    """Where question files are looked for, first match wins.

    Next to a parameter file (``<folder>/questions``), then ``./parameters/questions`` and
    the project's own ``parameters/questions``.
    """
    extra = os.environ.get(QUESTIONS_VARIABLE, "").strip()
    candidates = ([near / "questions"] if near else []) + ([Path(extra)] if extra else []) + [
        Path.cwd() / "parameters" / "questions",
        PROJECT_ROOT / "parameters" / "questions",
    ]
    out = []
    for c in candidates:
        if c.is_dir() and c.resolve() not in [o.resolve() for o in out]:
            out.append(c)
    return out


def _parse_question(path: Path) -> Question:
    raw = _read_yaml(path)
    try:
        question = Question.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, str(path), Question) from None
    if question.id != path.stem:
        raise ParameterError(f"{path}: sleutel 'id' is '{question.id}'; verwacht '{path.stem}' (gelijk aan de bestandsnaam).")
    return question


@lru_cache(maxsize=16)
def _questions_in(folders: tuple[Path, ...]) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, _parse_question(path))
    return found


def all_questions(near: Path | None = None) -> dict[str, Question]:
    """Every policy question of the routewijzer, by id."""
    return dict(_questions_in(tuple(questions_dirs(near))))


def load_question(question_id: str, near: Path | None = None) -> Question:
    """One policy question by id; an unknown id gets suggestions."""
    known = all_questions(near)
    key = str(question_id).strip()
    if key in known:
        return known[key]
    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.4) if len(key) <= 200 else []
    raise ParameterError(
        f"Beleidsvraag '{_shown(key)}' bestaat niet; kies uit: {', '.join(known) or '(geen vragen gevonden)'}.",
        suggestions=close,
    )


# --------------------------------------------------------------------------- run parameters
def make_parameters(values: dict, *, where: str = "parameters", near: Path | None = None) -> RunParameters:
    """Validate run parameters given as a dict (from a file or the command line)."""
    try:
        params = RunParameters.model_validate(values)
    except ValidationError as exc:
        raise _explain(exc, where, RunParameters) from None
    try:
        load_question(params.question, near)
    except ParameterError as exc:
        raise ParameterError(f"{where}: sleutel 'question': {exc}") from None
    params._near = near
    if params.local_file:
        path = Path(params.local_file)
        path = path if path.is_absolute() else (near or Path.cwd()) / path
        try:
            found = path.is_file()
        except OSError:  # e.g. a name too long for the file system
            found = False
        if not found:
            raise ParameterError(f"{where}: sleutel 'local_file': bestand {_shown(str(path), 120)} bestaat niet; "
                                 "verwacht een CSV met lokale cijfers.")
        params.local_file = str(path.resolve())
    return params


def load_parameters(path: str | Path) -> RunParameters:
    """Read and validate a run parameter file such as ``parameters/zaanstreek-waterland.yaml``."""
    path = Path(path)
    return make_parameters(_read_yaml(path), where=str(path), near=path.resolve().parent)
