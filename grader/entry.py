"""Finding the program among a submission's files by what each file does, not by its name."""

from __future__ import annotations

import ast
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.untrusted import read_text

# Calls that mark a file's part: a server binds and listens, a client connects or sends.
TCP_SERVER_CALLS = frozenset(
    {"listen", "accept", "serve_forever", "create_server", "start_server", "TCPServer",
     "ThreadingTCPServer", "ForkingTCPServer", "HTTPServer", "ThreadingHTTPServer"}
)
UDP_SERVER_CALLS = frozenset({"UDPServer", "ThreadingUDPServer", "ForkingUDPServer"})
CLIENT_CALLS = frozenset(
    {"connect", "connect_ex", "create_connection", "open_connection", "SMTP", "SMTP_SSL",
     "HTTPConnection", "urlopen", "sendto"}
)
CONCURRENCY_CALLS = frozenset(
    {"Thread", "start_new_thread", "fork", "select", "poll", "epoll", "DefaultSelector",
     "ThreadPoolExecutor", "ThreadingMixIn", "ForkingMixIn", "ThreadingTCPServer",
     "ThreadingHTTPServer", "ThreadingUDPServer", "ForkingTCPServer", "pthread_create"}
)
# Source and data files that a Makefile does not build (the executable it built is none of them).
NOT_PROGRAMS = frozenset({".c", ".h", ".py", ".sh", ".txt", ".md", ".o", ".html", ".mk"})

# Python 3.11's parser keeps a recursion counter that concurrent parses corrupt ("AST constructor
# recursion depth mismatch", CPython gh-106905): one parse at a time, so that threads grading
# submissions side by side read every file alike.
_PARSING = threading.Lock()
_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_C_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_C_MAIN = re.compile(r"^[ \t]*(?:int|void)\s+main\s*\(", re.MULTILINE)
_PY_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w., \t]+))", re.M)
_GETOPT = re.compile(r"getopt(?:_long)?\s*\([^\"]*\"([^\"]*)\"")
_PY_ARG = re.compile(r"add_argument\s*\(\s*((?:[\"'][^\"']+[\"']\s*,?\s*)+)")


@dataclass(frozen=True)
class SourceFile:
    """What one source file does, as far as its text shows."""

    path: str
    calls: frozenset[str]  # names called (functions and methods)
    runnable: bool  # it does something when run: a __main__ guard, top-level code, or main()
    imports: frozenset[str] = frozenset()  # local files it imports (Python)


@dataclass(frozen=True)
class EntryChoice:
    """The program to run, or why none could be chosen.

    ``path`` is the file run (Python) or the unit holding main (C); ``sources`` the C units of
    the gcc line; ``options`` the command-line options the program reads its port (and host)
    from, e.g. {"port": "-p"}; ``ambiguity`` one line naming the candidates.
    """

    path: str | None
    reason: str = ""
    sources: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    ambiguity: str | None = None


