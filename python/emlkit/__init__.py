"""emlkit: e-mail messages as files (eml, mbox, maildir) from Python.

The records are emlkit's JSON records (docs/json.md), built by the same Rust
code as the ``emlkit`` command line, so ``emlkit.parse(data)`` equals the
line ``emlkit json`` writes for the message, key for key.

>>> import emlkit
>>> for rec in emlkit.messages("archive.mbox"):
...     print(rec["source"]["index"], rec["subject"], len(rec["attachments"]))

The Rust work runs with the GIL released, so threads parse in parallel.
Errors are :class:`emlkit.Error` (with ``path``, ``index`` and ``offset``);
the limits of the command line (``--max-depth`` ...) are keyword arguments.
"""

import os

from . import _emlkit
from ._emlkit import Error, SCHEMA_VERSION, shard_range

__all__ = [
    "Error",
    "SCHEMA_VERSION",
    "parse",
    "messages",
    "trace",
    "tree",
    "extract",
    "shard_range",
    "shards",
]


def _bytes(data):
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"data must be bytes, not {type(data).__name__}")


def parse(data, *, bodies=True, content=False, path="-", format=None, **limits):
    """The ``message`` record of one message, as ``emlkit json`` writes it.

    ``data`` is the message's bytes (an mbox holding one message is that
    message). ``bodies=False`` leaves out the decoded text and HTML bodies
    (``--no-body``); ``content=True`` adds each part's decoded bytes as
    base64 (``--with-content``). ``path`` is what ``source.path`` says
    (``"-"``, as for standard input). ``limits``: ``max_depth``,
    ``max_parts``, ``max_headers``, ``max_header_bytes``,
    ``max_message_bytes`` (the CLI's defaults). Raises :class:`Error`.
    """
    return _emlkit.parse(_bytes(data), bodies=bodies, content=content, path=path,
                         format=format, **limits)


def messages(path_or_file, *, shard=None, format=None, recursive=False, bodies=True,
             content=False, records="message", errors="raise", name=None, **options):
    """Iterates the ``message`` records of every message of a path or a file.

    ``path_or_file``: a path (str or os.PathLike) to a message file, an mbox
    (plain or .gz/.bz2/.xz/.zst), a maildir or a directory of messages; or
    bytes; or a binary file object (read whole). ``shard=(k, n)`` reads only
    the k-th of n parts, exactly as ``--shard K/N``: an mbox is cut by bytes
    (a message belongs to the part its ``From_`` line starts in), a maildir
    or directory by file. ``format`` is ``"eml"``, ``"mbox"`` or
    ``"maildir"`` (default: detected). ``records="trace"`` yields the
    ``trace --json`` records instead (headers only; keywords ``trust``,
    ``skew_tolerance``, ``now``). ``errors="skip"`` passes over messages that
    cannot be read, as the command line does after reporting them; the
    default raises :class:`Error`. Other keywords: the limits (see
    :func:`parse`) and ``max_input``.
    """
    if isinstance(path_or_file, (str, os.PathLike)):
        return _emlkit._messages(os.fspath(path_or_file), is_path=True, shard=shard,
                                 format=format, recursive=recursive, bodies=bodies,
                                 content=content, records=records, errors=errors, **options)
    if isinstance(path_or_file, (bytes, bytearray, memoryview)):
        data = bytes(path_or_file)
    elif hasattr(path_or_file, "read"):
        data = path_or_file.read()
        if isinstance(data, str):
            raise TypeError("messages() needs a binary file (open it with 'rb')")
        if name is None:
            name = getattr(path_or_file, "name", None)
    else:
        raise TypeError(
            f"messages() takes a path, bytes or a binary file, not {type(path_or_file).__name__}")
    if not isinstance(name, str):
        name = "-"
    return _emlkit._messages(data, name=name, is_path=False, shard=shard, format=format,
                             recursive=recursive, bodies=bodies, content=content,
                             records=records, errors=errors, **options)


def trace(data, *, path="-", format=None, trust=(), skew_tolerance=0, now=None, **limits):
    """The ``trace`` record of one message, as ``emlkit trace --json`` writes it:
    Received hops in delivery order, timing, TLS, authentication, findings.

    ``trust``: trusted receiving hosts or IPs (``--trust``); ``now``: Unix
    time used for ``future_date`` (default: the clock). Raises :class:`Error`.
    """
    return _emlkit.trace(_bytes(data), path=path, format=format, trust=list(trust),
                         skew_tolerance=skew_tolerance, now=now, **limits)


def tree(data, *, path="-", format=None, **limits):
    """The records of ``emlkit tree --json`` for one message: one ``part``
    record per part (pre-order, with the SHA-256 of decoded leaves), then one
    ``finding`` record per finding. Raises :class:`Error`."""
    return _emlkit.tree(_bytes(data), path=path, format=format, **limits)


def extract(data, out_dir, *, all=False, inline=False, recurse=False, parts=(), types=(),
            names=(), digests=("sha256",), path="-", format=None, **limits):
    """Writes the attachments of one message into ``out_dir`` (created if
    missing) and returns the manifest, as ``emlkit extract --json`` writes
    it: the message's ``finding`` records, then one ``file`` record per file.

    The CLI's rules: names made safe (last path component only, no control or
    bidi characters, no device names), files created new and never through a
    symbolic link, a taken name numbered (``report (2).pdf``), nothing
    overwritten; an attached message's parts go into a sub-folder with
    ``recurse``. ``all``/``inline``/``parts``/``types``/``names`` select as
    ``--all``/``--inline``/``--part``/``--type``/``--name``; ``digests`` is
    any of ``"sha256"``, ``"sha1"``, ``"md5"``. Raises :class:`Error`.
    """
    if isinstance(parts, str) or isinstance(types, str) or isinstance(names, str):
        raise TypeError("parts, types and names are lists of strings")
    return _emlkit.extract(_bytes(data), os.fspath(out_dir), all=all, inline=inline,
                           recurse=recurse, parts=list(parts), types=list(types),
                           names=list(names), digests=list(digests), path=path,
                           format=format, **limits)


def shards(size, n):
    """The ``n`` byte ranges ``[(start, end), ...]`` that ``shard=(k, n)``
    covers, k = 1..n, in an input of ``size`` bytes (``--shard`` rule)."""
    return [shard_range(k, n, size) for k in range(1, n + 1)]
