"""Where student code runs: a bubblewrap box per submission, with limits and no network.

* host.py: the trusted side (starts the box, sends calls, reads bounded replies; SandboxRunner);
* kernel.py: the notebook kernel of nbgrader's autograde, started in the same box;
* inside/: exactly what runs inside the box (the folder is copied in whole): the worker, the
  wire format, the call seam shared with the in-process runner, the limits, the kernel launcher.
"""
