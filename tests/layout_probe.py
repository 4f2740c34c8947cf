"""Layout conformance probe: include/tapi_types.h against the Windows SDK's tapi.h.

Our declarations are hand-written; this module proves them byte-exact to the
SDK layout, and proves that cffi lays them out as the host C compiler does.

How it works
------------
1. *Ours* is parsed with pycparser (what cffi parses with): every struct
   typedef with every field, nested struct/union members included as dotted
   paths (``LINEAGENTGROUPENTRY.GroupID.dwGroupID3``); every non-struct typedef;
   every integer ``#define``.
2. *The oracle's field lists* come from mingw-w64's ``<windows.h>`` +
   ``<tapi.h>`` run through the target's preprocessor (``-E -P``): each struct
   body is cut out by brace matching and its member names read by a small
   declaration parser (names only, no type is needed). So a field we lack, an
   extra field, a renamed field or a reordered field is reported by name,
   without the probe ever failing to compile.
3. A C probe is generated that stores, as one ``unsigned long long`` array in a
   section ``.probe``, ``sizeof``/``_Alignof`` of every struct, ``offsetof`` /
   ``sizeof`` / ``__builtin_classify_type`` of every (nested) field, ``sizeof``
   of every scalar typedef, and ``#ifdef``-guarded values of every constant.
   It is compiled to an *object* (Windows executables cannot run here) once
   against the oracle and once against ``include/pytapi2_tapi.h``, and the
   array is read from the PE-COFF object's ``.probe`` section (magic number and
   entry count checked), so no assembly text is parsed.
4. For the host, the same probe (ours only) gets a ``main()`` that prints the
   array; it is compared with ``ffi.sizeof``/``ffi.offsetof``/``lib.NAME``.

Comparison policy (see :func:`compare_target`)
----------------------------------------------
* Field *lists* (dotted paths, in declaration order) must be identical: this is
  stronger than comparing counts, and a missing or extra member fails by name
  even when the struct size happens to match (e.g. trailing padding).
* Struct sizes, every field offset and size must be equal; a field that is
  floating point (DATE) must be floating point on both sides, and a member
  with sub-members must be a struct on both sides or a union on both sides.
* Struct alignment must be equal, except GUID: ours is declared inside
  ``#pragma pack(1)`` (alignment 1) while the SDK's guiddef.h has natural
  alignment 4. Size and every offset are equal and every GUID inside a TAPI
  struct is packed in the SDK too, so no byte moves; the difference is reported
  as a note (:data:`ALIGNMENT_EXEMPT`).
* Constants present in the oracle (``#ifdef``) must have equal values compared
  as 32-bit unsigned (tapi.h spells some as ``__MSABI_LONG(...)``); ours that
  are absent there (TAPI_VERSION*) are listed as "not in oracle" only.

Run as a script for a report: ``python tests/layout_probe.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycparser import c_ast, c_parser  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "include"
TYPES_H = INCLUDE / "tapi_types.h"

#: The mingw-w64 cross compilers standing in for MSVC + the Windows SDK.
TARGETS = ("x86_64-w64-mingw32", "i686-w64-mingw32")
#: COFF machine numbers expected in the probe objects.
COFF_MACHINE = {"x86_64-w64-mingw32": 0x8664, "i686-w64-mingw32": 0x014C}
POINTER_SIZE = {"x86_64-w64-mingw32": 8, "i686-w64-mingw32": 4}
HOST_CC = os.environ.get("PYTAPI2_HOST_CC", "gcc")

#: Struct typedefs whose alignment may differ from the SDK (see module doc).
ALIGNMENT_EXEMPT = frozenset({"GUID"})

MAGIC = 0x50543250524F4245  # "PT2PROBE"
SECTION = b".probe"

# gcc's enum type_class (typeclass.h): what __builtin_classify_type returns.
_REAL_TYPE_CLASS = 8
_RECORD_TYPE_CLASS = 12
_UNION_TYPE_CLASS = 13

# pycparser does no preprocessing: these stand in for <stdint.h>/<uchar.h>.
_PRELUDE = """
typedef unsigned char uint8_t; typedef signed char int8_t;
typedef unsigned short uint16_t; typedef short int16_t;
typedef unsigned int uint32_t; typedef int int32_t;
typedef unsigned long long uint64_t; typedef long long int64_t;
typedef unsigned long uintptr_t; typedef long intptr_t;
typedef unsigned short char16_t;
"""
_PRELUDE_LINES = _PRELUDE.count("\n")


class ProbeError(RuntimeError):
    """A probe could not be compiled, run or read."""


# ---------------------------------------------------------------------------
# Our declarations
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StructDecl:
    name: str
    #: Dotted member paths in declaration order, containers before members.
    fields: tuple[str, ...]

    def containers(self) -> frozenset[str]:
        return frozenset(p.rsplit(".", 1)[0] for p in self.fields if "." in p)


@dataclass(frozen=True)
class Declarations:
    structs: dict[str, StructDecl]
    #: Non-struct typedef names (scalars, handles, pointers), in file order.
    typedefs: tuple[str, ...]
    #: Integer #define constants, in file order.
    constants: dict[str, int]


def strip_comments(text: str) -> str:
    """Remove C comments, keeping line breaks (the header has no string literals)."""

    def blank(match: re.Match[str]) -> str:
        return "\n" * match.group(0).count("\n") or " "

    return re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.DOTALL)


_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.*?)[ \t]*$", re.MULTILINE)


def parse_int_literal(text: str) -> int:
    value = text.strip()
    while value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    negative = value.startswith("-")
    digits = re.sub(r"[uUlL]+$", "", value.lstrip("-+").strip())
    number = int(digits, 16) if digits.lower().startswith("0x") else int(digits, 10)
    return -number if negative else number


def _members(decls: Iterable[c_ast.Decl], prefix: str) -> list[str]:
    paths: list[str] = []
    for decl in decls:
        node = decl.type
        inner = node.type if isinstance(node, c_ast.TypeDecl) else node
        nested = isinstance(inner, (c_ast.Struct, c_ast.Union)) and inner.decls is not None
        if decl.name is None:  # C11 anonymous member: its fields belong to the parent
            if nested:
                paths += _members(inner.decls, prefix)
            continue
        path = prefix + decl.name
        paths.append(path)
        if nested:
            paths += _members(inner.decls, path + ".")
    return paths


def parse_declarations(path: Path = TYPES_H) -> Declarations:
    """Structs, typedefs and integer constants of our declaration file."""
    text = strip_comments(path.read_text(encoding="utf-8"))
    constants: dict[str, int] = {}
    for match in _DEFINE.finditer(text):
        try:
            constants[match[1]] = parse_int_literal(match[2])
        except ValueError as exc:
            raise ProbeError(f"{path.name}: #define {match[1]} is not an integer") from exc
    body = re.sub(r"^[ \t]*#.*$", "", text, flags=re.MULTILINE)
    body = re.sub(r"\bWINAPI\b", "", body)
    try:
        ast = c_parser.CParser().parse(_PRELUDE + body, filename=path.name)
    except Exception as exc:  # pycparser's ParseError: report with our line numbers
        raise ProbeError(
            f"pycparser cannot parse {path} (line numbers include a "
            f"{_PRELUDE_LINES}-line prelude): {exc}"
        ) from exc
    structs: dict[str, StructDecl] = {}
    typedefs: list[str] = []
    for node in ast.ext[ast.ext.index(_first_own(ast)) :]:
        if not isinstance(node, c_ast.Typedef):
            continue
        target = node.type.type if isinstance(node.type, c_ast.TypeDecl) else None
        if isinstance(target, (c_ast.Struct, c_ast.Union)):
            if target.decls is not None:  # opaque (LINECALLPARAMS) is skipped
                structs[node.name] = StructDecl(node.name, tuple(_members(target.decls, "")))
        else:
            typedefs.append(node.name)
    return Declarations(structs, tuple(typedefs), constants)


def _first_own(ast: c_ast.FileAST) -> c_ast.Node:
    """The first declaration after the prelude's typedefs."""
    for node in ast.ext:
        if node.coord is not None and node.coord.line > _PRELUDE_LINES:
            return node
    raise ProbeError("no declarations found")


