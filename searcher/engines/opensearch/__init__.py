"""The OpenSearch engine: an index on an OpenSearch cluster behind the Engine interface.

``engine.py`` (the alias, its physical indexes and the write lock), ``mapping.py`` (fields
and analyzers matching the Whoosh schema's), ``compile.py`` (our query tree to the query
DSL), ``searching.py`` (what the search pipeline asks of the cluster), ``word_ranking.py``
(word queries: all words first, pseudo-relevance feedback run here as for Whoosh,
explanations), ``analysis.py`` and ``porter.py`` (the index's analysis done here: query
words, candidates' term vectors, snippet marks), ``routing.py`` (which shard a routing value
leads to), ``explain.py`` (the cluster's explanations as score parts), ``client.py`` (the
connection, bulk writes with retries, and the one place opensearch-py's errors become
ClusterError), ``locking.py``, ``location.py``.
Only this package imports ``opensearchpy``.
"""
