"""A local, CBS-compatible OData v3 endpoint for training rooms without internet and for tests.

``impactmonitor mirror --port P`` serves the active data (the oefendata snapshot or the
local cache); participants point ``cbsodata`` at ``127.0.0.1:P`` without https.
"""

from .server import MirrorServer, TableShelf, shelf_from_bundles, shelf_from_cache, shelf_from_snapshot

__all__ = ["MirrorServer", "TableShelf", "shelf_from_bundles", "shelf_from_cache", "shelf_from_snapshot"]