# ---------------------------------------------------------------------------
# The oracle's field lists (names only, from the preprocessed SDK headers)
# ---------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z_]\w*|0[xX][0-9a-fA-F]+\w*|\d\w*|\S")


def _split_members(tokens: list[str]) -> list[list[str]]:
    """Split a struct body's tokens into member declarations (at ';', depth 0)."""
    members: list[list[str]] = []
    current: list[str] = []
    depth = 0
    for tok in tokens:
        if tok in "{([":
            depth += 1
        elif tok in "})]":
            depth -= 1
        if tok == ";" and depth == 0:
            members.append(current)
            current = []
        else:
            current.append(tok)
    if any(current):
        raise ProbeError(f"unterminated member declaration: {' '.join(current)}")
    return members


def _declarator_name(tokens: list[str]) -> str | None:
    """The declared name in ``TYPE [*]name[N]`` or ``TYPE (*name)(args)``."""
    if "(" in tokens and "__attribute__" not in tokens:
        # Function pointer: the name ends the first group, "(__stdcall *name)".
        group = tokens[tokens.index("(") :]
        group = group[: group.index(")")] if ")" in group else group
        names = [t for t in group if re.match(r"[A-Za-z_]\w*$", t)]
        return names[-1] if names else None
    cut = len(tokens)
    for stop in ("[", ":", "__attribute__"):
        if stop in tokens:
            cut = min(cut, tokens.index(stop))
    names = [t for t in tokens[:cut] if re.match(r"[A-Za-z_]\w*$", t)]
    return names[-1] if len(names) >= 2 or (names and tokens[0] == "*") else None


