"""Resource limits and the drop to an unprivileged uid, applied by a sandboxed process to itself.

Runs inside the sandbox (the worker and the notebook kernel launcher import it from the sandbox's
read-only code folder), so it imports only the standard library. Options come as command-line
pairs: --cpu SECONDS --memory BYTES --nproc N --fsize BYTES --nofile N --uid UID.
"""
import os
import resource

LIMITS = {"--cpu": resource.RLIMIT_CPU, "--memory": resource.RLIMIT_AS, "--nproc": resource.RLIMIT_NPROC,
          "--fsize": resource.RLIMIT_FSIZE, "--nofile": resource.RLIMIT_NOFILE}


def split_options(argv):
    """(leading positional arguments, {--flag: int}) from argv; options come after the positionals."""
    cut = next((i for i, a in enumerate(argv) if a in LIMITS or a == "--uid"), len(argv))
    rest = argv[cut:]
    return argv[:cut], {flag: int(value) for flag, value in zip(rest[::2], rest[1::2])}


def restrict(options) -> None:
    """Resource limits, then (when root) the unprivileged uid; call before any student code loads."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for flag, which in LIMITS.items():
        if flag in options:
            resource.setrlimit(which, (options[flag], options[flag]))
    uid = options.get("--uid")
    if uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
