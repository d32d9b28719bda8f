"""test_json.py - the JSON writer (include/biasweep/json.h) against Python's
json module: json_emit (argv[1]) writes documents with bw_json, and this
script parses them with json.loads (strict: control characters in strings,
NaN and Infinity are refused) and compares with what Python itself says the
inputs are:
  - strings and keys: quotes, backslashes, every control character, DEL,
    UTF-8 of 2, 3 and 4 bytes passed through, and invalid UTF-8 (stray
    continuation bytes, overlong forms, surrogates, code points above
    U+10FFFF, truncated sequences) equal to bytes.decode('utf-8', 'replace');
  - numbers: NaN and +-Inf as null; with 17 digits every double read back
    exactly, with 6 digits what Python's '%.6g' gives; integers and
    unsigned 64-bit integers exactly; true, false, null, raw values;
  - the BW_JSON_ROWS layout (query's: each row on a line of its own);
  - misuse (a key in an array, none in an object, an end too many, a
    second top-level value, an unclosed object) refused, and nothing printed.
The output must be valid UTF-8 and contain no raw control byte or DEL."""
import json
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("SOURCE_ROOT", "."), "tests", "cli"))
from clitest import check, finish  # noqa: E402

EMIT = sys.argv[1]


def hx(b):
    return b.hex() if b else ""


def k(key):
    return "-" if key is None else hx(key)


