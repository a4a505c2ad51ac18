"""The trained sentiment analyzers: a small linear model per language on top of the lexicons.

`TrainedAnalyzer` is a multinomial logistic regression (three labels: negative, neutral,
positive) over features of the folded text:

- words and pairs of words (lower-cased, accents folded, straight apostrophes, letters
  repeated three times or more cut to two, @mentions, links and digits replaced by
  placeholders), so that a brand's name says nothing about the tone;
- negation: the words after "not", "never", "n't", "no", "ne", "pas", "jamais", "rien"… up
  to the next punctuation mark (or "but", "mais") are also counted as NOT_word, so that
  "not happy" and "happy" pull apart;
- emoji, one feature each, and the sign of the lexicon's emoji hints;
- punctuation and typography that carry tone: "!!", "?", "…", words in capitals, words in
  "scare quotes", "/s";
- the lexicon's score (VADER's words for English, Pattern's and a customer-service
  supplement for French, looked up word by word: hubbub.nlp.wordscores), bucketed and as a
  value: the model learns when to trust the lexicon ("thank you" is thanks, "thanks for
  nothing" is not) rather than replacing it.

score = P(positive) - P(negative), in -1 … 1; the label is the likeliest one.

The default model of a language is trained at first use, from the corpus Hubbub ships
(hubbub/nlp/train/sentiment-LANG.csv: social-media messages written for training, apart
from the evaluation sets in hubbub/nlp/eval, which are never used for training or tuning).
Training is deterministic (a fixed seed) and takes well under two seconds; the model is
then cached for the life of the process. A model can also be trained from another labelled
CSV and written to a folder (`hubbub sentiment-train TRAIN.csv --out FOLDER`), then read
back with `load_folder(FOLDER)`; hubbub.nlp.sentiment does so for each language folder of
HUBBUB_SENTIMENT_MODEL_DIR.

Why not scikit-learn: the model is a few hundred lines of arithmetic over sparse features,
and scikit-learn (with NumPy and SciPy) would be a large dependency to ship and install
for it; the pure-Python version trains on a thousand messages in about a second and
scores a message in a fraction of a millisecond, which is what ingestion needs.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import random
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from hubbub.nlp import sentiment, wordscores

LABELS = (sentiment.NEGATIVE, sentiment.NEUTRAL, sentiment.POSITIVE)
FEATURES_VERSION = 2  # 2: the lexicon score from word look-ups (hubbub.nlp.wordscores)
FORMAT = "hubbub-sentiment"
MANIFEST = "hubbub-sentiment.json"
WEIGHTS = "weights.json"
TRAIN_DIR = Path(__file__).resolve().parent / "train"

# Training settings, chosen by 5-fold cross-validation on the training corpus.
EPOCHS = 6
LEARNING_RATE = 0.1
L2 = 1e-4
SEED = 20241122

Features = dict[str, float]
Lexicon = wordscores.WordScores
_NONE: dict[str, float] = {}


class ModelFolderError(ValueError):
    """A model folder that cannot be used: says which folder, what is wrong, what to do."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"sentiment model folder {path}: {problem}")
        self.path = path
        self.problem = problem


# --- features ----------------------------------------------------------------------------

# Accents once decomposed, emoji presentation selectors and skin tones.
_MARKS = regex.compile(r"[\p{Mn}\p{Me}\U0001F3FB-\U0001F3FF]")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d+")
_REPEATS = re.compile(r"(\w)\1{2,}")
_NT = re.compile(r"n't\b")
_QUOTED = re.compile(r"[\"“«]\s*[^\"”»]{1,40}?\s*[\"”»]")
_TOKEN = re.compile(r"[a-z0-9]+|\.\.\.|[.,;:!?()]|[\u2600-\u27bf\u2b50\u2b55\U0001f000-\U0001faff]")
_CAPS = re.compile(r"\b[A-Z]{3,}\b")
_THREE_CAPS = re.compile(r"[A-Z]{3}")