def _py_calls(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.add(func.attr)
            elif isinstance(func, ast.Name):
                names.add(func.id)
        elif isinstance(node, ast.ClassDef):  # class Handler(socketserver.ThreadingMixIn, ...)
            for base in node.bases:
                names.add(base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", ""))
    return names


def _is_main_guard(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and "__name__" in ast.dump(node.test)
        and "__main__" in ast.dump(node.test)
    )


def _does_something(tree: ast.Module) -> bool:
    """Whether running the module does more than define things: a guard or top-level code."""
    inert = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in tree.body:
        if _is_main_guard(node):
            return True
        if isinstance(node, inert):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        if isinstance(node, ast.Assign | ast.AnnAssign) and not any(
            isinstance(n, ast.Call) for n in ast.walk(node)
        ):
            continue  # a constant: PORT = 6789
        return True
    return False


def _py_imports(tree: ast.Module | None, text: str) -> set[str]:
    """Module names imported, relative ones with their leading dots."""
    if tree is None:
        found = set()
        for match in _PY_IMPORT.finditer(text):
            if match[1]:
                found.add(match[1])
            else:
                found.update(part.split()[0] for part in match[2].split(",") if part.strip())
        return found
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            modules.add(base)
            modules.update(f"{base}.{alias.name}" if node.module else base + alias.name
                           for alias in node.names)
    return modules


def _resolve(module: str, importer: str, files: set[str]) -> set[str]:
    """The submission's files a module name refers to (from the importer's folder or the root)."""
    level = len(module) - len(module.lstrip("."))
    parts = module.lstrip(".").split(".") if module.strip(".") else []
    folder = PurePosixPath(importer).parent
    bases = [folder] if level else [folder, PurePosixPath(".")]
    for _ in range(max(level - 1, 0)):
        bases = [b.parent for b in bases]
    found: set[str] = set()
    for base in bases:
        stem = base.joinpath(*parts) if parts else base
        for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
            normal = PurePosixPath(candidate).as_posix().removeprefix("./")
            if normal in files:
                found.add(normal)
    return found


def analyse_python(root: Path, files: tuple[str, ...]) -> dict[str, SourceFile]:
    """Every .py file: its calls, whether it runs, the local files it imports."""
    paths = {f for f in files if f.endswith(".py")}
    found: dict[str, SourceFile] = {}
    for rel in sorted(paths):
        text = read_text(root / rel)
        try:
            with _PARSING:
                tree: ast.Module | None = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None  # Python 2, or a mistake: read the words, and run it to show the error
        calls = _py_calls(tree) if tree is not None else set(_CALL.findall(text))
        runnable = tree is None or _does_something(tree)
        imports = {
            f for module in _py_imports(tree, text) for f in _resolve(module, rel, paths)
        } - {rel}
        found[rel] = SourceFile(rel, frozenset(calls), runnable, frozenset(imports))
    return found


def analyse_c(root: Path, files: tuple[str, ...]) -> dict[str, SourceFile]:
    """Every .c file: its calls, and whether it defines main (``runnable``)."""
    found: dict[str, SourceFile] = {}
    for rel in sorted(f for f in files if f.endswith(".c")):
        text = _C_COMMENT.sub(" ", read_text(root / rel))
        found[rel] = SourceFile(rel, frozenset(_CALL.findall(text)), bool(_C_MAIN.search(text)))
    return found


def _with_imports(source: SourceFile, every: dict[str, SourceFile]) -> frozenset[str]:
    """The calls of a file and of the local modules it imports, transitively."""
    calls, seen, todo = set(source.calls), {source.path}, list(source.imports)
    while todo:
        rel = todo.pop()
        if rel in seen or rel not in every:
            continue
        seen.add(rel)
        calls |= every[rel].calls
        todo += every[rel].imports
    return frozenset(calls)


def _part(calls: frozenset[str], role: str, transport: str) -> str | None:
    """What the calls show the file to be, in words, if it plays the role; None otherwise."""
    if role == "server":
        if transport == "udp":
            udp = "bind" in calls or calls & UDP_SERVER_CALLS
            return "it binds a UDP port" if udp else None
        if not calls & TCP_SERVER_CALLS:
            return None
        return "it binds and listens" if "bind" in calls else "it listens"
    if calls & TCP_SERVER_CALLS or (transport == "udp" and "bind" in calls):
        return None  # a server, not the client
    if transport == "udp" and "sendto" in calls:
        return "it sends datagrams (sendto)"
    return "it connects" if calls & (CLIENT_CALLS - {"sendto"}) else None


def _unmatched(
    candidates: dict[str, SourceFile], role: str, named: str, kind: str
) -> tuple[str | None, str, str | None]:
    """_choose when no file shows the role: the only candidate, else an ambiguity."""
    if len(candidates) == 1:
        (rel,) = candidates
        return rel, f"it is the only {kind}", None
    if not candidates:
        return None, "", None
    shows = "binds and listens" if role == "server" else "connects or sends"
    return None, "", (
        f"cannot tell which file is the {role}: none of {', '.join(sorted(candidates))} "
        f"shows it ({shows}); name the one to grade {named}"
    )


def _choose(
    candidates: dict[str, SourceFile],
    every: dict[str, SourceFile],
    role: str,
    transport: str,
    named: str,
    kind: str,
) -> tuple[str | None, str, str | None]:
    """(the file, why, ambiguity) among runnable files; kind names what they are for messages."""
    # a file's own calls first: a client importing the module it shares with the server is
    # no server; then with the modules it imports (a script whose server is in a helper)
    parts = {
        rel: part
        for rel, f in candidates.items()
        if (part := _part(f.calls, role, transport)) is not None
    } or {
        rel: part
        for rel, f in candidates.items()
        if (part := _part(_with_imports(f, every), role, transport)) is not None
    }
    if named in candidates and (named in parts or len(parts) != 1):
        return named, "", None  # named as the handout says
    # a module another candidate imports is that one's helper, not the program
    imported = {i for rel in parts for i in candidates[rel].imports}
    matches = {rel: part for rel, part in parts.items() if rel not in imported} or parts
    if len(matches) == 1:
        ((rel, part),) = matches.items()
        return rel, f"{part}", None
    if not matches:
        return _unmatched(candidates, role, named, kind)
    concurrent = [rel for rel in matches if _with_imports(every[rel], every) & CONCURRENCY_CALLS]
    if len(concurrent) == 1:
        rel = concurrent[0]
        others = ", ".join(sorted(set(matches) - {rel}))
        return rel, f"{matches[rel]} and serves clients concurrently ({others} does not)", None
    return None, "", (
        f"cannot tell which file is the {role}: {_names(matches)}; keep one, or name the one "
        f"to grade {named}"
    )


def _names(parts: dict[str, str]) -> str:
    """'a.py (binds and listens), b.py (binds and listens)'."""
    return ", ".join(f"{rel} ({parts[rel].removeprefix('it ')})" for rel in sorted(parts))


def _options(text: str) -> dict[str, str]:
    """The options a program reads its port and host from (-p PORT), from argparse or getopt."""
    found: dict[str, str] = {}
    for match in _PY_ARG.finditer(text):
        flags = re.findall(r"[\"']([^\"']+)[\"']", match[1])
        if not all(f.startswith("-") for f in flags):
            continue  # a positional argument: the port comes as one, as the handout says
        joined = " ".join(flags).lower()
        what = (
            "port" if "port" in joined or "-p" in flags
            else "host" if any(word in joined for word in ("host", "server", "addr"))
            else None
        )
        if what is not None and what not in found:
            found[what] = min(flags, key=len)
    for match in _GETOPT.finditer(text):
        letters = match[1]
        if "p:" in letters and "port" not in found:
            found["port"] = "-p"
        if "h:" in letters and "host" not in found:
            found["host"] = "-h"
    return found


def find_python_entry(
    root: Path, files: tuple[str, ...], role: str, transport: str, named: str
) -> EntryChoice:
    """The .py file to run: the one named as the handout says, else the one that plays the
    role (a server binds and listens, a client connects or sends), a helper never."""
    every = analyse_python(root, files)
    runnable = {rel: f for rel, f in every.items() if f.runnable or rel == named}
    rel, reason, ambiguity = _choose(runnable, every, role, transport, named, "Python program")
    if rel is None:
        return EntryChoice(None, ambiguity=ambiguity)
    text = read_text(root / rel)
    return EntryChoice(rel, reason, options=_options(text))


def find_c_entry(
    root: Path, files: tuple[str, ...], role: str, transport: str, named: str
) -> EntryChoice:
    """The C units that make one program: the unit whose main plays the role, and every unit
    without a main; the other mains are left out of the gcc line."""
    every = analyse_c(root, files)
    mains = {rel: f for rel, f in every.items() if f.runnable}
    helpers = tuple(rel for rel, f in every.items() if not f.runnable)
    if len(mains) <= 1:
        only = next(iter(mains), None)
        text = read_text(root / only) if only else ""
        return EntryChoice(None, sources=tuple(every), options=_options(text))
    rel, reason, ambiguity = _choose(mains, every, role, transport, f"{named}.c", "main")
    if rel == f"{named}.c" and not reason:
        reason = "it is named as the handout says"
    if rel is None:
        return EntryChoice(None, ambiguity=ambiguity and ambiguity.replace(" file ", " main "))
    left_out = ", ".join(sorted(set(mains) - {rel}))
    reason = (
        f"{reason}; {left_out} (with a main of its own) "
        "left out of the gcc line"
    )
    text = read_text(root / rel)
    return EntryChoice(
        rel, reason, sources=tuple(sorted((rel, *helpers))), options=_options(text)
    )


def built_executable(
    found: list[tuple[str, float]], role: str
) -> str | None:
    """The executable a Makefile built, from (path, mtime) of the executable files after the
    build: the only one whose name says the role, else the newest."""
    programs = [(rel, t) for rel, t in found if PurePosixPath(rel).suffix not in NOT_PROGRAMS]
    if not programs:
        return None
    named = [rel for rel, _ in programs if role in PurePosixPath(rel).name.lower()]
    if len(named) == 1:
        return named[0]
    return max(programs, key=lambda item: (item[1], item[0]))[0]


def executables(root: Path) -> list[tuple[str, float]]:
    """(path, mtime) of every executable regular file under root, for built_executable."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_mode & 0o111:
            found.append((path.relative_to(root).as_posix(), path.stat().st_mtime))
    return found


def makefile_note(entry: str, program: str) -> str:
    """The report's sentence when the Makefile made another executable than the handout's."""
    return (
        f"the Makefile made no executable named {entry}; {program}, the executable it built, "
        "was run"
    )