def emit(lines, digits=17, rows=False):
    args = [EMIT, str(digits)] + (["rows"] if rows else [])
    p = subprocess.run(args, input=("\n".join(lines) + "\n").encode(), stdout=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout


def reject_constant(name):
    raise ValueError("non-standard constant " + name)


def parse(out, what):
    try:
        text = out.decode("utf-8")  # strict: invalid UTF-8 is an error
    except UnicodeDecodeError as e:
        check(False, "%s: output is not UTF-8 (%s)" % (what, e))
        return None
    check(not any(ord(c) < 0x20 and c != "\n" or ord(c) == 0x7F for c in text),
          "%s: a raw control character or DEL in the output" % what)
    try:
        return json.loads(text, parse_constant=reject_constant, object_pairs_hook=list)
    except ValueError as e:
        check(False, "%s: json.loads refused %r: %s" % (what, text[:200], e))
        return None


STRINGS = [
    b"", b"plain", b'say "hi"', b"back\\slash", b"\\\"", b"a/b",
    bytes(range(1, 32)), b"\x7f", b"tab\tnl\ncr\r",
    "é".encode(), "中文".encode(), "😀".encode(), "Ā߿ࠀ퟿𐀀􏿿".encode(),
    b"\x80", b"\xbf\x80", b"\xc0\xaf", b"\xc1\xbf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xed\xbf\xbf",
    b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5\x80", b"\xff\xfe", b"\xe2\x82", b"\xe2\x82A",
    b"\xf0\x9f\x98", b"\xf0\x9f\x98A\xf0\x9f\x98\x80", b"x\xc3", b"\xc3(", b"ok\xe2\x82\xacok",
    "é".encode() * 10000 + b"\x01" * 3000,  # past the buffer's first 8 KiB, several doublings
]

# strings as values (in an array) and as keys (in an object)
lines = ["{ -", "[ " + hx(b"values")]
lines += ["s - " + hx(s) for s in STRINGS]
lines += ["]", "[ " + hx(b"keys")]
for i, s in enumerate(STRINGS):
    lines += ["{ -", "i " + hx(s) + " %d" % i, "]"]
lines += ["]", "]"]
rc, out = emit(lines)
check(rc == 0, "strings: json_emit exited %d: %r" % (rc, out[:200]))
doc = parse(out, "strings")
if doc is not None:
    d = dict(doc)
    vals, keys = d.get("values", []), d.get("keys", [])
    check(len(vals) == len(STRINGS) and len(keys) == len(STRINGS), "strings: %d values, %d keys" % (len(vals), len(keys)))
    for i, s in enumerate(STRINGS):
        want = s.decode("utf-8", "replace")
        if i < len(vals):
            check(vals[i] == want, "value %r: read back %r, want %r" % (s, vals[i], want))
        if i < len(keys):
            check(keys[i] == [(want, i)], "key %r: read back %r, want %r" % (s, keys[i], [(want, i)]))

# numbers
NUMS = [0.0, -0.0, 1.0, -2.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 5e-324, 2.2250738585072014e-308,
        1.7976931348623157e308, 123456789.0, 1234567.0, 0.000123456789, -9.87654321e21, 1e16, 2.0 ** 53 + 2,
        math.pi, float("nan"), float("inf"), float("-inf")]
for digits in (17, 6):
    rc, out = emit(["[ -"] + ["n - " + x.hex() if math.isfinite(x) else "n - %r" % x for x in NUMS] + ["]"],
                   digits=digits)
    check(rc == 0, "numbers (%d digits): json_emit exited %d" % (digits, rc))
    got = parse(out, "numbers (%d digits)" % digits)
    if got is None:
        continue
    check(len(got) == len(NUMS), "numbers: %d read back of %d" % (len(got), len(NUMS)))
    for x, g in zip(NUMS, got):
        if not math.isfinite(x):
            check(g is None, "%r: read back %r, want null" % (x, g))
            continue
        want = x if digits == 17 else float("%.6g" % x)
        # Python reads "-0" as the int 0: the sign of zero is checked on the text below
        check(isinstance(g, (int, float)) and float(g) == want
              and (isinstance(g, int) or math.copysign(1, g) == math.copysign(1, want)),
              "%r with %d digits: read back %r, want %r" % (x, digits, g, want))
    check(out.startswith(b"[0,-0,1,"), "numbers (%d digits): zero and minus zero written %r" % (digits, out[:12]))

INTS = [0, 1, -1, 2 ** 31, -(2 ** 63), 2 ** 63 - 1]
UINTS = [0, 2 ** 63, 2 ** 64 - 1]
lines = ["{ -"] + ["i %s %d" % (hx(b"i%d" % n), x) for n, x in enumerate(INTS)]
lines += ["u %s %d" % (hx(b"u%d" % n), x) for n, x in enumerate(UINTS)]
lines += ["b " + hx(b"t") + " 1", "b " + hx(b"f") + " 0", "z " + hx(b"z"), "r " + hx(b"raw") + " " + hx(b"[1,2.5e3]"),
          "s " + hx(b"e") + " ", "{ " + hx(b"o"), "]", "[ " + hx(b"a"), "[ -", "]", "{ -", "]", "]", "]"]
rc, out = emit(lines)
want = [("i%d" % n, x) for n, x in enumerate(INTS)] + [("u%d" % n, x) for n, x in enumerate(UINTS)]
want += [("t", True), ("f", False), ("z", None), ("raw", [1, 2500.0]), ("e", ""), ("o", []), ("a", [[], []])]
got = parse(out, "scalars") if rc == 0 else None
check(got == want, "scalars: read back %r, want %r" % (got, want))

# the rows layout: "[\n{row},\n{row}\n]\n", and "[]\n" without rows
rc, out = emit(["[ -", "{ -", "i " + hx(b"a") + " 1", "]", "{ -", "s " + hx(b"b") + " " + hx(b"x"), "]", "]"],
               rows=True)
check(out == b'[\n{"a":1},\n{"b":"x"}\n]\n', "rows layout: %r" % out)
rc, out = emit(["[ -", "]"], rows=True)
check(out == b"[]\n", "rows layout, no rows: %r" % out)
rc, out = emit(["{ -", "]"])
check(rc == 0 and out == b"{}\n", "empty object: %r" % out)

# misuse: refused, nothing but the error line
for what, ls in [("a key in an array", ["[ -", "i " + hx(b"k") + " 1", "]"]),
                 ("no key in an object", ["{ -", "i - 1", "]"]),
                 ("an end too many", ["[ -", "]", "]"]),
                 ("a second top-level value", ["i - 1", "i - 2"]),
                 ("an unclosed object", ["{ -"]),
                 ("nothing at all", []),
                 ("nesting deeper than BW_JSON_MAXDEPTH", ["[ -"] * 40 + ["]"] * 40)]:
    rc, out = emit(ls)
    check(rc == 1 and out.startswith(b"ERROR 8 json: "), "%s: exit %d, output %r" % (what, rc, out[:120]))
rc, out = emit(["[ -"] * 32 + ["]"] * 32)
check(rc == 0 and out == b"[" * 32 + b"]" * 32 + b"\n", "32 levels of nesting: exit %d %r" % (rc, out[:80]))

finish("test_json")