# Words that open a negation's scope; a punctuation mark or "but" closes it.
_ENGLISH_NEGATIONS = (
    "not no never nothing nobody none nowhere neither nor cannot without dont doesnt didnt "
    "isnt wasnt arent werent cant couldnt wont wouldnt shouldnt hasnt havent hadnt aint"
)
_FRENCH_NEGATIONS = "ne n pas jamais rien aucun aucune personne sans ni guere"
NEGATIONS = frozenset(_ENGLISH_NEGATIONS.split() + _FRENCH_NEGATIONS.split())
_SCOPE_ENDS = frozenset(".,;:!?()") | {"but", "mais", "...", "though", "pourtant"}
_PUNCTUATION = frozenset(".,;:()")
_EMOJI = sentiment.EMOJI


def fold(text: str) -> str:
    """Lower-cased, accents folded, straight apostrophes, placeholders for links,
    @mentions and digits, letters repeated three times or more cut to two."""
    # str.replace and one regular expression rather than str.translate and a loop asking
    # unicodedata about each character: those took a third of a message's features' time.
    ascii_only = text.isascii()
    if not ascii_only:
        text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    # Each substitution only where it can apply (most messages hold no link, handle or
    # "n't"): the same result, without running expressions that find nothing.
    text = text.replace("`", "'")
    if "://" in text or "www." in text:
        text = _URL.sub(" httplink ", text)
    if "@" in text:
        text = _MENTION.sub(" atmention ", text)
    text = text.lower()
    if not ascii_only:  # ASCII has nothing to decompose
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text)).replace("\u2026", "...")
    text = _DIGITS.sub("0", text)
    if "n't" in text:
        text = _NT.sub(" not", text)
    return _REPEATS.sub(r"\1\1", text.replace("'", " "))


def tokens(text: str) -> list[str]:
    """The words, emoji and punctuation marks of a folded text, in order."""
    return _TOKEN.findall(text)


def bucket(score: float) -> str:
    """The lexicon score's range, as a feature name."""
    for upper, name in ((-0.5, "--"), (-0.2, "-"), (-0.05, "-0"), (0.05, "0")):
        if score <= upper:
            return name
    for lower, name in ((0.5, "++"), (0.2, "+")):
        if score >= lower:
            return name
    return "+0"


def features(text: str, lexicon: Lexicon | None) -> Features:
    """The features of one text (see the module's docstring)."""
    folded = fold(text)
    words = tokens(folded)
    found: Features = {"BIAS": 1.0}
    negated = False
    previous = "<s>"
    scores, pairs = (lexicon.words, lexicon.pairs) if lexicon is not None else (_NONE, _NONE)
    total = extra = 0.0
    hits = emoji = 0
    for word in words:
        if word in _SCOPE_ENDS:
            negated = False
        if word not in _PUNCTUATION:
            found[word] = 1.0
            if not word.isalnum():
                emoji += _EMOJI.get(word, 0)
            if negated and word not in NEGATIONS:
                found["NOT_" + word] = 1.0
            value = scores.get(word)
            if value is not None:
                total += value * wordscores.NEGATED if negated else value
                hits += 1
        pair = previous + " " + word
        found[pair] = 1.0
        value = pairs.get(pair)
        if value is not None:
            extra += value
        previous = word
        if word in NEGATIONS:
            negated = True
    found[previous + " </s>"] = 1.0
    if "!!" in folded or "!?" in folded or "?!" in folded:
        found["PUNCT_!!"] = 1.0
    if "?" in folded:
        found["PUNCT_?"] = 1.0
    if "..." in folded:
        found["PUNCT_..."] = 1.0
    if "/s" in folded.split():
        found["SARCASM_/s"] = 1.0
    if _QUOTED.search(text):
        found["QUOTED"] = 1.0
    # Three capitals in a row somewhere are needed for a word in capitals once links and
    # handles are out (taking them out adds none): most texts are spared the substitutions.
    if _THREE_CAPS.search(text) and _CAPS.search(_URL.sub(" ", _MENTION.sub(" ", text))):
        found["CAPS"] = 1.0
    # hubbub.nlp.sentiment.emoji_hint, from the emoji already split out as words
    hint = max(-sentiment.EMOJI_CAP, min(sentiment.EMOJI_CAP, emoji * sentiment.EMOJI_WEIGHT))
    if hint:
        found["EMOJI_" + ("+" if hint > 0 else "-")] = 1.0
    if lexicon is not None:
        score = sentiment.clamp(lexicon.score(total, hits, extra) + hint)
        found["LEX_" + bucket(score)] = 1.0
        found["LEX_VALUE"] = score
    return found


