"""Type stubs of emlkit (the records are JSON objects: see docs/json.md)."""

import os
from typing import Any, BinaryIO, Dict, Iterator, List, Optional, Sequence, Tuple, Union

SCHEMA_VERSION: int

Record = Dict[str, Any]

class Error(Exception):
    """An input or message that could not be read or parsed."""

    path: Optional[str]
    """The input (or the maildir file)."""
    index: Optional[int]
    """The message's index in its mailbox."""
    offset: Optional[int]
    """The message's byte offset in the input."""

def parse(
    data: bytes,
    *,
    bodies: bool = True,
    content: bool = False,
    path: str = "-",
    format: Optional[str] = None,
    max_depth: int = 100,
    max_parts: int = 10000,
    max_headers: int = 10000,
    max_header_bytes: int = 1048576,
    max_message_bytes: int = 2147483648,
) -> Record:
    """The `message` record of `emlkit json` for one message."""
    ...

def messages(
    path_or_file: Union[str, "os.PathLike[str]", bytes, BinaryIO],
    *,
    shard: Optional[Tuple[int, int]] = None,
    format: Optional[str] = None,
    recursive: bool = False,
    bodies: bool = True,
    content: bool = False,
    records: str = "message",
    errors: str = "raise",
    name: Optional[str] = None,
    trust: Sequence[str] = ...,
    skew_tolerance: int = 0,
    now: Optional[int] = None,
    max_depth: int = 100,
    max_parts: int = 10000,
    max_headers: int = 10000,
    max_header_bytes: int = 1048576,
    max_message_bytes: int = 2147483648,
    max_input: int = 1073741824,
) -> Iterator[Record]:
    """The records of every message of a path, bytes or binary file; `shard=(k, n)` as `--shard K/N`."""
    ...

def trace(
    data: bytes,
    *,
    path: str = "-",
    format: Optional[str] = None,
    trust: Sequence[str] = (),
    skew_tolerance: int = 0,
    now: Optional[int] = None,
    max_depth: int = 100,
    max_parts: int = 10000,
    max_headers: int = 10000,
    max_header_bytes: int = 1048576,
    max_message_bytes: int = 2147483648,
) -> Record:
    """The `trace --json` record of one message."""
    ...

def tree(
    data: bytes,
    *,
    path: str = "-",
    format: Optional[str] = None,
    max_depth: int = 100,
    max_parts: int = 10000,
    max_headers: int = 10000,
    max_header_bytes: int = 1048576,
    max_message_bytes: int = 2147483648,
) -> List[Record]:
    """The `tree --json` records (parts, then findings) of one message."""
    ...

def extract(
    data: bytes,
    out_dir: Union[str, "os.PathLike[str]"],
    *,
    all: bool = False,
    inline: bool = False,
    recurse: bool = False,
    parts: Sequence[str] = (),
    types: Sequence[str] = (),
    names: Sequence[str] = (),
    digests: Sequence[str] = ("sha256",),
    path: str = "-",
    format: Optional[str] = None,
    max_depth: int = 100,
    max_parts: int = 10000,
    max_headers: int = 10000,
    max_header_bytes: int = 1048576,
    max_message_bytes: int = 2147483648,
) -> List[Record]:
    """Writes the attachments into out_dir; the `extract --json` manifest records."""
    ...

def shard_range(k: int, n: int, size: int) -> Tuple[int, int]:
    """The byte range of shard k of n in an input of `size` bytes."""
    ...

def shards(size: int, n: int) -> List[Tuple[int, int]]:
    """The byte ranges of the n shards of an input of `size` bytes."""
    ...
