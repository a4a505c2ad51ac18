"""Offline language detection and sentiment for incoming messages.

`detect(text)` (hubbub.nlp.language) names the language or returns "" when unsure;
`analyze(text, language)` (hubbub.nlp.sentiment) returns (label, score in -1 … 1), through
the analyzer registered for that language (`get_analyzer`, `register`): in English and
French a model trained on the corpus in hubbub/nlp/train (hubbub.nlp.trained), or the models
of HUBBUB_SENTIMENT_MODEL_DIR. hubbub.nlp.learning adapts it to a workspace's corrections.
Nothing here touches the network or the database: ingestion calls both once per incoming
message.
"""

from hubbub.nlp.language import LANGUAGES, detect
from hubbub.nlp.sentiment import Analyzer, analyze, get_analyzer, register

__all__ = ["LANGUAGES", "Analyzer", "analyze", "detect", "get_analyzer", "register"]