def _parse_body(tokens: list[str], prefix: str) -> list[str]:
    paths: list[str] = []
    for member in _split_members(tokens):
        # mingw spells an anonymous union __C89_NAMELESS, i.e. __extension__
        # (LINEPROXYREQUEST's request bodies): a qualifier, not a name.
        while member and member[0] == "__extension__":
            member = member[1:]
        if not member:
            continue
        if member[0] in ("struct", "union") and "{" in member[:3]:
            open_at = member.index("{")
            depth = 0
            close_at = -1
            for i in range(open_at, len(member)):
                depth += {"{": 1, "}": -1}.get(member[i], 0)
                if depth == 0:
                    close_at = i
                    break
            inner = member[open_at + 1 : close_at]
            names = [t for t in member[close_at + 1 :] if re.match(r"[A-Za-z_]\w*$", t)]
            if not names:  # anonymous member
                paths += _parse_body(inner, prefix)
                continue
            for name in names:
                paths.append(prefix + name)
                paths += _parse_body(inner, prefix + name + ".")
            continue
        # "TYPE a, *b[2];": the first declarator carries the type words.
        parts: list[list[str]] = [[]]
        depth = 0
        for tok in member:
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(tok, 0)
            if tok == "," and depth == 0:
                parts.append([])
            else:
                parts[-1].append(tok)
        first = _declarator_name(parts[0])
        if first is None:
            raise ProbeError(f"cannot read member declaration: {' '.join(member)}")
        paths.append(prefix + first)
        for part in parts[1:]:
            names = [t for t in part if re.match(r"[A-Za-z_]\w*$", t)]
            paths.append(prefix + names[0])
    return paths


def oracle_struct_fields(preprocessed: str, name: str) -> tuple[str, ...] | None:
    """Member paths of ``typedef struct {...} name`` in preprocessed text, or None."""
    for match in re.finditer(r"\}\s*" + re.escape(name) + r"\s*[,;]", preprocessed):
        close = match.start()
        depth = 0
        open_at = -1
        for i in range(close, -1, -1):
            ch = preprocessed[i]
            if ch == "}":
                depth += 1
            elif ch == "{":
                depth -= 1
                if depth == 0:
                    open_at = i
                    break
        if open_at < 0:
            continue
        head = preprocessed[max(0, open_at - 200) : open_at]
        if not re.search(r"\btypedef\s+(struct|union)\b(\s+\w+)?\s*$", head):
            continue
        body = re.sub(r"^\s*#.*$", "", preprocessed[open_at + 1 : close], flags=re.MULTILINE)
        return tuple(_parse_body(_TOKEN.findall(body), ""))
    return None


