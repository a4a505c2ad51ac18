"""`hubbub sentiment-eval`: the figures, the rows it cannot use, and the sets Hubbub ships."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hubbub.nlp import evaluation
from hubbub.nlp.evaluation import LABELS, Row, evaluate, read

ROOT = Path(__file__).resolve().parents[2]
SETS = {
    "en": ROOT / "hubbub/nlp/eval/sentiment-en.csv",
    "fr": ROOT / "hubbub/nlp/eval/sentiment-fr.csv",
}


def rows(*pairs: tuple[str, str]) -> list[Row]:
    """Rows whose text is the label the fake analyzer will answer."""
    return [Row(n, text, label, "en") for n, (text, label) in enumerate(pairs, start=2)]


def answer(text: str, language: str) -> tuple[str, float]:
    return text, 0.0


def test_accuracy_precision_recall_and_macro_f1_by_hand() -> None:
    # expected → answered: 3 negative (2 right, 1 as neutral), 2 neutral (1 right, 1 as
    # positive), 1 positive (right).
    scores = evaluate(
        rows(
            ("negative", "negative"),
            ("negative", "negative"),
            ("neutral", "negative"),
            ("neutral", "neutral"),
            ("positive", "neutral"),
            ("positive", "positive"),
        ),
        analyze=answer,
    )["en"]

    assert (scores.total, scores.right) == (6, 4)
    assert scores.accuracy == pytest.approx(4 / 6)
    assert scores.precision("negative") == 1.0 and scores.recall("negative") == pytest.approx(2 / 3)
    assert scores.precision("neutral") == 0.5 and scores.recall("neutral") == 0.5
    assert scores.precision("positive") == 0.5 and scores.recall("positive") == 1.0
    f1 = {"negative": 0.8, "neutral": 0.5, "positive": 2 / 3}
    for label in LABELS:
        assert scores.f1(label) == pytest.approx(f1[label])
    assert scores.macro_f1 == pytest.approx(sum(f1.values()) / 3)


def test_a_label_never_expected_nor_answered_counts_as_zero() -> None:
    scores = evaluate(rows(("negative", "negative")), analyze=answer)["en"]
    assert scores.macro_f1 == pytest.approx(1 / 3)


def test_rows_that_cannot_be_used_are_told_by_line_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text(
        "\ufefftext,label,lang\n"
        '"Great, thanks!",positive,en\n'
        '"",negative,en\n'
        '"meh",Angry,en\n'
        '"Service nul, je veux être remboursé",NEGATIVE,\n'
        '"a ""quoted"" word",neutral,en\n',
        encoding="utf-8",
    )
    found = read(path)

    assert found.problems == [
        "line 3: the text is empty",
        "line 4: the label 'angry' is not one of negative, neutral, positive",
    ]
    assert [(r.line, r.label, r.language) for r in found.rows] == [
        (2, "positive", "en"),
        (5, "negative", ""),  # no language: detected when evaluated
        (6, "neutral", "en"),
    ]
    assert found.rows[2].text == 'a "quoted" word'
    assert "fr" in evaluate(found.rows)  # the unnamed language was detected


def test_a_file_without_the_columns_says_which_are_missing(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text("message,tone\nhello,neutral\n", encoding="utf-8")
    found = read(path)
    assert found.rows == []
    assert found.problems == [
        "line 1: the header must name the columns text and label (and lang if the languages "
        "differ); label, text missing"
    ]


def test_the_command_prints_the_figures_per_language(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text(
        "text,label,lang\n"
        '"I love this, thank you so much!",positive,en\n'
        '"Worst service ever, I want my money back",negative,en\n'
        '"Merci beaucoup, équipe au top !",positive,fr\n'
        '"",neutral,en\n',
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()
    call_command("sentiment-eval", str(path), "--no-progress", stdout=out, stderr=err)

    printed = out.getvalue()
    assert "en: 2 texts, accuracy 1.000, macro-F1 0.667" in printed
    assert "fr: 1 text, accuracy 1.000, macro-F1 0.333" in printed
    assert re.search(r"^positive\s+1\s+1\.000\s+1\.000\s+1\.000\s+0\s+0\s+1$", printed, re.M)
    assert f"{path}: line 5: the text is empty (left out)" in err.getvalue()


def test_the_command_fails_below_the_floor_and_on_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_text('text,label,lang\n"Where is my parcel?",negative,en\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"below 0\.50 in: en") as raised:
        call_command("sentiment-eval", str(path), "--no-progress", "--min-macro-f1", "0.5")
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match="no such file") as raised:
        call_command("sentiment-eval", str(tmp_path / "missing.csv"), "--no-progress")
    assert raised.value.returncode == 1


# --- the sets Hubbub ships ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_shipped_sets_are_large_varied_and_clean(language: str) -> None:
    found = read(SETS[language])
    assert found.problems == []
    assert len(found.rows) >= 300
    assert {r.language for r in found.rows} == {language}
    texts = [r.text.casefold() for r in found.rows]
    assert len(set(texts)) == len(texts)
    counts = {label: sum(r.label == label for r in found.rows) for label in LABELS}
    assert min(counts.values()) >= 0.2 * len(found.rows), counts


def test_the_figures_in_the_listening_guide_are_the_analyzers_own() -> None:
    """docs/listening.md reports the default analyzers' figures on the shipped sets: they
    must be what the analyzers score now (change an analyzer, update the guide)."""
    guide = (ROOT / "docs/listening.md").read_text(encoding="utf-8")
    for language, path in SETS.items():
        scores = evaluation.evaluate(read(path).rows)[language]
        row = re.search(rf"^\| {language} \| (\d+) \| ([\d.]+) \| ([\d.]+) \|", guide, re.M)
        assert row is not None, f"no figures for {language} in docs/listening.md"
        assert int(row.group(1)) == scores.total
        assert row.group(2) == f"{scores.accuracy:.3f}"
        assert row.group(3) == f"{scores.macro_f1:.3f}"


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "set.csv"
    path.write_bytes("text,label\nCafé froid,negative\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"not UTF-8 text .*save it as a UTF-8 CSV") as raised:
        call_command("sentiment-eval", str(path), "--no-progress")
    assert raised.value.returncode == 1
