# Runs a command as a child subreaper and times it for the fan-out measurement: usage reap.py END_FILE COMMAND...
# ssh's ControlMaster processes (ControlPersist) leave their parent and would escape GNU time's CPU count; as a
# subreaper this process inherits them, waits for them after the command has exited, and so its own rusage (which
# GNU time reads) holds theirs too. END_FILE gets the moment the command itself exited, on CLOCK_MONOTONIC in ns (the
# clock of .NET's Stopwatch on Linux): the tool's work is over then, whatever its leftovers still do.
import ctypes
import os
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
ORPHAN_WAIT_SECONDS = 20

if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("reap.py: prctl(PR_SET_CHILD_SUBREAPER) failed: " + os.strerror(ctypes.get_errno()))

code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as end:
    end.write(f"{time.monotonic_ns()}\n")

deadline = time.monotonic() + ORPHAN_WAIT_SECONDS
while time.monotonic() < deadline:
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        time.sleep(0.05)
else:
    print(f"reap.py: processes the command left behind still ran {ORPHAN_WAIT_SECONDS}s after it exited", file=sys.stderr)
    code = code or 125
sys.exit(code)