# ---------------------------------------------------------------------------
# Probe generation, compilation and reading
# ---------------------------------------------------------------------------

Key = tuple[str, ...]


@dataclass
class Probe:
    """An ordered list of (key, C expression); values come back in this order."""

    entries: list[tuple[Key, str]] = field(default_factory=list)
    #: Preprocessor-guarded entries: (key, macro name, expression).
    guarded: list[tuple[Key, str, str]] = field(default_factory=list)

    def add(self, key: Key, expr: str) -> None:
        self.entries.append((key, expr))

    def keys(self) -> list[Key]:
        keys = [k for k, _ in self.entries]
        for key, _, _ in self.guarded:
            keys += [("defined", *key[1:]), key]
        return keys

    def source(self, prelude: str, *, host_main: bool) -> str:
        lines = [
            "/* Generated by tests/layout_probe.py: do not edit. */",
            prelude,
            "#include <stddef.h>",
            "#define PT_FSIZE(S, f) sizeof(((S *)0)->f)",
            "#define PT_CLASS(S, f) __builtin_classify_type(((S *)0)->f)",
            "__attribute__((used, section(\".probe\")))",
            "const unsigned long long PROBE[] = {",
            f"    {MAGIC:#x}ULL, {len(self.keys())}ULL,",
        ]
        lines += [f"    (unsigned long long)({expr}), /* {'/'.join(key)} */"
                  for key, expr in self.entries]
        for _key, macro, expr in self.guarded:
            lines += [
                f"#ifdef {macro}",
                f"    1ULL, (unsigned long long)({expr}),",
                "#else",
                "    0ULL, 0ULL,",
                "#endif",
            ]
        lines.append("};")
        if host_main:
            lines += [
                "#include <stdio.h>",
                "int main(void) {",
                "    size_t i;",
                "    for (i = 0; i < sizeof PROBE / sizeof PROBE[0]; i++)",
                '        printf("%llu\\n", PROBE[i]);',
                "    return 0;",
                "}",
            ]
        return "\n".join(lines) + "\n"


def build_probe(
    decls: Declarations,
    struct_fields: dict[str, tuple[str, ...]],
    typedefs: Sequence[str],
) -> Probe:
    """A probe of the given structs (with these field paths), typedefs and constants."""
    probe = Probe()
    for name, paths in struct_fields.items():
        probe.add(("size", name), f"sizeof({name})")
        probe.add(("align", name), f"_Alignof({name})")
        for path in paths:
            probe.add(("offset", name, path), f"offsetof({name}, {path})")
            probe.add(("fsize", name, path), f"PT_FSIZE({name}, {path})")
            probe.add(("class", name, path), f"PT_CLASS({name}, {path})")
    for name in typedefs:
        probe.add(("tsize", name), f"sizeof({name})")
    for name in decls.constants:
        probe.guarded.append((("const", name), name, f"(unsigned int)({name})"))
    return probe


def read_coff_section(data: bytes, section: bytes, machine: int | None = None) -> bytes:
    """Raw bytes of a named section of a PE-COFF object file."""
    found_machine, count = struct.unpack_from("<HH", data, 0)
    if machine is not None and found_machine != machine:
        raise ProbeError(f"COFF machine {found_machine:#x}, expected {machine:#x}")
    (optional_size,) = struct.unpack_from("<H", data, 16)
    table = 20 + optional_size
    for i in range(count):
        at = table + 40 * i
        name = data[at : at + 8].rstrip(b"\0")
        size, pointer = struct.unpack_from("<II", data, at + 16)
        if name == section:
            return data[pointer : pointer + size]
    raise ProbeError(f"no section {section!r} in the probe object")


def decode(values: Sequence[int], keys: Sequence[Key]) -> dict[Key, int]:
    if len(values) < 2 or values[0] != MAGIC:
        raise ProbeError("probe data does not start with the magic number")
    if values[1] != len(keys) or len(values) < 2 + len(keys):
        raise ProbeError(
            f"probe holds {values[1]} entries of {len(values) - 2}, expected {len(keys)}"
        )
    return dict(zip(keys, values[2 : 2 + len(keys)], strict=True))


