"""Curation's tables: feeds and their items, the library and what was shared from it,
personas, graphics templates, guardrail settings, UTM templates and short links."""

from hubbub.curation.models.feeds import Feed, FeedItem, FeedItemRead
from hubbub.curation.models.graphics import GraphicTemplate, TemplateKind
from hubbub.curation.models.guardrails import GuardrailSetting, RuleMode, Sponsorship
from hubbub.curation.models.library import LibraryItem, LibraryKind, LibraryTag, Share
from hubbub.curation.models.links import LinkSettings, ShortenerProvider, ShortLink, UtmTemplate
from hubbub.curation.models.personas import Persona, SuggestionDismissal

__all__ = [
    "Feed",
    "FeedItem",
    "FeedItemRead",
    "GraphicTemplate",
    "GuardrailSetting",
    "LibraryItem",
    "LibraryKind",
    "LibraryTag",
    "LinkSettings",
    "Persona",
    "RuleMode",
    "Share",
    "ShortLink",
    "ShortenerProvider",
    "Sponsorship",
    "SuggestionDismissal",
    "TemplateKind",
    "UtmTemplate",
]
