"""The persona's rules: words it avoids (banned) and uses (required), the languages it
writes in, and its tone (hubbub.curation.tone, measured from its example posts).

Each channel's text is checked against the personas attached to that channel or to the
post's campaign (hubbub.curation.personas.personas_for). Words are matched whole, ignoring
case and accents ("genial" finds "Génial"), and a phrase matches as a phrase; spans are in
the original text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import regex
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from hubbub.curation import terms, tone
from hubbub.curation.guardrails.base import FIRST_COMMENT, WHOLE_POST, ChannelText, Hit, Subject
from hubbub.curation.models import Persona
from hubbub.curation.personas import personas_for
from hubbub.nlp import language as nlp_language


def _personas(subject: Subject, text: ChannelText) -> list[Persona]:
    return personas_for(subject.workspace, text.channel_ids, subject.campaign_id)


def folded_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text (terms.fold) and, for each of its characters, the index of the
    original character it came from: a span found in the folded text maps back exactly."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = terms.fold(ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def find_word(word: str, text: str) -> list[tuple[int, int]]:
    """Spans of `word` (or phrase) in `text`, whole words only, case and accents ignored."""
    wanted = terms.fold(word.strip())
    if not wanted:
        return []
    folded, origin = folded_with_map(text)
    pattern = regex.compile(
        r"(?<![\w#])#?" + regex.escape(wanted).replace(r"\ ", r"\s+") + r"(?!\w)"
    )
    spans = []
    for m in pattern.finditer(folded):
        if m.end() > m.start():
            spans.append((origin[m.start()], origin[m.end() - 1] + 1))
    return spans


def banned_words(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    extra = [str(w) for w in options.get("words", []) if str(w).strip()]
    hits = []
    for text in subject.texts:
        lists = [(p.name, list(p.words_to_avoid)) for p in _personas(subject, text)]
        if extra:
            lists.append(("", extra))
        for name, words in lists:
            for where, piece in text.pieces():
                for word in words:
                    for span in find_word(str(word), piece):
                        message = (
                            _("“%(word)s” is a word persona %(persona)s avoids: use another.")
                            % {"word": word, "persona": name}
                            if name
                            else _("“%(word)s” is on this workspace's list of banned words.")
                            % {"word": word}
                        )
                        hits.append(Hit(message, text, where, span, piece))
    return hits


def required_words(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    """A persona's words to use: the text should hold at least one of them ("any", the
    default) or each of them ("all")."""
    every = options.get("require") == "all"
    hits = []
    for text in subject.texts:
        joined = text.joined
        if not joined.strip():
            continue
        for persona in _personas(subject, text):
            words = [str(w) for w in persona.words_to_use if str(w).strip()]
            missing = [w for w in words if not find_word(w, joined)]
            if not words or (not every and len(missing) < len(words)) or not missing:
                continue
            hits.append(
                Hit(
                    _("Persona %(persona)s uses %(words)s: none of them is in the text.")
                    % {"persona": persona.name, "words": ", ".join(f"“{w}”" for w in words)}
                    if not every
                    else _("Persona %(persona)s asks for %(words)s: missing from the text.")
                    % {"persona": persona.name, "words": ", ".join(f"“{w}”" for w in missing)},
                    text,
                    WHOLE_POST,
                )
            )
    return hits


def _declared(persona: Persona) -> set[str]:
    return {str(code).split("-")[0].lower() for code in persona.languages if str(code).strip()}


def language(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    """A text in a language none of the channel's personas writes in."""
    hits = []
    for text in subject.texts:
        personas = [p for p in _personas(subject, text) if _declared(p)]
        if not personas:
            continue
        declared = set().union(*(_declared(p) for p in personas))
        for where, piece in text.pieces():
            if where < FIRST_COMMENT:  # the link field has no language
                continue
            found = nlp_language.detect(piece)
            if not found or found in declared:
                continue
            hits.append(
                Hit(
                    _(
                        "This text looks written in %(found)s, but %(personas)s writes in "
                        "%(declared)s: translate it, or add %(found)s to the persona's "
                        "languages if it really speaks it."
                    )
                    % {
                        "found": _language_name(found),
                        "personas": ", ".join(p.name for p in personas),
                        "declared": ", ".join(sorted(_language_name(c) for c in declared)),
                    },
                    text,
                    where,
                    (0, len(piece)),
                    piece,
                )
            )
    return hits


def _language_name(code: str) -> str:
    try:
        return f"{get_language_info(code)['name_translated']} ({code})"
    except KeyError:
        return code


def tone_far(subject: Subject, options: Mapping[str, Any]) -> list[Hit]:
    threshold = options.get("threshold")
    hits = []
    for text in subject.texts:
        for persona in _personas(subject, text):
            for where, piece in text.pieces():
                if where < FIRST_COMMENT:
                    continue
                gap = tone.distance(persona.tone_profile, piece)
                if gap is None:
                    continue
                limit = float(threshold) if threshold is not None else gap.threshold
                if gap.score <= limit:
                    continue
                reasons = "; ".join(gap.reasons) or _("several small differences")
                hits.append(
                    Hit(
                        _("Far from the tone of persona %(persona)s: %(reasons)s.")
                        % {"persona": persona.name, "reasons": reasons},
                        text,
                        where,
                        (0, len(piece)),
                        piece,
                    )
                )
    return hits
