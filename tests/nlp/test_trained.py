"""The trained sentiment analyzers: the corpus they learn from, how well they generalise on
it (cross-validation), their features, their cost, model folders, HUBBUB_SENTIMENT_MODEL_DIR
and `hubbub sentiment-train`."""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hubbub.nlp import analyze, get_analyzer, trained
from hubbub.nlp import sentiment as module
from hubbub.nlp.evaluation import LABELS, read
from hubbub.nlp.trained import ModelFolderError, load_folder, save_folder

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "fr")
# Cross-validated macro-F1 on the training corpus was 0.84 (en) and 0.83 (fr) when written;
# a change that costs more than a few points fails here.
CV_FLOOR = {"en": 0.80, "fr": 0.79}


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Analyzers built in a test stay in the test."""
    monkeypatch.setattr(module, "_instances", dict(module._instances))
    monkeypatch.setattr(module, "_failures", {})
    monkeypatch.setattr(module, "_model_dir", "")
    monkeypatch.delenv(module.MODEL_DIR_VARIABLE, raising=False)


def write_csv(path: Path, rows: list[tuple[str, str]], language: str = "en") -> Path:
    lines = ["text,label,lang"] + [f'"{text}",{label},{language}' for text, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# A tiny corpus in which "banana" is bad news: a model trained on it is recognisable.
BANANA = [
    *((f"the banana thing happened again {n}", "negative") for n in range(8)),
    *((f"what time is the meeting on day {n}?", "neutral") for n in range(8)),
    *((f"lovely weather for a walk, day {n}", "positive") for n in range(8)),
]


# --- the corpus ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_training_corpus_is_large_balanced_and_clean(language: str) -> None:
    found = read(trained.corpus_path(language))
    assert found.problems == []
    assert len(found.rows) >= 900
    assert {r.language for r in found.rows} == {language}
    texts = [r.text.casefold() for r in found.rows]
    assert len(set(texts)) == len(texts)
    counts = {label: sum(r.label == label for r in found.rows) for label in LABELS}
    assert min(counts.values()) >= 0.3 * len(found.rows), counts


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_training_corpus_shares_no_text_with_the_evaluation_set(language: str) -> None:
    """The evaluation sets are held out: not one of their texts may be trained on."""
    train = {trained.fold(r.text).strip() for r in read(trained.corpus_path(language)).rows}
    held_out = read(ROOT / f"hubbub/nlp/eval/sentiment-{language}.csv").rows
    shared = sum(trained.fold(r.text).strip() in train for r in held_out)
    assert shared == 0, f"{shared} evaluation texts are in the training corpus"


@pytest.mark.parametrize("language", LANGUAGES)
def test_cross_validated_macro_f1_on_the_corpus(language: str) -> None:
    assert trained.cross_validate(language, folds=5) >= CV_FLOOR[language]


# --- features and training -----------------------------------------------------------------


def test_features_fold_accents_mark_negation_and_keep_emoji() -> None:
    found = trained.features("@Acme I'm NOT happy, but the staff were great 🙄", None)
    assert {"atmention", "not", "NOT_happy", "happy", "great", "🙄", "CAPS"} <= set(found)
    assert "NOT_great" not in found  # "but" closes the negation
    french = trained.features("Je n'aime pas du tout, c'était abusé !!", None)
    assert {"NOT_aime", "NOT_du", "abuse", "PUNCT_!!"} <= set(french)
    assert "NOT_abuse" not in french  # the comma closes it
    assert "abusé" not in french  # accents folded
    assert trained.fold("Ça coûte 25€ ?") == trained.fold("ca coute 99€ ?")  # digits too


def test_the_lexicon_score_is_a_feature() -> None:
    found = trained.features("Thank you so much, I love it!", trained.lexicon("en"))
    assert found["LEX_++"] == 1.0 and found["LEX_VALUE"] > 0.5
    found = trained.features("Service nul, c'est une honte", trained.lexicon("fr"))
    assert found["LEX_--"] == 1.0 and found["LEX_VALUE"] < -0.5


@pytest.mark.parametrize(
    ("text", "language", "sign"),
    [
        ("I am happy with it", "en", 1),
        ("I am not happy with it", "en", -1),  # negation turns the word around
        ("Not happy. Great staff though", "en", 1),  # … until its scope ends
        ("Ça marche nickel", "fr", 1),
        ("Ça ne marche toujours pas", "fr", -1),  # the supplement's verbs, negated
        ("Colis pas reçu, au secours", "fr", -1),  # a pair ("pas recu") of the supplement
        ("Je suis déçue", "fr", -1),  # accents folded on both sides
        ("Merci 😍😍", "fr", 1),
        ("rien à signaler 😡", "de", -1),  # no lexicon: the emoji still count
    ],
)
def test_the_lexicon_score_reads_words_negation_pairs_and_emoji(
    text: str, language: str, sign: int
) -> None:
    found = trained.features(text, trained.lexicon(language))
    value = found.get("LEX_VALUE", 0.0)
    if language == "de":
        assert trained.lexicon("de") is None and found["EMOJI_-"] == 1.0
    else:
        assert value * sign > 0.05, (text, value)


def test_training_is_deterministic() -> None:
    data = trained.base_examples("en")[:300]
    assert trained.fit(data, "en").weights == trained.fit(data, "en").weights


def test_the_default_model_trains_quickly() -> None:
    rows = trained.read_corpus(trained.corpus_path("fr"))
    start = time.perf_counter()
    trained.train(rows, "fr")
    assert time.perf_counter() - start < 5  # about a second; generous for busy CI machines


# --- the analyzers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("wonderful, my train is late again 🙄", "en", "negative"),
        (
            "Hello, I was charged twice for my subscription last month, could you refund one "
            "of the payments please?",
            "en",
            "negative",
        ),
        ("What time does the Oxford Road branch close today?", "en", "neutral"),
        ("not bad at all, really liked it", "en", "positive"),
        ("Super, encore un train en retard 🙄", "fr", "negative"),
        (
            "Bonjour, j'ai été prélevé deux fois ce mois-ci, pouvez-vous rembourser ?",
            "fr",
            "negative",
        ),
        ("À quelle heure ferme l'agence de la gare ?", "fr", "neutral"),
        ("c'était pas mal du tout, j'ai bien aimé", "fr", "positive"),
    ],
)
def test_sarcasm_polite_complaints_and_negation(text: str, language: str, label: str) -> None:
    assert analyze(text, language)[0] == label


def test_the_defaults_are_the_trained_analyzers_and_the_lexicons_remain(registry: None) -> None:
    assert isinstance(get_analyzer("en"), trained.TrainedAnalyzer)
    assert get_analyzer("fr").model.language == "fr"  # type: ignore[attr-defined]
    assert module.VaderAnalyzer().analyze("Thank you!")[0] == "positive"
    assert module.FrenchAnalyzer().analyze("Merci, au top !")[0] == "positive"


def test_score_is_p_positive_minus_p_negative() -> None:
    analyzer = trained.default_analyzer("en")
    p = analyzer.probabilities("Love it, thanks!")
    label, score = analyzer.analyze("Love it, thanks!")
    assert label == "positive" and score == pytest.approx(p[2] - p[0])
    assert sum(p) == pytest.approx(1.0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_call_costs_well_under_a_millisecond(language: str) -> None:
    analyzer = trained.default_analyzer(language)
    text = "@acme 3 weeks waiting for my refund, absolutely ridiculous 😡 can someone help?"
    analyzer.analyze(text)
    calls = 300
    start = time.perf_counter()
    for _ in range(calls):
        analyzer.analyze(text)
    per_call = (time.perf_counter() - start) / calls
    assert per_call < 0.002, f"{per_call * 1000:.3f} ms"  # about 0.15 ms when written


# --- model folders ---------------------------------------------------------------------------


def test_a_model_folder_round_trip(tmp_path: Path) -> None:
    model = trained.default_model("fr")
    save_folder(model, tmp_path / "fr")
    manifest = json.loads((tmp_path / "fr" / trained.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["language"] == "fr"
    assert manifest["features_version"] == trained.FEATURES_VERSION
    assert manifest["labels"] == list(LABELS)
    loaded = load_folder(tmp_path / "fr", "fr")
    default = trained.default_analyzer("fr")
    for text in ("Merci beaucoup !", "C'est abusé, toujours rien reçu", "Vous ouvrez dimanche ?"):
        assert loaded.analyze(text) == default.analyze(text)


def broken(tmp_path: Path, damage: str) -> Path:
    folder = tmp_path / "en"
    save_folder(trained.train([trained.Labelled(t, lab) for t, lab in BANANA], "en"), folder)
    manifest_path = folder / trained.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if damage == "no manifest":
        manifest_path.unlink()
    elif damage == "old features":
        manifest["features_version"] = 0
    elif damage == "other language":
        manifest["language"] = "de"
    elif damage == "bad weights":
        (folder / trained.WEIGHTS).write_text('{"weights": {"x": [1, 2]}}', encoding="utf-8")
    elif damage == "not json":
        (folder / trained.WEIGHTS).write_text("{oops", encoding="utf-8")
    if manifest_path.exists():
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("no manifest", r"hubbub-sentiment\.json is missing: write the folder with"),
        ("old features", r"features version 0, this Hubbub reads version 2: retrain it"),
        ("other language", r"the model is for 'de', not 'en'"),
        ("bad weights", r"weights\.json must map each feature to three numbers"),
        ("not json", r"weights\.json cannot be read as JSON"),
    ],
)
def test_a_broken_folder_says_which_and_what_to_do(
    tmp_path: Path, damage: str, message: str
) -> None:
    folder = broken(tmp_path, damage)
    with pytest.raises(ModelFolderError, match=message) as raised:
        load_folder(folder, "en")
    assert str(folder) in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing.*no such folder: create it with"):
        load_folder(tmp_path / "missing")


def test_the_model_dir_puts_its_models_in_charge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: None
) -> None:
    broken(tmp_path, "nothing")  # a good "en" model; no "fr" folder
    monkeypatch.setenv(module.MODEL_DIR_VARIABLE, str(tmp_path))
    assert analyze("the banana thing happened again", "en")[0] == "negative"
    assert get_analyzer("en").model.source == ""  # type: ignore[attr-defined]
    assert get_analyzer("fr") is not None  # no folder for French: its default
    assert analyze("Merci beaucoup, c'est parfait !", "fr")[0] == "positive"


def test_a_broken_model_dir_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: None
) -> None:
    monkeypatch.setenv(module.MODEL_DIR_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match=r"nowhere: HUBBUB_SENTIMENT_MODEL_DIR names no folder"):
        analyze("Thank you!", "en")
    broken(tmp_path, "old features")
    monkeypatch.setenv(module.MODEL_DIR_VARIABLE, str(tmp_path))
    for _ in range(2):  # the same error every time, until it is fixed
        with pytest.raises(ModelFolderError, match="features version 0"):
            analyze("Thank you!", "en")
    monkeypatch.delenv(module.MODEL_DIR_VARIABLE)
    assert analyze("Thank you!", "en")[0] == "positive"


# --- hubbub sentiment-train ------------------------------------------------------------------


def test_the_command_trains_and_writes_a_folder_that_loads(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "train.csv", BANANA)
    out = StringIO()
    call_command(
        "sentiment-train",
        str(source),
        "--out",
        str(tmp_path / "model"),
        "--folds",
        "3",
        "--no-progress",
        stdout=out,
    )
    printed = out.getvalue()
    assert "cross-validated macro-F1 (3 folds): " in printed
    assert "en: trained on 24 texts (8 negative, 8 neutral, 8 positive)" in printed
    analyzer = load_folder(tmp_path / "model", "en")
    assert analyzer.analyze("oh no, the banana thing")[0] == "negative"
    assert analyzer.model.source.startswith("train.csv sha256:")


def test_retraining_the_shipped_corpus_gives_the_default_model(tmp_path: Path) -> None:
    call_command(
        "sentiment-train",
        str(trained.corpus_path("en")),
        "--out",
        str(tmp_path / "en"),
        "--no-progress",
        stdout=StringIO(),
    )
    assert load_folder(tmp_path / "en").model.weights == trained.default_model("en").weights


def test_the_command_says_what_is_wrong(tmp_path: Path) -> None:
    out = str(tmp_path / "model")
    with pytest.raises(CommandError, match="no such file") as raised:
        call_command("sentiment-train", str(tmp_path / "missing.csv"), "--out", out)
    assert raised.value.returncode == 1
    few = write_csv(tmp_path / "few.csv", BANANA[:10])
    with pytest.raises(CommandError, match=r"too few usable rows in en .*0 positive"):
        call_command("sentiment-train", str(few), "--out", out, "--no-progress")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("text,label,lang\nhello,neutral,en\nbonjour,neutral,fr\n", "utf-8")
    with pytest.raises(CommandError, match=r"several languages \(en, fr\).*--lang"):
        call_command("sentiment-train", str(mixed), "--out", out, "--no-progress")
    assert not Path(out).exists()
