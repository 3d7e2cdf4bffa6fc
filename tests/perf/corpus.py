"""Synthetic news corpora for benchmarks: realistic sentence shapes and mark densities, made on the fly.

Nothing large is committed; every benchmark builds what it needs from a seed,
so runs are repeatable.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

FIRST = ["Maria", "Ahmed", "Chen", "Olena", "David", "Amara", "Lucas", "Yuki", "Fatima", "Tomás", "Ingrid", "Kwame"]
LAST = ["Okafor", "Levi", "Kovalenko", "Rojas", "Yamada", "El-Sherif", "Lindqvist", "Barnea", "Naim", "Garcia"]
ORGS = ["the Health Ministry", "Hamas", "the United Nations", "the central bank", "the city council", "Reuters", "the World Bank"]
PLACES = ["Cairo", "Geneva", "Gaza", "Kyiv", "Washington", "Tokyo", "Doha", "Santiago", "Ramat Gan"]
VERBS = ["said", "told reporters", "added", "warned", "argued", "noted", "claimed"]
TOPICS = ["the ceasefire talks", "the budget", "grain exports", "the hostage deal", "the new tariffs", "the election", "the flood defences"]


def _person(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def sentence(r: random.Random) -> str:
    kind = r.random()
    if kind < 0.25:
        return f"“{r.choice(TOPICS).capitalize()} will not be settled this week,” {r.choice(VERBS)} {_person(r)}, a spokesperson for {r.choice(ORGS)}."
    if kind < 0.5:
        return f"{_person(r)} {r.choice(VERBS)} that {r.choice(TOPICS)} had reached a turning point in {r.choice(PLACES)} on Monday."
    if kind < 0.65:
        return f"According to {r.choice(ORGS)}, exports fell by {r.randint(2, 60)} percent to ${r.randint(2, 90)} billion in {r.randint(2010, 2025)}."
    if kind < 0.8:
        return f"Officials in {r.choice(PLACES)} expect {r.choice(TOPICS)} to resume next month, an official familiar with the talks said."
    return f"The delegation from {r.choice(PLACES)} met {r.choice(ORGS)} for {r.randint(2, 9)} hours before the talks broke off."


def article(r: random.Random, words: int) -> str:
    paragraphs, current, count = [], [], 0
    while count < words:
        s = sentence(r)
        current.append(s)
        count += len(s.split())
        if len(current) >= r.randint(2, 4):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def articles(n: int, words: int = 600, seed: int = 1) -> Iterator[tuple[str, str]]:
    """(title, text) pairs."""
    r = random.Random(seed)
    for i in range(n):
        text = article(r, words)
        yield f"Synthetic article {i}: {r.choice(TOPICS)} in {r.choice(PLACES)}", text


def marks(text: str, count: int, claims_every: int = 60, seed: int = 2) -> list[tuple[int, int, str, str]]:
    """(start, end, label, kind) spread over ``text``: ``count`` entity marks on words, plus a claim every N entities."""
    r = random.Random(seed)
    words = [m.span() for m in re.finditer(r"\w+", text)]
    step = max(1, len(words) // max(count, 1))
    out = []
    labels = ["PERSON", "ORG", "GPE", "DATE", "NORP", "MONEY", "PERCENT"]
    for n, i in enumerate(range(0, min(len(words), step * count), step)):
        start, end = words[i][0], words[min(i + r.randint(0, 1), len(words) - 1)][1]
        out.append((start, end, r.choice(labels), "entity"))
        if n % claims_every == 5 and i + 25 < len(words):
            out.append((words[i][0], words[i + 25][1], "REPORTED", "claim"))
    return out
