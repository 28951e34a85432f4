"""Keywords and sentiment for English and Chinese, with libraries whose data ships in their
wheels (docs/decisions/0005): jieba and SnowNLP for Chinese, YAKE and VADER for English."""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@functools.lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    return jieba


@functools.lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def keywords(text: str, language: str, count: int = 3) -> list[str]:
    """The ``count`` words that best say what ``text`` is about, most important first."""
    if language == "zh":
        return [str(word) for word in _jieba().analyse.extract_tags(text, topK=count)]
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=1, top=count * 2, dedupLim=0.9)
    found = [word for word, _ in extractor.extract_keywords(text)]
    # YAKE may return a word in another case than the text uses; keep the text's spelling.
    spelled = {w.lower(): w for w in _WORD.findall(text)}
    out: list[str] = []
    for word in found:
        original = spelled.get(word.lower())
        if original and original.lower() not in {o.lower() for o in out}:
            out.append(original)
    return out[:count]


def chinese_words(text: str) -> list[str]:
    """Chinese text cut into words (jieba's dictionary)."""
    return [str(word) for word in _jieba().lcut(text)]


def sentiment(text: str, language: str) -> float:
    """From -1 (negative) through 0 to 1 (positive)."""
    if language == "zh":
        from snownlp import SnowNLP

        return float(SnowNLP(text).sentiments) * 2 - 1
    return float(_vader().polarity_scores(text)["compound"])


def mood(score: float) -> str:
    if score >= 0.25:
        return "positive"
    if score <= -0.25:
        return "negative"
    return "neutral"