# --- the model ---------------------------------------------------------------------------


@dataclass
class Model:
    """Weights of a multinomial logistic regression: one row of three (negative, neutral,
    positive) per feature."""

    language: str
    weights: dict[str, list[float]] = field(default_factory=dict)
    rows: int = 0  # how many labelled texts it was trained on
    source: str = ""  # where they came from (a file name and its SHA-256)

    def probabilities(self, found: Features) -> list[float]:
        scores = [0.0, 0.0, 0.0]
        weights = self.weights
        for name, value in found.items():
            row = weights.get(name)
            if row is not None:
                scores[0] += row[0] * value
                scores[1] += row[1] * value
                scores[2] += row[2] * value
        return softmax(scores)

    def to_json(self) -> dict[str, Any]:
        return {"weights": {name: row for name, row in sorted(self.weights.items())}}

    def manifest(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "language": self.language,
            "features_version": FEATURES_VERSION,
            "labels": list(LABELS),
            "weights": WEIGHTS,
            "rows": self.rows,
            "source": self.source,
        }


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


@dataclass(frozen=True)
class Example:
    found: Features
    label: int  # index in LABELS
    weight: float = 1.0


def fit(
    examples: Sequence[Example],
    language: str,
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    l2: float = L2,
    seed: int = SEED,
) -> Model:
    """Logistic regression by stochastic gradient descent with AdaGrad steps; deterministic
    for a given seed and order of examples."""
    index: dict[str, int] = {}
    encoded: list[tuple[list[tuple[int, float]], int, float]] = []
    for example in examples:
        pairs = [(index.setdefault(name, len(index)), v) for name, v in example.found.items()]
        encoded.append((pairs, example.label, example.weight))
    size = len(index)
    w = [[0.0, 0.0, 0.0] for _ in range(size)]
    g2 = [[1e-8, 1e-8, 1e-8] for _ in range(size)]
    order = list(range(len(encoded)))
    shuffle = random.Random(seed).shuffle  # noqa: S311 (an order, not a secret)
    sqrt = math.sqrt
    exp = math.exp
    for _epoch in range(epochs):
        shuffle(order)
        for i in order:
            pairs, label, weight = encoded[i]
            s0 = s1 = s2 = 0.0
            for j, v in pairs:
                row = w[j]
                s0 += row[0] * v
                s1 += row[1] * v
                s2 += row[2] * v
            top = max(s0, s1, s2)
            e0, e1, e2 = exp(s0 - top), exp(s1 - top), exp(s2 - top)
            total = e0 + e1 + e2
            d = [e0 / total * weight, e1 / total * weight, e2 / total * weight]
            d[label] -= weight
            for j, v in pairs:
                row, acc = w[j], g2[j]
                for k in (0, 1, 2):
                    grad = d[k] * v + l2 * row[k]
                    acc[k] += grad * grad
                    row[k] -= learning_rate * grad / sqrt(acc[k])
    names = sorted(index, key=index.__getitem__)
    weights = {
        name: [round(x, 6) for x in w[index[name]]]
        for name in names
        if any(abs(x) >= 1e-6 for x in w[index[name]])
    }
    return Model(language, weights, rows=len(examples))


# --- lexicons, corpora, analyzers -------------------------------------------------------