def _run(cmd: Sequence[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ProbeError(f"{what} failed ({' '.join(cmd)}):\n{proc.stderr.strip()}")
    return proc.stdout


def compile_object(cc: str, source: str, workdir: Path, stem: str, flags: Sequence[str]) -> bytes:
    c_file = workdir / f"{stem}.c"
    o_file = workdir / f"{stem}.o"
    c_file.write_text(source, encoding="utf-8")
    _run([cc, *flags, "-c", str(c_file), "-o", str(o_file)], f"compiling {stem}")
    return o_file.read_bytes()


ORACLE_PRELUDE = "#include <windows.h>\n#include <tapi.h>"
OURS_PRELUDE = '#include "pytapi2_tapi.h"'
ORACLE_FLAGS = ("-std=gnu11", "-w")
OURS_FLAGS = ("-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(INCLUDE))


def preprocess(cc: str, source: str, workdir: Path, stem: str) -> str:
    c_file = workdir / f"{stem}.c"
    c_file.write_text(source + "\n", encoding="utf-8")
    return _run([cc, "-E", "-P", *ORACLE_FLAGS, str(c_file)], f"preprocessing {stem}")


def compiler_for(target: str) -> str:
    return f"{target}-gcc"


def have_compiler(cc: str) -> bool:
    return shutil.which(cc) is not None


# ---------------------------------------------------------------------------
# Results and comparison
# ---------------------------------------------------------------------------


@dataclass
class Layout:
    """Measured layout of one header on one compiler."""

    structs: dict[str, tuple[str, ...]]  # field paths actually present
    values: dict[Key, int]

    def size(self, struct_name: str) -> int:
        return self.values[("size", struct_name)]

    def offset(self, struct_name: str, path: str) -> int:
        return self.values[("offset", struct_name, path)]

    def fsize(self, struct_name: str, path: str) -> int:
        return self.values[("fsize", struct_name, path)]

    def constant(self, name: str) -> int | None:
        if not self.values.get(("defined", name)):
            return None
        return self.values[("const", name)]


@dataclass
class TargetLayouts:
    target: str
    ours: Layout
    oracle: Layout
    #: Our structs absent from the oracle headers, our typedefs likewise.
    missing_structs: list[str]
    missing_typedefs: list[str]


def measure_target(target: str, decls: Declarations, workdir: Path) -> TargetLayouts:
    """Compile the oracle probe and our probe with ``<target>-gcc``; read both."""
    cc = compiler_for(target)
    machine = COFF_MACHINE.get(target)
    text = preprocess(cc, ORACLE_PRELUDE, workdir, f"{target}-oracle-pp")
    oracle_fields: dict[str, tuple[str, ...]] = {}
    missing_structs: list[str] = []
    for name in decls.structs:
        found = oracle_struct_fields(text, name)
        if found is None:
            missing_structs.append(name)
        else:
            oracle_fields[name] = found
    missing_typedefs = [t for t in decls.typedefs if not re.search(rf"\b{t}\b", text)]
    oracle_typedefs = [t for t in decls.typedefs if t not in missing_typedefs]

    def measure(stem: str, prelude: str, fields: dict[str, tuple[str, ...]],
                flags: Sequence[str], typedefs: Sequence[str]) -> Layout:
        probe = build_probe(decls, fields, typedefs)
        obj = compile_object(cc, probe.source(prelude, host_main=False), workdir, stem, flags)
        raw = read_coff_section(obj, SECTION, machine)
        values = struct.unpack(f"<{len(raw) // 8}Q", raw[: len(raw) // 8 * 8])
        return Layout(dict(fields), decode(values, probe.keys()))

    ours_fields = {n: s.fields for n, s in decls.structs.items()}
    oracle = measure(f"{target}-oracle", ORACLE_PRELUDE, oracle_fields, ORACLE_FLAGS,
                     oracle_typedefs)
    ours = measure(f"{target}-ours", OURS_PRELUDE, ours_fields, OURS_FLAGS, decls.typedefs)
    return TargetLayouts(target, ours, oracle, missing_structs, missing_typedefs)


def measure_host(decls: Declarations, workdir: Path, cc: str = HOST_CC) -> Layout:
    """Compile our header's probe with the host compiler and run it."""
    fields = {n: s.fields for n, s in decls.structs.items()}
    probe = build_probe(decls, fields, decls.typedefs)
    c_file = workdir / "host-ours.c"
    exe = workdir / "host-ours"
    c_file.write_text(probe.source(OURS_PRELUDE, host_main=True), encoding="utf-8")
    _run([cc, *OURS_FLAGS, str(c_file), "-o", str(exe)], "compiling the host probe")
    out = _run([str(exe)], "running the host probe")
    return Layout(fields, decode([int(v) for v in out.split()], probe.keys()))


@dataclass(frozen=True)
class Mismatch:
    where: str  # "STRUCT", "STRUCT.field", "typedef T" or "#define NAME"
    what: str  # "size", "offset", "field list", ...
    ours: object
    oracle: object

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: ours={self.ours} oracle={self.oracle}"


def _kind(code: int) -> str:
    return "float" if code == _REAL_TYPE_CLASS else "non-float"


def _container_kind(code: int) -> str:
    return {_RECORD_TYPE_CLASS: "struct", _UNION_TYPE_CLASS: "union"}.get(code, f"class {code}")


def compare_struct(
    name: str, ours: Layout, oracle: Layout, align_exempt: frozenset[str] = ALIGNMENT_EXEMPT
) -> list[Mismatch]:
    """Every difference in one struct between two layouts (field list first)."""
    if name not in oracle.structs:
        return [Mismatch(name, "struct", "declared", "absent")]
    out: list[Mismatch] = []
    mine, theirs = ours.structs[name], oracle.structs[name]
    if mine != theirs:
        extra = [p for p in mine if p not in theirs]
        lacking = [p for p in theirs if p not in mine]
        at = next((i for i, (m, t) in enumerate(zip(mine, theirs, strict=False)) if m != t),
                  min(len(mine), len(theirs)))
        out.append(Mismatch(name, f"field list ({len(mine)} vs {len(theirs)} members), "
                                  f"first difference at member #{at}",
                            mine[at] if at < len(mine) else "(end)",
                            theirs[at] if at < len(theirs) else "(end)"))
        out += [Mismatch(f"{name}.{p}", "field", "present", "absent") for p in extra]
        out += [Mismatch(f"{name}.{p}", "field", "absent", "present") for p in lacking]
    if ours.size(name) != oracle.size(name):
        out.append(Mismatch(name, "sizeof", ours.size(name), oracle.size(name)))
    a_ours, a_oracle = ours.values[("align", name)], oracle.values[("align", name)]
    if a_ours != a_oracle and name not in align_exempt:
        out.append(Mismatch(name, "alignof", a_ours, a_oracle))
    containers = frozenset(p.rsplit(".", 1)[0] for p in theirs if "." in p)
    for path in (p for p in mine if p in theirs):
        where = f"{name}.{path}"
        for what, key in (("offsetof", "offset"), ("sizeof", "fsize")):
            mv, ov = ours.values[(key, name, path)], oracle.values[(key, name, path)]
            if mv != ov:
                out.append(Mismatch(where, what, mv, ov))
        mc, oc = ours.values[("class", name, path)], oracle.values[("class", name, path)]
        if path in containers:
            if _container_kind(mc) != _container_kind(oc):
                out.append(Mismatch(where, "aggregate kind", _container_kind(mc),
                                    _container_kind(oc)))
        elif _kind(mc) != _kind(oc):
            out.append(Mismatch(where, "type class", _kind(mc), _kind(oc)))
    return out


def compare_typedefs(tl: TargetLayouts, decls: Declarations) -> list[Mismatch]:
    out = [Mismatch(f"typedef {t}", "typedef", "declared", "absent") for t in tl.missing_typedefs]
    for name in decls.typedefs:
        if name in tl.missing_typedefs:
            continue
        mv, ov = tl.ours.values[("tsize", name)], tl.oracle.values[("tsize", name)]
        if mv != ov:
            out.append(Mismatch(f"typedef {name}", "sizeof", mv, ov))
    return out


def compare_constants(tl: TargetLayouts, decls: Declarations) -> tuple[list[Mismatch], list[str]]:
    """Constant mismatches, and our constants the oracle does not define."""
    out: list[Mismatch] = []
    not_in_oracle: list[str] = []
    for name, literal in decls.constants.items():
        mine = tl.ours.constant(name)
        theirs = tl.oracle.constant(name)
        if mine is None or mine != literal & 0xFFFFFFFF:
            out.append(Mismatch(f"#define {name}", "compiled value vs literal", mine, literal))
        if theirs is None:
            not_in_oracle.append(name)
        elif mine != theirs:
            out.append(Mismatch(f"#define {name}", "value (u32)", _hex(mine), _hex(theirs)))
    return out, not_in_oracle


def compare_target(tl: TargetLayouts, decls: Declarations) -> list[Mismatch]:
    out: list[Mismatch] = []
    for name in decls.structs:
        out += compare_struct(name, tl.ours, tl.oracle)
    out += compare_typedefs(tl, decls)
    out += compare_constants(tl, decls)[0]
    return out


def _hex(value: int | None) -> str:
    return "undefined" if value is None else f"{value:#010x}"


# ---------------------------------------------------------------------------
# cffi
# ---------------------------------------------------------------------------


def _cffi_walk(
    ffi: Any, ctype: Any, name: str, prefix: str, base: int,
    values: dict[Key, int], paths: list[str],
) -> None:
    for fname, fld in ctype.fields or ():
        path = prefix + fname
        paths.append(path)
        values[("offset", name, path)] = base + fld.offset
        values[("fsize", name, path)] = ffi.sizeof(fld.type)
        kind = fld.type.kind
        if kind == "struct":
            code = _RECORD_TYPE_CLASS
        elif kind == "union":
            code = _UNION_TYPE_CLASS
        elif kind == "primitive" and fld.type.cname in ("float", "double"):
            code = _REAL_TYPE_CLASS
        else:
            code = 1  # integer_type_class: only float/non-float is compared
        values[("class", name, path)] = code
        # Recurse into members defined in place ("struct $2"), as the C side
        # does, not into named types such as GUID.
        if kind in ("struct", "union") and "$" in fld.type.cname:
            _cffi_walk(ffi, fld.type, name, path + ".", base + fld.offset, values, paths)


def cffi_layout(ffi: Any, decls: Declarations) -> Layout:
    """The layout cffi computed for our declarations, keyed like a probe."""
    values: dict[Key, int] = {}
    structs: dict[str, tuple[str, ...]] = {}
    for name in decls.structs:
        ctype = ffi.typeof(name)
        values[("size", name)] = ffi.sizeof(ctype)
        values[("align", name)] = ffi.alignof(ctype)
        paths: list[str] = []
        _cffi_walk(ffi, ctype, name, "", 0, values, paths)
        structs[name] = tuple(paths)
    for tname in decls.typedefs:
        values[("tsize", tname)] = ffi.sizeof(tname)
    return Layout(structs, values)


def compare_cffi_constants(lib: Any, host: Layout, decls: Declarations) -> list[Mismatch]:
    out: list[Mismatch] = []
    for name, literal in decls.constants.items():
        try:
            value: int | None = int(getattr(lib, name))
        except AttributeError:
            value = None
        compiled = host.constant(name)
        if value is None or value & 0xFFFFFFFF != compiled or value != literal:
            out.append(Mismatch(f"#define {name}", "lib value (ours) vs host C (oracle)",
                                _hex(value), f"{_hex(compiled)} (literal in header {literal:#x})"))
    return out


def compare_cffi_typedefs(ffi: Any, host: Layout, decls: Declarations) -> list[Mismatch]:
    mine = cffi_layout(ffi, decls)
    out: list[Mismatch] = []
    for tname in decls.typedefs:
        if mine.values[("tsize", tname)] != host.values[("tsize", tname)]:
            out.append(Mismatch(f"typedef {tname}", "sizeof", mine.values[("tsize", tname)],
                                host.values[("tsize", tname)]))
    return out


def compare_cffi(ffi: Any, lib: Any, host: Layout, decls: Declarations) -> list[Mismatch]:
    """Differences between cffi (as "ours") and the host C compiler (as "oracle")."""
    mine = cffi_layout(ffi, decls)
    out: list[Mismatch] = []
    for name in decls.structs:
        out += compare_struct(name, mine, host, align_exempt=frozenset())
    out += compare_cffi_typedefs(ffi, host, decls)
    out += compare_cffi_constants(lib, host, decls)
    return out


# ---------------------------------------------------------------------------
# Report (script mode)
# ---------------------------------------------------------------------------


def _report_target(tl: TargetLayouts, decls: Declarations) -> int:
    print(f"== {tl.target}: ours (include/pytapi2_tapi.h) vs oracle (<windows.h> + <tapi.h>)")
    failures = 0
    for name in decls.structs:
        problems = compare_struct(name, tl.ours, tl.oracle)
        failures += len(problems)
        n_fields = len(decls.structs[name].fields)
        if name in tl.oracle.structs:
            size = f"size {tl.ours.size(name)}/{tl.oracle.size(name)}"
            align = f"align {tl.ours.values[('align', name)]}/{tl.oracle.values[('align', name)]}"
        else:
            size = align = "-"
        status = "OK" if not problems else "FAIL"
        print(f"  {status:4} {name:24} {size:14} {align:10} {n_fields:2} fields")
        for p in problems:
            print(f"         {p}")
    typedef_problems = compare_typedefs(tl, decls)
    failures += len(typedef_problems)
    print(f"  typedefs: {len(decls.typedefs)} checked, {len(typedef_problems)} mismatches")
    for p in typedef_problems:
        print(f"         {p}")
    const_problems, absent = compare_constants(tl, decls)
    failures += len(const_problems)
    checked = len(decls.constants) - len(absent)
    print(f"  constants: {checked} compared with the oracle, {len(const_problems)} mismatches")
    for p in const_problems:
        print(f"         {p}")
    if absent:
        print(f"  constants not in oracle (ours only, not compared): {', '.join(absent)}")
    notes = [n for n in ALIGNMENT_EXEMPT if n in tl.oracle.structs
             and tl.ours.values[("align", n)] != tl.oracle.values[("align", n)]]
    for n in notes:
        print(f"  note: alignof({n}) ours={tl.ours.values[('align', n)]} "
              f"oracle={tl.oracle.values[('align', n)]} (exempt: see module doc)")
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--target", action="append", choices=TARGETS,
                        help="mingw target(s) to check (default: all)")
    parser.add_argument("--no-host", action="store_true", help="skip the host/cffi check")
    args = parser.parse_args(argv)
    decls = parse_declarations()
    print(f"{TYPES_H.relative_to(ROOT)}: {len(decls.structs)} structs, "
          f"{sum(len(s.fields) for s in decls.structs.values())} fields, "
          f"{len(decls.typedefs)} typedefs, {len(decls.constants)} constants")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="pytapi2-layout-") as tmp:
        for target in args.target or TARGETS:
            if not have_compiler(compiler_for(target)):
                print(f"== {target}: SKIPPED, {compiler_for(target)} not found")
                failures += 1 if os.environ.get("CI") else 0
                continue
            try:
                tl = measure_target(target, decls, Path(tmp))
            except ProbeError as exc:
                print(f"== {target}: ERROR {exc}")
                failures += 1
                continue
            failures += _report_target(tl, decls)
        if not args.no_host:
            print(f"== host ({HOST_CC}) vs cffi (pytapi2._native.ffi)")
            try:
                host = measure_host(decls, Path(tmp))
                sys.path.insert(0, str(ROOT))
                from pytapi2._native import ffi, lib

                problems = compare_cffi(ffi, lib, host, decls)
            except (ProbeError, ImportError) as exc:
                print(f"  ERROR {exc}")
                failures += 1
            else:
                failures += len(problems)
                print(f"  {len(decls.structs)} structs, {len(decls.typedefs)} typedefs, "
                      f"{len(decls.constants)} constants: {len(problems)} mismatches")
                for p in problems:
                    print(f"         {p}")
    print("RESULT:", "PASS" if failures == 0 else f"FAIL ({failures} problems)")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
