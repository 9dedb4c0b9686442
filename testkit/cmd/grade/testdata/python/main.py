"""A BitTorrent client in Python, stages 1 to 7 of the workbook's course.

Test data for the grader (testkit/cmd/grade): it is written the way a
Python programmer would write it, not the way the workbook's Go solution
is: json.dumps with its defaults (", " and ": ", \\u escapes), Python's own
error texts (FileNotFoundError's "No such file or directory"), and integers
of any size. The grader must pass it. STAGE is how far it has come; the
tests lower it to grade the program as it was at each earlier stage.
"""

import json
import os
import sys

STAGE = 7  # the last stage this program implements

USAGE = """usage: your_program.sh <command> [arguments]

commands:
  decode <bencoded>   print a bencoded value as JSON
  info <torrent>      describe a .torrent file"""

MAX_DEPTH = 256  # each level takes two Python frames; the default recursion limit is 1000


class DecodeError(Exception):
    pass


class Decoder:
    """Decodes bencode from bytes; remembers where the top-level keys' values lie."""

    def __init__(self, data):
        self.data = data
        self.spans = {}  # top-level key -> (start, end) of its value

    def decode_all(self):
        value, end = self.value(0, 0)
        if end != len(self.data):
            raise DecodeError(f"trailing data at byte {end}")
        return value

    def value(self, i, depth):
        if i >= len(self.data):
            raise DecodeError(f"unexpected end of input at byte {i}")
        c = self.data[i : i + 1]
        if c.isdigit():
            return self.string(i)
        if c == b"i" and STAGE >= 2:
            return self.integer(i)
        if c in (b"l", b"d") and depth >= MAX_DEPTH:
            raise DecodeError(f"nested deeper than {MAX_DEPTH} levels at byte {i}")
        if c == b"l" and STAGE >= 3:
            return self.list(i, depth)
        if c == b"d" and STAGE >= 4:
            return self.dict(i, depth)
        raise DecodeError(f"unexpected {c!r} at byte {i}")

    def string(self, i):
        colon = self.data.find(b":", i)
        if colon == -1:
            raise DecodeError(f"string at byte {i} has no ':'")
        digits = self.data[i:colon]
        if not digits.isdigit():
            raise DecodeError(f"bad string length {digits!r} at byte {i}")
        if len(digits) > 1 and digits.startswith(b"0"):
            raise DecodeError(f"string length with a leading zero at byte {i}")
        n = int(digits)
        start = colon + 1
        if start + n > len(self.data):
            raise DecodeError(f"string at byte {i} is longer than the input")
        return self.data[start : start + n], start + n

    def integer(self, i):
        end = self.data.find(b"e", i)
        if end == -1:
            raise DecodeError(f"unterminated integer at byte {i}")
        text = self.data[i + 1 : end]
        body = text[1:] if text.startswith(b"-") else text
        if not body.isdigit():
            raise DecodeError(f"invalid integer {text!r} at byte {i}")
        if text == b"-0":
            raise DecodeError(f"negative zero at byte {i}")
        if len(body) > 1 and body.startswith(b"0"):
            raise DecodeError(f"integer with a leading zero at byte {i}")
        return int(text), end + 1

    def list(self, i, depth):
        items = []
        i += 1
        while self.data[i : i + 1] != b"e":
            item, i = self.value(i, depth + 1)
            items.append(item)
        return items, i + 1

    def dict(self, i, depth):
        result = {}
        i += 1
        while self.data[i : i + 1] != b"e":
            if not self.data[i : i + 1].isdigit():
                raise DecodeError(f"dictionary key at byte {i} is not a string")
            key, i = self.string(i)
            if key in result:
                raise DecodeError(f"duplicate key {key!r}")
            start = i
            result[key], i = self.value(i, depth + 1)
            if depth == 0:
                self.spans[key] = (start, i)
        return result, i + 1


