"""A Whoosh segment writer for full rebuilds: same index files, a fraction of the CPU time.

Whoosh's ``SegmentWriter`` pushes every posting through a generic external-sort pool as a
5-tuple, sorts millions of them at commit, and then looks up each posting's field length in
the just-written length column. For the rebuild of a 25k-patent index that is ~140 CPU-seconds,
most of it per-posting Python overhead. ``BulkWriter`` keeps the postings grouped by term in
memory instead (two compact arrays per term: doc numbers and frequencies), remembers field
lengths itself, and writes the terms in order straight to the codec's field writer. Stored
fields, columns (facets, sort keys), field lengths and the postings are byte-for-byte what
``SegmentWriter`` would write for the same documents (``tests/search/test_fast_paths.py``).

It only builds a new segment into an *empty* index (that is what a rebuild does); merging,
document boosts (``_boost``) and custom stored values (``_stored_*``) are not supported.
Text fields analyzed by ``SpaceSeparatedTokenizer`` with the ``Frequency`` format (the
pre-analyzed fields of :mod:`.schemas`) take the fast path; other fields go through the
field's own ``index()``.
"""
from __future__ import annotations

import re
from array import array
from collections import Counter

from whoosh import formats
from whoosh.analysis import RegexTokenizer
from whoosh.system import emptybytes, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

# The expression of whoosh.analysis.SpaceSeparatedTokenizer().
_SPACE_TOKENS = r"[^ \t\r\n]+"
_FIND_TOKENS = re.compile(_SPACE_TOKENS).findall
# Length byte -> the length a reader gets back (0 means "no length", as in W3PerDocReader).
_BYTE_TO_LENGTH = [None] + [byte_to_length(b) for b in range(1, 256)]


def _space_text(field) -> bool:
    """A field whose values are space-separated tokens counted with frequencies."""
    ana = getattr(field, "analyzer", None)
    return (type(field.format) is formats.Frequency and type(ana) is RegexTokenizer
            and ana.expression.pattern == _SPACE_TOKENS and not ana.gaps
            and not field.vector and not field.separate_spelling())


class BulkWriter(SegmentWriter):
    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        if self.segments:
            self.cancel()
            raise ValueError("BulkWriter only writes into an empty index")
        schema = self.schema
        self._fast = {name for name, f in schema.items() if f.indexed and _space_text(f)}
        self._scorable = [name for name, f in schema.items() if f.indexed and f.scorable]
        # fast fields: term (str) -> (doc numbers, frequencies)
        self._text_posts: dict[str, dict[str, tuple[array, array]]] = {n: {} for n in self._fast}
        # other fields: term (bytes) -> (doc numbers, [(weight, value bytes)])
        self._other_posts: dict[str, dict[bytes, tuple[array, list]]] = {}
        # scorable fields: one length byte per document, as the per-document writer stores it
        self._lengths = {name: array("B") for name in self._scorable}
        # bound once: add_document runs for every document of the corpus
        self._tokenize = _FIND_TOKENS
        self._failed = False

    def add_reader(self, reader):  # merging is the stock writer's job
        raise NotImplementedError("BulkWriter cannot merge segments")

    def add_document(self, **fields):
        self._check_state()
        if self._failed:
            raise RuntimeError("a document failed to index; cancel this BulkWriter")
        if any(name.startswith("_") for name in fields):
            raise ValueError("BulkWriter does not support _boost or _stored_ arguments")
        schema = self.schema
        self._check_fields(schema, fields)
        pdw = self.perdocwriter
        docnum = self.docnum
        lengths = dict.fromkeys(self._scorable, 0)
        pdw.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    if name in self._fast:
                        if not isinstance(value, str):
                            raise ValueError(f"{value!r} is not a string")
                        counts = Counter(self._tokenize(value))
                        terms = self._text_posts[name]
                        for term, freq in counts.items():
                            entry = terms.get(term)
                            if entry is None:
                                terms[term] = entry = (array("I"), array("I"))
                            entry[0].append(docnum)
                            entry[1].append(freq)
                            length += freq
                    else:
                        terms = self._other_posts.setdefault(name, {})
                        for tbytes, freq, weight, vbytes in field.index(value):
                            entry = terms.get(tbytes)
                            if entry is None:
                                terms[tbytes] = entry = (array("I"), [])
                            entry[0].append(docnum)
                            entry[1].append((weight, vbytes))
                            length += freq
                    if not field.scorable:
                        length = 0
                    else:
                        lengths[name] = length
                pdw.add_field(name, field, value if field.stored else None, length)
                column = field.column_type
                if column:
                    pdw.add_column_value(name, column, field.to_column_value(value))
        except Exception:
            # postings of this document may already be collected: the writer cannot go on
            self._failed = True
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        for name, length in lengths.items():
            self._lengths[name].append(length_to_byte(length) if length else 0)
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        """Write the postings field by field, terms in byte order, docs in order."""
        if self._failed:
            raise RuntimeError("a document failed to index; cancel this BulkWriter")
        self.perdocwriter.close()
        fw = self.fieldwriter
        schema = self.schema
        to_len = _BYTE_TO_LENGTH
        fields = sorted(set(self._text_posts) | set(self._other_posts))
        for name in fields:
            field = schema[name]
            lens = self._lengths.get(name)
            started = False
            if name in self._text_posts:
                terms = self._text_posts.pop(name)
                if terms:
                    fw.start_field(name, field)
                    started = True
                fb = field.format.field_boost
                add = fw.add
                for term in sorted(terms):  # code-point order == UTF-8 byte order
                    docs, freqs = terms[term]
                    fw.start_term(term.encode("utf-8"))
                    if lens is None:  # not scorable: no length column, the reader says 0
                        for doc, freq in zip(docs, freqs):
                            add(doc, freq * fb, pack_uint(freq), 0)
                    else:
                        for doc, freq in zip(docs, freqs):
                            add(doc, freq * fb, pack_uint(freq), to_len[lens[doc]])
                    fw.finish_term()
            else:
                terms = self._other_posts.pop(name)
                if terms:
                    fw.start_field(name, field)
                    started = True
                for tbytes in sorted(terms):
                    docs, wvs = terms[tbytes]
                    fw.start_term(tbytes)
                    for doc, (weight, vbytes) in zip(docs, wvs):
                        add_len = to_len[lens[doc]] if lens is not None else 0
                        fw.add(doc, weight, emptybytes if vbytes is None else vbytes, add_len)
                    fw.finish_term()
            if started:
                fw.finish_field()
        fw.close()
