"""Neologism (신조어) mining: ranked candidates, glossary, training documents and a probe set.

`hanji lexicon mine INPUT... --out DIR` reads JSONL (`text` field), Parquet (`text`
column, e.g. corpus shards) or plain text, finds words that are frequent and cohesive
there but unknown to Kiwi's dictionary (and rare in `--reference` text), strips particles
and endings (`갓생이`, `갓생을`, `갓생에서` → `갓생`) and writes into DIR:

- `candidates.jsonl`, best first: `{"word", "score", "freq", "contexts": [≤ 5 sentences],
  "docs", "features", "kiwi"}`; `score` lies in [0, 1], `contexts` are real sentences.
- `glossary.jsonl`, accepted words only (`--top K`, `--min-score X`):
  `{"word", "meaning", "score", "freq"}`; `meaning` is copied from the `--glossary` file
  (`{"word", "meaning"}` per line) and is `null` for words it does not define. The miner
  never writes a definition of its own.
- `train_docs.jsonl`: one document per accepted word for the `neologism` domain,
  `{"id", "text", "domain": "neologism", "source", "word"}`; `text` is the glossary line
  `word: meaning` (when given) followed by real context sentences, one per line.
- `probe.jsonl`: items from sentences held out of every other file:
  `{"id", "word", "context", "prefix", "suffix", "options": [4 words], "answer": i}`.
  `context` is the sentence with the word replaced by `___`; `prefix + options[j] + suffix`
  is the full sentence with option j filled in, so an evaluator scores each option by the
  log-likelihood of that string (or of the option and suffix given the prefix) and counts
  the item right when option `answer` scores best. Because neologisms are rare strings,
  comparing against the option's own unconditional likelihood is fairer than raw sums.
  Distractors share the answer's length and final consonant (받침), so the particle after
  the blank gives nothing away.
- `must_have.txt`: accepted words, one per line, for the tokenizer stage.
- `domain_terms.jsonl` (with a reference): words Kiwi's dictionary lacks that the
  reference uses too, so not new: `{"word", "freq", "docs", "reference_freq",
  "reference_docs", "kiwi"}`, most frequent first; `hanji tokenizer extend --must-have`
  takes it as it is.
- `kiwi_user_words.tsv`: `word<TAB>NNP<TAB>score`, for `load_user_words(kiwi, DIR)`.
- `report.json`: counts, accepted words, glossary coverage, words dropped as typos.

The probe is held out of `train_docs.jsonl` only: if the same corpus also feeds
continued pre-training whole, its sentences are seen there. Mine a split that training
does not read when the probe must measure generalisation.
"""

from hanji.lazy import lazy_exports

# Imported on first use: the CLI imports this package for every `hanji` command.
__all__ = lazy_exports(
    __name__,
    {
        "Candidate": "hanji.lexicon.mine",
        "MineConfig": "hanji.lexicon.config",
        "MineResult": "hanji.lexicon.mine",
        "OutputSummary": "hanji.lexicon.outputs",
        "add_user_words": "hanji.lexicon.kiwi",
        "load_glossary": "hanji.lexicon.outputs",
        "load_user_words": "hanji.lexicon.kiwi",
        "mine": "hanji.lexicon.mine",
        "mine_with_stats": "hanji.lexicon.mine",
        "write_outputs": "hanji.lexicon.outputs",
    },
)