def lexicon(language: str) -> Lexicon | None:
    """The lexicon's word scores for `language` (hubbub.nlp.wordscores), built once per
    process; None when the language has none (emoji hints still count)."""
    return wordscores.for_language(language)


@dataclass(frozen=True)
class Labelled:
    text: str
    label: str


def read_corpus(path: Path) -> list[Labelled]:
    """The rows of a labelled CSV (text, label; lang ignored); ValueError on a bad row."""
    rows: list[Labelled] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not {"text", "label"} <= {(n or "").strip().lower() for n in reader.fieldnames or ()}:
            raise ValueError(f"{path}: the header must name the columns text and label")
        for row in reader:
            values = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            text, label = values.get("text", ""), values.get("label", "").lower()
            if not text or label not in LABELS:
                raise ValueError(
                    f"{path}: line {reader.line_num}: an empty text or a label that is not "
                    f"one of {', '.join(LABELS)}"
                )
            rows.append(Labelled(text, label))
    return rows


def corpus_path(language: str) -> Path:
    return TRAIN_DIR / f"sentiment-{language}.csv"


def examples(rows: Iterable[Labelled], language: str, weight: float = 1.0) -> list[Example]:
    lex = lexicon(language)
    return [Example(features(r.text, lex), LABELS.index(r.label), weight) for r in rows]


_base_examples: dict[str, list[Example]] = {}


def base_examples(language: str) -> list[Example]:
    """The shipped corpus of `language`, as features (computed once per process)."""
    found = _base_examples.get(language)
    if found is None:
        found = examples(read_corpus(corpus_path(language)), language)
        _base_examples[language] = found
    return found


def train(rows: Sequence[Labelled], language: str, source: str = "") -> Model:
    """A model for `language` trained on `rows`."""
    model = fit(examples(rows, language), language)
    model.source = source
    return model


def digest(path: Path) -> str:
    return f"{path.name} sha256:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


class TrainedAnalyzer:
    """A trained model and the lexicon it builds on; one instance serves many threads."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.language = model.language
        self._lexicon = lexicon(model.language)

    def probabilities(self, text: str) -> list[float]:
        """P(negative), P(neutral), P(positive)."""
        return self.model.probabilities(features(text, self._lexicon))

    def analyze(self, text: str) -> tuple[str, float]:
        p = self.probabilities(text)
        best = max(range(3), key=p.__getitem__)
        return LABELS[best], sentiment.clamp(p[2] - p[0])


_defaults: dict[str, Model] = {}
_lock = threading.RLock()


def default_model(language: str) -> Model:
    """The model trained on the shipped corpus of `language`, once per process."""
    model = _defaults.get(language)
    if model is None:
        with _lock:
            model = _defaults.get(language)
            if model is None:
                path = corpus_path(language)
                model = fit(base_examples(language), language)
                model.source = digest(path)
                _defaults[language] = model
    return model


_default_analyzers: dict[str, TrainedAnalyzer] = {}


def default_analyzer(language: str) -> TrainedAnalyzer:
    """The analyzer of the default model of `language`, once per process."""
    analyzer = _default_analyzers.get(language)
    if analyzer is None:
        analyzer = TrainedAnalyzer(default_model(language))
        _default_analyzers[language] = analyzer
    return analyzer


def english() -> TrainedAnalyzer:
    return default_analyzer("en")


def french() -> TrainedAnalyzer:
    return default_analyzer("fr")


# --- model folders -----------------------------------------------------------------------


def save_folder(model: Model, folder: Path) -> None:
    """Write `model` to `folder` (created if needed): the manifest and the weights."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / WEIGHTS).write_text(json.dumps(model.to_json(), ensure_ascii=False), "utf-8")
    (folder / MANIFEST).write_text(
        json.dumps(model.manifest(), ensure_ascii=False, indent=2) + "\n", "utf-8"
    )