def to_json(value):
    """Turns decoded bencode into what json.dumps can print."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k.decode("utf-8", errors="replace"): to_json(v) for k, v in value.items()}
    return value


def text(value, key):
    if not isinstance(value, bytes):
        raise ValueError(f"{key} must be a string")
    return value.decode("utf-8", errors="replace")


def check_name(name, key):
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        raise ValueError(f"{key}: unsafe file name {name!r}")


def tracker_url(meta):
    if b"announce-list" in meta:
        tiers = meta[b"announce-list"]
        if not isinstance(tiers, list) or not all(isinstance(t, list) for t in tiers):
            raise ValueError("announce-list must be a list of lists")
    announce = meta.get(b"announce")
    if announce is not None:
        url = text(announce, "announce")
        if url:
            return url
    for tier in meta.get(b"announce-list", []):
        for url in tier:
            return text(url, "announce-list")
    raise ValueError("no tracker: announce is missing or empty")


def files_of(info, name):
    """Returns [(path, length)], or None for a single-file torrent."""
    if b"length" in info and b"files" in info:
        raise ValueError("info has both length and files")
    if b"files" not in info:
        length = info[b"length"]
        if not isinstance(length, int) or length < 0:
            raise ValueError(f"length must be a non-negative integer, got {length!r}")
        return None, length
    files = info[b"files"]
    if not isinstance(files, list) or not files:
        raise ValueError("files must be a non-empty list")
    result, seen = [], set()
    for n, f in enumerate(files):
        if not isinstance(f, dict):
            raise ValueError(f"files[{n}] must be a dictionary")
        length = f.get(b"length")
        if not isinstance(length, int) or length < 0:
            raise ValueError(f"files[{n}]: length must be a non-negative integer")
        path = f.get(b"path")
        if not isinstance(path, list) or not path:
            raise ValueError(f"files[{n}]: path must be a non-empty list")
        parts = [text(p, f"files[{n}].path") for p in path]
        for p in parts:
            check_name(p, f"files[{n}].path")
        joined = "/".join(parts)
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if prefix in seen or (i == len(parts) and any(s.startswith(joined + "/") for s in seen)):
                raise ValueError(f"files[{n}].path {joined!r} collides with another file")
        seen.add(joined)
        result.append((f"{name}/{joined}", length))
    return result, sum(length for _, length in result)


def info_command(path):
    with open(path, "rb") as f:
        data = f.read()
    decoder = Decoder(data)
    meta = decoder.decode_all()
    if not isinstance(meta, dict):
        raise ValueError("a torrent is a dictionary")
    url = tracker_url(meta)
    info = meta[b"info"]
    if not isinstance(info, dict):
        raise ValueError("info must be a dictionary")
    name = text(info[b"name"], "name")
    check_name(name, "name")
    piece_length = info[b"piece length"]
    if not isinstance(piece_length, int) or piece_length <= 0:
        raise ValueError(f"piece length must be a positive integer, got {piece_length!r}")
    pieces = info[b"pieces"]
    if not isinstance(pieces, bytes) or len(pieces) % 20 != 0:
        raise ValueError("pieces must be a string of 20-byte hashes")
    files, length = files_of(info, name)
    if len(pieces) // 20 != -(-length // piece_length):
        raise ValueError(f"pieces holds {len(pieces) // 20} hashes, the length needs {-(-length // piece_length)}")
    print(f"Tracker URL: {url}")
    print(f"Length: {length}")
    if STAGE >= 6:
        import hashlib  # here, not at the top: loading OpenSSL slows the start of every command

        start, end = decoder.spans[b"info"]
        print(f"Info Hash: {hashlib.sha1(data[start:end]).hexdigest()}")
    if STAGE >= 7:
        print(f"Piece Length: {piece_length}")
        print("Piece Hashes:")
        for i in range(0, len(pieces), 20):
            print(pieces[i : i + 20].hex())
    if files is not None:
        print("Files:")
        for file_path, file_length in files:
            print(f"  {file_path} ({file_length} bytes)")


def main(args):
    commands = {"decode": 1}
    if STAGE >= 5:
        commands["info"] = 1
    if not args or args[0] not in commands or len(args) - 1 != commands[args[0]]:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        if args[0] == "decode":
            value = Decoder(os.fsencode(args[1])).decode_all()
            print(json.dumps(to_json(value)))
        else:
            info_command(args[1])
    except KeyError as e:
        print(f"error: missing key {e}", file=sys.stderr)
        return 1
    except (DecodeError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
