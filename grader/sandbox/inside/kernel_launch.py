"""Start a notebook kernel inside the sandbox (used under autograde by grader/sandbox/kernel.py).

    python -I kernel_launch.py PUBLIC_ROOT -f CONNECTION_FILE [confine options]

Applies the resource limits and drops to the unprivileged uid (grader/sandbox/inside/confine.py), puts the public
grader (no hidden checks, no instructor tools, no reference solutions) first on sys.path, then runs
ipykernel. Imports only the standard library and pyzmq before the kernel starts.
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
    import zmq

    # Large messages (a figure's PNG) are sent zero-copy by default, which starts pyzmq's garbage
    # collector thread on first use. A notebook that has used up its process limit (a fork flood)
    # could then no longer send any output; copying every message needs no thread.
    zmq.COPY_THRESHOLD = (1 << 31) - 1  # the largest value pyzmq accepts
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main(sys.argv[1:])
