"""What a TextQuery means, as an engine-neutral query tree every backend compiles.

The search semantics (which words must match, as words or contiguous characters; the labelled
fallback where a generic word never carries a result; phrase and title bonuses; the pruned OR
of a need's words and bigrams) are decided here once, so the Whoosh and tantivy backends rank
by the same rules. A backend only supplies document frequencies (`Stats`) and turns the tree
into its own query objects. Field boosts of the schema (title ×3, claims ×½; fields.FIELD_BOOSTS)
are applied by the engine, not written into the tree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, Union

from ..text.tokenize import char_bigrams
from .backend import Alternative, Concept, TextQuery
from .fields import CHAR_FIELDS, TEXT_FIELDS, UNIGRAM_FIELD

MAX_DF_SHARE = 0.08      # in long queries, terms found in more documents than this are dropped
SHORT_QUERY_TERMS = 12   # ...but never below this many terms (the rarest ones)
# Concept queries: a phrase found in the title outranks the same phrase in the abstract; the
# whole query found as one phrase (红枣加工 for "红枣 加工") earns a bonus.
TITLE_PHRASE_BOOST = 3.0
WHOLE_PHRASE_BOOST = 2.0
# A word of this many characters also matches as contiguous characters, whatever the
# segmentation of the document; a shorter one only as a word (储能 is not in 存储能力).
MIN_WORD_PHRASE_CHARS = 3
PARTIAL_WORD_WEIGHT = 0.3   # fallback: one word of a multi-word part counts for this much
# In the partial-match fallback, a concept found in more than this share of the documents (and
# more than GENERIC_MIN_DOCS of them) is generic: it may lift a result but never carry one.
GENERIC_DOC_SHARE = 0.01
GENERIC_MIN_DOCS = 50
# OR queries (the matcher's character channel): measured with scripts/eval_matching.py, title
# bigrams at half weight find paraphrased known items best without losing the real needs.
CHAR_FIELD_BOOSTS = {"tchars": 0.5, "bchars": 1.0}


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Contiguous positions in a character field."""
    field: str
    words: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """Matches when any part does; the score sums the matching parts'. `flat` marks the long
    OR of plain terms (engines may score it in one pass)."""
    parts: tuple["Node", ...]
    boost: float = 1.0
    flat: bool = False


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Node", ...]


@dataclass(frozen=True)
class WithBonus:
    """`required` must match; `bonus` only adds to the score of what it matches."""
    required: "Node"
    bonus: "Node"


Node = Union[Term, Phrase, AnyOf, AllOf, WithBonus]
NOTHING = AnyOf(())


class Stats(Protocol):
    def doc_frequency(self, field: str, text: str) -> int: ...

    def doc_count(self) -> int: ...


def text_plan(kind: str, query: TextQuery, stats: Stats) -> Node | None:
    """The concept query of a short query, else an OR of the query's words over the word
    fields plus its bigrams over the character fields (None: no text, list everything).

    Long queries (needs turned into queries) leave out terms found in more than MAX_DF_SHARE
    of the documents: they barely change the ranking but their long posting lists dominate
    query time. Short queries, and the rarest terms of any query, always stay.
    """
    if query.is_empty:
        return None
    if query.concepts:
        return concept_plan(kind, query, stats)
    terms: list[tuple[int, Term]] = []
    for word in query.words:
        boost = query.word_boosts.get(word, 1.0)
        for f in TEXT_FIELDS[kind]:
            terms.append((stats.doc_frequency(f, word), Term(f, word, boost)))
    terms += [(stats.doc_frequency(f, g), Term(f, g, boost * query.word_boosts.get(g, 1.0)))
              for f, boost in CHAR_FIELD_BOOSTS.items() for g in query.bigrams]
    terms = [(df, t) for df, t in terms if df > 0]
    if len(terms) > SHORT_QUERY_TERMS:
        limit = max(50, int(MAX_DF_SHARE * stats.doc_count()))
        rarest = {id(t) for _df, t in sorted(terms, key=lambda x: x[0])[:SHORT_QUERY_TERMS]}
        terms = [(df, t) for df, t in terms if df <= limit or id(t) in rarest]
    return AnyOf(tuple(t for _df, t in terms), flat=True) if terms else NOTHING


