"""Command line: `python -m trainlab_datasets {fetch,info}`.

    python -m trainlab_datasets fetch [--dest DIR] [--force]   download + verify + unpack CIFAR-10
    python -m trainlab_datasets info [--root DIR]              which data set load_dataset() uses
    python -m trainlab_datasets build-subset [--root DIR]      rebuild the embedded Fashion-MNIST subset
"""
import argparse
import sys

from . import AUTO_FALLBACK_NAME
from .fashion_mnist import SUBSET_FILE, build_subset, find_fashion_mnist
from .cifar10 import (CIFAR10_MD5, CIFAR10_URL, DEFAULT_DATA_DIR, ENV_VAR, cifar10_folder,
                      fetch_cifar10, find_cifar10)
from .errors import DatasetError

BYTES_PER_MB = 1 << 20


def _print_progress(done, total):
    """Overwrite one stderr line with the download progress."""
    of_total = f" of {total / BYTES_PER_MB:.0f} MB" if total else " MB"
    print(f"\r  {done / BYTES_PER_MB:.0f}{of_total}", end="", file=sys.stderr, flush=True)


def fetch(args):
    dest = args.dest or DEFAULT_DATA_DIR
    print(f"Fetching CIFAR-10 from {args.url} into {dest} ...", file=sys.stderr)
    progress = None if args.quiet else _print_progress
    try:
        folder = fetch_cifar10(dest, url=args.url, md5=args.md5, force=args.force,
                               progress=progress)
    finally:
        if progress is not None:
            print(file=sys.stderr)  # end the progress line
    print(f"CIFAR-10 is ready at {folder}")
    if args.dest is not None:
        print(f"load_dataset() finds it with root='{folder.parent}' or {ENV_VAR}={folder.parent}")
    return 0


def info(args):
    folder = find_cifar10(args.root)
    if folder is None:
        print(f"No CIFAR-10 at {cifar10_folder(args.root)}: load_dataset() uses the {AUTO_FALLBACK_NAME}.")
    else:
        print(f"load_dataset() uses CIFAR-10 at {folder}.")
    fashion = find_fashion_mnist(args.root)
    print(f"The full Fashion-MNIST (load_dataset('fashion_mnist')): "
          f"{fashion if fashion else 'not found'}.")
    return 0


def subset(args):
    path = build_subset(args.root, args.out)
    print(f"Wrote {path} from the full Fashion-MNIST.")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m trainlab_datasets",
                                     description="Get and inspect the trainlab data sets.")
    commands = parser.add_subparsers(dest="command", required=True)
    p_fetch = commands.add_parser("fetch", help="download, verify and unpack CIFAR-10")
    p_fetch.add_argument("--dest", help=f"directory to unpack into (default: {DEFAULT_DATA_DIR})")
    p_fetch.add_argument("--force", action="store_true", help="replace an existing folder")
    p_fetch.add_argument("--quiet", action="store_true", help="no progress output")
    p_fetch.add_argument("--url", default=CIFAR10_URL, help="archive URL (default: official)")
    p_fetch.add_argument("--md5", default=CIFAR10_MD5, help="expected md5 of the archive")
    p_fetch.set_defaults(run=fetch)
    p_info = commands.add_parser("info", help="show which data set load_dataset() would load")
    p_info.add_argument("--root", help=f"where to look (default: ${ENV_VAR}, else "
                                       f"{DEFAULT_DATA_DIR})")
    p_info.set_defaults(run=info)
    p_subset = commands.add_parser("build-subset", help="rebuild the embedded Fashion-MNIST subset from the "
                                                         "full IDX files")
    p_subset.add_argument("--root", help="where the IDX files are (default: the usual places)")
    p_subset.add_argument("--out", default=SUBSET_FILE, help=f"output file (default: {SUBSET_FILE})")
    p_subset.set_defaults(run=subset)
    return parser


def main(argv=None):
    """Run one command; errors are printed as one sentence and give exit status 1."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
