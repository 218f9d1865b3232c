"""Records' texts as one matrix the classifier learns from.

Fitted on every record of the review at once (screened or not): the vocabulary and the
inverse document frequencies only need the texts, never a decision, and a term that occurs
in the unscreened records is what lets the model rank them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from screening.ranking.texts import RankingText

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix


# Character n-grams cost ten times the words' time and memory (about 2,500 distinct 3-5-grams
# per abstract; over 12 minutes for 10,000 records on the shared 2-core test machine): beyond
# this many records the words carry the ranking on their own
CHARS_UP_TO = 5_000


@dataclass(frozen=True)
class FeatureChoice:
    """Which blocks make up a record's features, and their weights beside the words.

    benchmarks/ranking_choices.py measured them against ASReview's own model (words alone)
    with the same priors and seeds. Character n-grams at full weight gained most on average
    (+3.4 WSS@95 points over the six label sets) but lost 4.2 on one; at 0.3 they gained
    +2.1 and lost at most 1.0, and a default has to hold on reviews we do not have.
    Keyword and MeSH headings as whole terms cost Cohen's PPI review (the one shared set
    with them) 7 points at full weight; at 0.3, beside the stems and characters, -0.7 with
    final labels and +1.1 with title/abstract ones, and on 27 held-out label sets (24 with
    headings: the 13 other Cohen 2006 reviews) they took the mean gain over ASReview's model
    from -0.2 to +1.1 points (full weight: +0.4, worst -12.2; 5 seeds). The words as their
    stems, beside the characters at 0.3, took the mean gain from +2.4 to +3.4 and the worst
    from -1.8 to -1.2 (5 seeds); dropping words and pairs seen in one record only, or the
    characters at 0.2 or 0.5, did not."""

    words: bool = True  # TF-IDF of words and word pairs
    stop_words: bool = False  # drop English stop words from them
    stems: bool = True  # the words as their Snowball stems ("trials", "trial" as one)
    chars: float = 0.3  # TF-IDF of character 3-5-grams, at this weight beside the words (0: none)
    headings: float = 0.3  # keywords and MeSH headings, one term each, at this weight (0: none)
    embedding: bool = False  # a sentence embedding (the optional `embedding` extra)
    # also a second view without the character n-grams: the model averages the ranks of
    # one classifier per view
    two_views: bool = False


def feature_views(
    texts: Sequence[RankingText], choice: FeatureChoice = FeatureChoice()
) -> tuple[csr_matrix, ...]:
    """The matrices the model learns from: one, or with two_views, words alone beside it."""
    from dataclasses import replace

    main = text_features(texts, choice)
    if not choice.two_views:
        return (main,)
    return (main, text_features(texts, replace(choice, chars=0, embedding=False)))


def text_features(
    texts: Sequence[RankingText], choice: FeatureChoice = FeatureChoice()
) -> csr_matrix:
    """One row per text: the chosen blocks side by side, each row scaled to unit length."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.preprocessing import normalize

    blocks: list[Any] = []
    docs = [t.words for t in texts]
    if choice.words:
        blocks.append(_words(docs, choice.stop_words, choice.stems))
    if choice.chars and len(docs) <= CHARS_UP_TO:
        blocks.append(_chars(docs) * choice.chars)
    if choice.headings and any(t.terms for t in texts):
        blocks.append(_headings([t.terms for t in texts]) * choice.headings)
    if choice.embedding:
        from screening.ranking.embedding import sentence_embeddings

        blocks.append(csr_matrix(sentence_embeddings(docs)))
    blocks = [b for b in blocks if b.shape[1]]  # a block with no term at all adds nothing
    if not blocks:
        return csr_matrix((len(texts), 0))
    return normalize(hstack(blocks).tocsr())


def _words(docs: list[str], stop_words: bool, stems: bool) -> csr_matrix:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # with stems, stop words go before stemming (the vectoriser would look for them after)
    tokens: dict[str, Any] = (
        {"tokenizer": _Stems(stop_words), "token_pattern": None}
        if stems
        else {"stop_words": "english" if stop_words else None}
    )
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_df=0.95, **tokens)
    return _fit_or_empty(vectoriser, docs)


class _Stems:
    """A text's words (scikit-learn's own token pattern, lower-cased) as their Snowball
    English stems; each distinct word is stemmed once (pure Python: 28 us a word, unless
    PyStemmer is installed, which snowballstemmer then uses), and English stop words are
    dropped when asked."""

    def __init__(self, stop_words: bool) -> None:
        import re

        import snowballstemmer
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        self._stem = snowballstemmer.stemmer("english").stemWord
        self._words = re.compile(r"(?u)\b\w\w+\b")
        self._seen: dict[str, str] = {w: "" for w in ENGLISH_STOP_WORDS} if stop_words else {}

    def __call__(self, text: str) -> list[str]:
        seen, stems = self._seen, []
        for word in self._words.findall(text):
            stem = seen.get(word)
            if stem is None:
                stem = seen[word] = self._stem(word)
            if stem:
                stems.append(stem)
        return stems


def _chars(docs: list[str]) -> csr_matrix:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2, max_df=0.95
    )
    return _fit_or_empty(vectoriser, docs)


def _headings(terms: list[tuple[str, ...]]) -> csr_matrix:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer=_as_is, sublinear_tf=True)
    return _fit_or_empty(vectoriser, terms)


def _as_is(terms: tuple[str, ...]) -> tuple[str, ...]:
    return terms


def _fit_or_empty(vectoriser: Any, docs: Sequence[Any]) -> csr_matrix:
    from scipy.sparse import csr_matrix

    try:
        return vectoriser.fit_transform(docs)
    except ValueError:  # every text empty, or every term too rare: nothing to learn from
        return csr_matrix((len(docs), 0))
