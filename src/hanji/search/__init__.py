"""Korean document search for the gateway's files and vector stores.

parse (txt, md, html, json/jsonl, pdf, docx, hwpx, hwp) → chunk (Korean sentences, sized in
Kiwi morphemes) → terms (Kiwi content morphemes: particles and endings dropped) → a BM25
index (bm25s) built in memory from encrypted chunks (`hanji.search.service`): every byte
that carries text or terms is sealed under the tenant's data key (`hanji.vault`).
"""
