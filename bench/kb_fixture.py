"""The labelled knowledge base of the relevance benchmark: one article per banking77 intent.

``python -m bench.kb_fixture`` writes ``bench/fixtures/banking77_articles.json`` from the corpus's *train* split
(``../shared/corpora/polyai-banking77``, CC-BY-4.0: see the attribution in the fixture). Each article has a title
written by hand for its intent, the intent's words as tags, and a body that answers in general terms and lists
``QUESTIONS_PER_ARTICLE`` ways customers asked it (train queries, every n-th one, so the list spans the split).
The test split is never read here: the benchmark reports on it only (``bench/kb.py``).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

from bench.kb_titles import TITLES

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "banking77_articles.json"
QUESTIONS_PER_ARTICLE = 20
ATTRIBUTION = (
    "Built from the banking77 dataset (PolyAI, Casanueva et al. 2020, 'Efficient Intent Detection with Dual "
    "Sentence Encoders'), https://github.com/PolyAI-LDN/task-specific-datasets, licensed CC-BY-4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Changes: train-split queries grouped per intent into "
    "articles, with titles written for Lambdesk's benchmark."
)


def corpus_dir(root: Path) -> Path:
    return root / "polyai-banking77" / "banking_data"


def read_split(root: Path, split: str) -> list[tuple[str, str]]:
    with (corpus_dir(root) / f"{split}.csv").open(newline="", encoding="utf-8") as f:
        return [(row["text"], row["category"]) for row in csv.DictReader(f)]


def chosen(queries: list[str], k: int = QUESTIONS_PER_ARTICLE) -> list[str]:
    """Every n-th query of the intent, k in all (deterministic, spread over the split)."""
    step = max(1, len(queries) // k)
    return queries[::step][:k]


def articles(train: list[tuple[str, str]], k: int = QUESTIONS_PER_ARTICLE) -> list[dict[str, object]]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in train:
        by_intent[intent].append(text)
    made = []
    for intent in sorted(by_intent):
        words = intent.replace("?", "").split("_")
        questions = chosen(by_intent[intent], k)
        body = f"{TITLES[intent]}: what to check and what we can do.\n\n## How customers ask this\n\n" + "\n".join(
            f"- {q.strip()}" for q in questions
        )
        made.append({"intent": intent, "title": TITLES[intent], "tags": words, "body": body, "questions": questions})
    return made


def held_out(train: list[tuple[str, str]], fixture: list[dict[str, object]]) -> list[tuple[str, str]]:
    """Train queries that no article quotes: the tuning set."""
    quoted = {q for a in fixture for q in a["questions"]}  # type: ignore[union-attr]
    return [(text, intent) for text, intent in train if text not in quoted]


def main() -> None:
    import sys

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpora"
    fixture = {"attribution": ATTRIBUTION, "articles": articles(read_split(root, "train"))}
    FIXTURE.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {FIXTURE} ({len(fixture['articles'])} articles)")


if __name__ == "__main__":
    main()
