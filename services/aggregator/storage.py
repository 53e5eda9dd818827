"""rocksdb options of the aggregator's tables in production (``STORYSTREAM_STORE=rocksdb://``).

faust's defaults (3 x 64 MB write buffers and a 2 GB block cache per table) let an
aggregator's memory grow for hours before it levels off; these bound it from the start.
"""
ROCKSDB_OPTIONS = {
    "write_buffer_size": 4 * 1024 * 1024,
    "max_write_buffer_number": 2,
    "block_cache_size": 8 * 1024 * 1024,
    "block_cache_compressed_size": 2 * 1024 * 1024,
}
