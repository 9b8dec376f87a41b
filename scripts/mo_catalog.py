"""Reads the gettext .mo catalogs Debian ships, for the lookup benchmarks and
evaluations (eval_fuzzy.py, bench_lookup.py and the scripts that import it).

read_mo(path) returns (msgid, msgstr) pairs as stored: the context (before
\\x04) dropped, the first plural form kept, nothing stripped or filtered, the
header (empty msgid) and undecodable entries skipped. Each caller filters for
its own purpose.
"""
import struct


def read_mo(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 20:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic == 0x950412DE else ">"
    _, n, oo, to = struct.unpack(end + "4I", data[4:20])
    out = []
    for i in range(n):
        ol, oof = struct.unpack(end + "2I", data[oo + 8 * i: oo + 8 * i + 8])
        tl, tof = struct.unpack(end + "2I", data[to + 8 * i: to + 8 * i + 8])
        try:
            msgid = data[oof: oof + ol].decode("utf-8")
            msgstr = data[tof: tof + tl].decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not msgid:
            continue
        out.append((msgid.split("\x04")[-1].split("\x00")[0], msgstr.split("\x00")[0]))
    return out