def _read_json(path: Path, folder: Path, what: str) -> Any:
    if not path.is_file():
        raise ModelFolderError(
            folder,
            f"{path.name} is missing: write the folder with "
            f"`hubbub sentiment-train TRAIN.csv --out {folder}`",
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFolderError(
            folder, f"{path.name} cannot be read as JSON ({exc}): {what}"
        ) from exc


def load_folder(path: Path | str, language: str | None = None) -> TrainedAnalyzer:
    """The analyzer of a model folder written by `hubbub sentiment-train`. `language`, when
    given, is the language the folder must be for. ModelFolderError says what is wrong."""
    folder = Path(path)
    if not folder.is_dir():
        raise ModelFolderError(
            folder,
            "no such folder: create it with `hubbub sentiment-train TRAIN.csv --out FOLDER`",
        )
    retrain = "retrain it with `hubbub sentiment-train`"
    manifest = _read_json(folder / MANIFEST, folder, retrain)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFolderError(folder, f"{MANIFEST} does not describe a {FORMAT} model: {retrain}")
    if manifest.get("features_version") != FEATURES_VERSION:
        raise ModelFolderError(
            folder,
            f"the model uses features version {manifest.get('features_version')!r}, this "
            f"Hubbub reads version {FEATURES_VERSION}: {retrain}",
        )
    if manifest.get("labels") != list(LABELS):
        raise ModelFolderError(
            folder, f"the labels must be {', '.join(LABELS)}, in that order: {retrain}"
        )
    declared = manifest.get("language")
    if not isinstance(declared, str) or not declared:
        raise ModelFolderError(folder, f"{MANIFEST} names no language: {retrain}")
    if language is not None and declared != language:
        raise ModelFolderError(
            folder,
            f"the model is for {declared!r}, not {language!r}: move it to the folder of "
            f"its language or retrain it with `--lang {language}`",
        )
    name = manifest.get("weights")
    if not isinstance(name, str) or "/" in name or "\\" in name:
        raise ModelFolderError(folder, f"{MANIFEST} names no weights file: {retrain}")
    data = _read_json(folder / name, folder, retrain)
    raw = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or not all(
        isinstance(row, list)
        and len(row) == 3
        and all(isinstance(x, int | float) and math.isfinite(x) for x in row)
        for row in raw.values()
    ):
        raise ModelFolderError(folder, f"{name} must map each feature to three numbers: {retrain}")
    weights = {str(k): [float(x) for x in row] for k, row in raw.items()}
    rows = manifest.get("rows")
    model = Model(
        declared,
        weights,
        rows=rows if isinstance(rows, int) else 0,
        source=str(manifest.get("source", "")),
    )
    return TrainedAnalyzer(model)


# --- cross-validation --------------------------------------------------------------------


def folds_of(n: int, folds: int, seed: int = SEED) -> list[list[int]]:
    """Indices 0 … n-1 dealt into `folds` groups, shuffled with a fixed seed."""
    order = list(range(n))
    random.Random(seed).shuffle(order)  # noqa: S311 (an order, not a secret)
    return [order[k::folds] for k in range(folds)]


def macro_f1(expected: Sequence[int], got: Sequence[int]) -> float:
    total = 0.0
    for k in range(3):
        tp = sum(e == k and g == k for e, g in zip(expected, got, strict=True))
        predicted = sum(g == k for g in got)
        actual = sum(e == k for e in expected)
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        total += 2 * p * r / (p + r) if p + r else 0.0
    return total / 3


def cross_validate(
    language: str,
    data: Sequence[Example] | None = None,
    folds: int = 5,
    **settings: Any,
) -> float:
    """Macro-F1 of k-fold cross-validation on `data` (default: the shipped corpus)."""
    data = base_examples(language) if data is None else data
    expected: list[int] = []
    got: list[int] = []
    for held in folds_of(len(data), folds):
        out = set(held)
        model = fit([e for i, e in enumerate(data) if i not in out], language, **settings)
        for i in held:
            p = model.probabilities(data[i].found)
            expected.append(data[i].label)
            got.append(max(range(3), key=p.__getitem__))
    return macro_f1(expected, got)
