"""Start a notebook kernel inside the sandbox (used under autograde by grader/instructor/kernel.py).

    python -I kernel_launch.py PUBLIC_ROOT -f CONNECTION_FILE [confine options]

Applies the resource limits and drops to the unprivileged uid (grader/confine.py), puts the public
grader (no hidden checks, no instructor tools, no reference solutions) first on sys.path, then runs
ipykernel. Imports only the standard library before the kernel starts.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import confine  # noqa: E402


def main(argv) -> None:
    (public_root, *kernel_args), options = confine.split_options(argv)
    confine.restrict(options)
    sys.path.remove(HERE)
    sys.path.insert(0, public_root)
    sys.argv = [os.path.join(public_root, "ipykernel_launcher.py"), *kernel_args]  # the name ipykernel expects
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
