"""The notebook kernel under autograde runs in the sandbox (configured in the course's nbgrader_config.py).

nbgrader executes each submitted notebook in a kernel, and everything in it is student code: the
notebook's cells and the student's modules they import. SandboxedKernelManager starts that kernel
through bubblewrap (grader/sandbox/host.py) with the same isolation as the check worker:

* visible: the Python installation (read-only, with the records that name a development checkout
  blanked: sandbox.hidden_install_files), a copy of the public grader and data loaders (read-only,
  from the course's kernel/ folder: no hidden checks, no instructor tools, no reference
  solutions), a scratch copy of the notebook's autograded folder at WORK (read-write) and a private
  folder for the kernel's sockets;
* not visible: the course (source/, autograded/, nbgrader_config.py, the gradebook, other
  students), the instructor's repository, the network, and every host path of them: only copies
  in a temporary folder are mounted, so not even /proc/self/mountinfo names the course;
* limits on CPU, memory, processes and file size; killing the kernel ends every process it started.

Everything the kernel writes is hostile data. It writes only into its scratch copy; when the kernel
ends, `take_back` copies the files the trusted side needs (KEEP_FILES: the saved best model) into
the autograded folder as regular files, refusing links, devices and oversized files. nbgrader
writes the executed notebook itself, from the cells it received over the kernel protocol. So no
link or file the kernel made is ever followed, chmod-ed or copied into feedback by an instructor
process.

The kernel talks to nbgrader over ZeroMQ IPC sockets in that private folder (the sandbox has no
network, so TCP on localhost is not shared). Grades never come from the kernel: the TrustedScores
preprocessor (grader/instructor/trusted.py) replaces the test cells' outputs afterwards.
"""
from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

from ..challenge import BEST_MODEL_FILE
from .host import (BOX_CODE, Limits, bwrap_args, clean_env, confine_options, copy_submission_tree, isolation, sandbox_uid, worker_code)

PUBLIC = "/trainlab/public"  # where the public grader appears inside the sandbox
WORK = "/home/student/assignment"  # where the kernel's scratch copy of its folder appears inside the sandbox
KEEP_FILES = {BEST_MODEL_FILE: 256 << 20}  # what the trusted side takes back from the kernel, and its size bound
FOLDER_BYTES = 256 << 20  # the largest autograded folder copied for a kernel (the course's submission bound)
KERNEL_LIMITS = Limits(cpu_seconds=3600, memory_bytes=8 << 30, processes=256, file_bytes=256 << 20,
                       tmp_bytes=512 << 20, open_files=1024)


def kernel_env() -> dict:
    """The worker's scrubbed environment, plus what a notebook needs under autograde."""
    env = {**clean_env(), "MPLCONFIGDIR": "/tmp/matplotlib", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.update({key: os.environ[key] for key in ("NBGRADER_EXECUTION", "TRAINLAB_FAST", "TRAINLAB_DATA")
                if os.environ.get(key)})
    return env


class SandboxedKernelManager(AsyncKernelManager):
    public_root = Unicode("kernel", config=True,
                          help="Folder with the public grader and data loaders the kernel may import "
                               "(relative to the course folder); written by `trainlab course`.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._box = Path(tempfile.mkdtemp(prefix="trainlab-kernel-"))
        os.chmod(self._box, 0o755)
        self._ipc = self._box / "ipc"
        self._ipc.mkdir()
        os.chmod(self._ipc, 0o777)  # the kernel's unprivileged uid creates its sockets here
        self._code = worker_code(self._box / "code")
        self._work = self._box / "work"  # the kernel's scratch copy of its notebook's folder
        self.transport = "ipc"
        self.ip = str(self._ipc / "kernel")
        self.connection_file = str(self._ipc / "connection.json")
        self._origin = None  # the notebook's autograded folder: written by nbgrader and take_back only

    async def _async_pre_start_kernel(self, **kw):
        self._origin = Path(kw.get("cwd") or os.getcwd()).resolve()
        shutil.rmtree(self._work, ignore_errors=True)  # a restarted kernel starts from the submission again
        copy_submission_tree(self._origin, self._work, max_bytes=FOLDER_BYTES)
        kw["cwd"] = str(self._work)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        kernel_args = cmd[cmd.index("-f"):] if "-f" in cmd else ["-f", self.connection_file]
        os.chmod(self.connection_file, 0o644)  # readable by the kernel's uid; only this sandbox sees it
        public = Path(self.public_root).resolve()
        if not (public / "grader" / "notebook.py").is_file():
            raise FileNotFoundError(f"{public} holds no public grader; rebuild the course with `trainlab course`.")
        mode, _ = isolation()
        if mode != "bubblewrap":
            return [sys.executable, "-I", str(self._code / "kernel_launch.py"), str(public), *kernel_args,
                    *confine_options(KERNEL_LIMITS, None)]
        uid = sandbox_uid()
        if uid is not None:  # the notebook may write files (plots, the saved best model) next to itself
            os.chown(self._work, uid, -1)
        copy = self._box / "public"  # a copy: a bind of the course's own folder would name it in mountinfo
        if not copy.is_dir():
            shutil.copytree(public, copy)
        ro = [(self._code, BOX_CODE), (copy, PUBLIC)]
        data = os.environ.get("TRAINLAB_DATA")
        if data and Path(data).is_dir():
            ro.append((Path(data).resolve(), Path(data).resolve()))
        rw = [(self._work, WORK), (self._ipc, self._ipc)]
        launch = [sys.executable, "-I", f"{BOX_CODE}/kernel_launch.py", PUBLIC, *kernel_args,
                  *confine_options(KERNEL_LIMITS, uid)]
        return bwrap_args(KERNEL_LIMITS, ro=ro, rw=rw, chdir=WORK, env=kernel_env()) + launch

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            if self._origin is not None:
                take_back(self._work, self._origin)
            shutil.rmtree(self._box, ignore_errors=True)


def take_back(work: Path, origin: Path, keep: dict = KEEP_FILES) -> list[str]:
    """Copy the files named in `keep` from a kernel's scratch folder into `origin`; return their names.

    Each is opened without following links and taken only if it is a regular file within its size
    bound; it reaches `origin` through a fresh file renamed over the old name, so a link or file
    the kernel made is never written through, followed or given new permissions.
    """
    taken = []
    for name, max_bytes in keep.items():
        data = _read_regular(Path(work) / name, max_bytes)
        if data is None:
            continue
        fresh = Path(origin) / f".{name}.taken"
        fresh.unlink(missing_ok=True)
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(fresh, Path(origin) / name)
        taken.append(name)
    return taken


def _read_regular(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of a regular file of at most `max_bytes`, read without following a link; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, or a link (ELOOP)
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:  # a folder, pipe or device; too large
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes + 1)
    return data if len(data) <= max_bytes else None
