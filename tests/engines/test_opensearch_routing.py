"""engines/opensearch/routing.py: the shard a routing value leads to, worked out as OpenSearch
does (checked against a real cluster in test_opensearch_engine.py)."""

from searcher.engines.opensearch.routing import murmur3_32, shard_of, shard_routings


def test_murmur3_is_the_reference_x86_32_hash():
    assert murmur3_32(b"") == 0
    assert murmur3_32(b"hello") == 0x248BFA47
    assert murmur3_32(b"The quick brown fox jumps over the lazy dog") == 0x2E4FF723


def test_routing_values_lead_to_shards_as_a_two_shard_index_routes_them():
    # As a 2-shard index on OpenSearch 2.19 routed artificial documents (measured).
    assert [shard_of(str(i), 2) for i in range(8)] == [1, 0, 0, 0, 1, 0, 0, 0]
    for shards in (1, 2, 3, 5, 16):
        routings = shard_routings(shards)
        assert [shard_of(r, shards) for r in routings] == list(range(shards))
