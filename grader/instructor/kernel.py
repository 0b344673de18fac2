"""The notebook kernel under autograde runs in the sandbox (configured in the course's nbgrader_config.py).

nbgrader executes each submitted notebook in a kernel, and everything in it is student code: the
notebook's cells and the student's modules they import. SandboxedKernelManager starts that kernel
through bubblewrap (grader/sandbox.py) with the same isolation as the check worker:

* visible: the Python installation (read-only), the public grader and data loaders (read-only, the
  course's kernel/ folder: no hidden checks, no instructor tools, no reference solutions), the
  notebook's own autograded folder (read-write) and a private folder for the kernel's sockets;
* not visible: the course (source/, nbgrader_config.py, the gradebook, other students), the
  instructor's repository, the network;
* limits on CPU, memory, processes and file size; killing the kernel ends every process it started.

The kernel talks to nbgrader over ZeroMQ IPC sockets in that private folder (the sandbox has no
network, so TCP on localhost is not shared). Grades never come from the kernel: the TrustedScores
preprocessor (grader/instructor/trusted.py) replaces the test cells' outputs afterwards.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode

from ..sandbox import BOX_CODE, Limits, bwrap_args, clean_env, confine_options, isolation, sandbox_uid, worker_code

PUBLIC = "/trainlab/public"  # where the public grader appears inside the sandbox
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
        self.transport = "ipc"
        self.ip = str(self._ipc / "kernel")
        self.connection_file = str(self._ipc / "connection.json")
        self._cwd = None

    async def _async_pre_start_kernel(self, **kw):
        self._cwd = str(Path(kw.get("cwd") or os.getcwd()).resolve())
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
            os.chown(self._cwd, uid, -1)
        ro = [(self._code, BOX_CODE), (public, PUBLIC)]
        data = os.environ.get("TRAINLAB_DATA")
        if data and Path(data).is_dir():
            ro.append((Path(data).resolve(), Path(data).resolve()))
        rw = [(self._cwd, self._cwd), (self._ipc, self._ipc)]
        launch = [sys.executable, "-I", f"{BOX_CODE}/kernel_launch.py", PUBLIC, *kernel_args,
                  *confine_options(KERNEL_LIMITS, uid)]
        return bwrap_args(KERNEL_LIMITS, ro=ro, rw=rw, chdir=self._cwd, env=kernel_env()) + launch

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self._box, ignore_errors=True)