def concept_plan(kind: str, query: TextQuery, stats: Stats) -> Node:
    """Every concept required (or, for the fallback, any specific one), each matching as one
    of its alternatives; see :class:`~.backend.Alternative` for what matching means."""
    if len(query.concepts) == 1 and all(alt.is_word and 1 < len(alt.text) < MIN_WORD_PHRASE_CHARS
                                        for alt in query.concepts[0].alternatives):
        # One word (and its synonyms): a plain OR of terms, which fast paths evaluate.
        return AnyOf(tuple(Term(f, alt.text, alt.weight) for alt in
                           query.concepts[0].alternatives for f in TEXT_FIELDS[kind]), flat=True)
    if not query.require_all:
        return relaxed_plan(kind, query, stats)
    concepts = [concept_node(kind, c) for c in query.concepts]
    required = concepts[0] if len(concepts) == 1 else AllOf(tuple(concepts))
    if len(query.concepts) < 2:
        return required
    whole = char_bigrams("".join(c.text for c in query.concepts))
    return WithBonus(required, AnyOf(tuple(phrase(f, whole, WHOLE_PHRASE_BOOST) for f in CHAR_FIELDS)))


def relaxed_plan(kind: str, query: TextQuery, stats: Stats) -> Node:
    """The fallback: documents with any *specific* concept (or, of a multi-word part, any
    specific word), ranked by how much they match. A generic word (回收, 加工, 连接: found
    in more than GENERIC_DOC_SHARE of the documents) never carries a result alone; it only
    lifts documents that have a specific one."""
    fields = TEXT_FIELDS[kind]
    generic = max(GENERIC_MIN_DOCS, GENERIC_DOC_SHARE * stats.doc_count())

    def df(word: str) -> int:
        return max(stats.doc_frequency(f, word) for f in fields)

    carriers: list[Node] = []
    boosters: list[Node] = []
    for concept in query.concepts:
        typed = concept.alternatives[0]
        specific = (df(typed.text) if typed.is_word
                    else min(df(w) for w in typed.words)) <= generic
        (carriers if specific else boosters).append(concept_node(kind, concept))
        if not typed.is_word:   # 棉花采摘机: 棉花 alone is a weak match, 机 never
            carriers += [Term(f, w, PARTIAL_WORD_WEIGHT) for w in typed.words
                         if len(w) >= 2 and df(w) <= generic for f in fields]
    if not carriers:
        return NOTHING
    core = AnyOf(tuple(carriers))
    return WithBonus(core, AnyOf(tuple(boosters))) if boosters else core


def concept_node(kind: str, concept: Concept) -> Node:
    alternatives = [alternative_node(kind, alt) for alt in concept.alternatives]
    return alternatives[0] if len(alternatives) == 1 else AnyOf(tuple(alternatives))


def alternative_node(kind: str, alt: Alternative) -> Node:
    fields = TEXT_FIELDS[kind]
    parts: list[Node]
    if alt.is_word and len(alt.text) == 1:
        parts = [Term(UNIGRAM_FIELD, alt.text)] + [Term(f, alt.text) for f in fields]
    elif alt.is_word:
        parts = [Term(f, alt.text) for f in fields]
        if len(alt.text) >= MIN_WORD_PHRASE_CHARS:   # also when jieba cut it apart: 锂|电池回收
            grams = char_bigrams(alt.text)
            parts += [phrase("tchars", grams, TITLE_PHRASE_BOOST), phrase("bchars", grams, 1.0)]
    else:
        grams = char_bigrams(alt.text)
        parts = [phrase("tchars", grams, TITLE_PHRASE_BOOST), phrase("bchars", grams, 1.0)]
        if alt.words_may_match:
            parts.append(AllOf(tuple(AnyOf(tuple(Term(f, w) for f in fields)) for w in alt.words)))
    return AnyOf(tuple(parts), boost=alt.weight)


def phrase(field: str, grams: Sequence[str], boost: float) -> Node:
    if len(grams) == 1:
        return Term(field, grams[0], boost)
    return Phrase(field, tuple(grams), boost)


def terms_of(node: Node | None) -> set[tuple[str, str]]:
    """Every (field, text) the tree looks up (phrases: each of their words)."""
    if node is None:
        return set()
    if isinstance(node, Term):
        return {(node.field, node.text)}
    if isinstance(node, Phrase):
        return {(node.field, w) for w in node.words}
    if isinstance(node, WithBonus):
        return terms_of(node.required) | terms_of(node.bonus)
    return set().union(*(terms_of(p) for p in node.parts)) if node.parts else set()
