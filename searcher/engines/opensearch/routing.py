"""Which shard of an index a routing value leads to, worked out here as OpenSearch works it
out (``OperationRouting``: Murmur3 of the value's UTF-16 code units, modulo the index's
routing shards, over the routing factor), so that one request can ask each shard once
(word_ranking.py: its field statistics; shard 0 also the document frequencies of
feedback's words, as a lone term-vectors request of an artificial document is answered).

The routing shards are those OpenSearch gives an index it creates without
``index.number_of_routing_shards`` (as searcher creates them): the number of shards times
the largest power of two that keeps it at most 1024 (at least times two). Should a server
route otherwise, two routing values meet on one shard: its statistics are read once (a
shard is known by them) and the field averages are those of the shards read.
"""

from __future__ import annotations

from functools import lru_cache

_MASK = 0xFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _MASK


def murmur3_32(data: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86 32-bit of ``data`` (Lucene's ``StringHelper.murmurhash3_x86_32``), signed."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed
    whole = len(data) & ~3
    for i in range(0, whole, 4):
        k = _rotl((int.from_bytes(data[i:i + 4], "little") * c1) & _MASK, 15) * c2 & _MASK
        h = (_rotl(h ^ k, 13) * 5 + 0xE6546B64) & _MASK
    tail = data[whole:]
    if tail:
        k = int.from_bytes(tail, "little")
        h ^= _rotl((k * c1) & _MASK, 15) * c2 & _MASK
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


def shard_of(routing: str, shards: int) -> int:
    """The shard (0 .. shards - 1) that ``routing`` leads to in an index of ``shards`` shards."""
    routing_shards = shards << max(1, 10 - (shards - 1).bit_length())
    hashed = murmur3_32(b"".join(ord(ch).to_bytes(2, "little") for ch in routing))
    return (hashed % routing_shards) // (routing_shards // shards)


@lru_cache(maxsize=64)
def shard_routings(shards: int) -> tuple[str, ...]:
    """A routing value for each shard of an index of ``shards`` shards, in shard order."""
    found: dict[int, str] = {}
    value = 0
    while len(found) < shards:
        found.setdefault(shard_of(str(value), shards), str(value))
        value += 1
    return tuple(found[i] for i in range(shards))
