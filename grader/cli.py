"""The `trainlab` command.

    trainlab check [TOPIC ...] [--src DIR] [--hidden] [--sandbox] [--seed N] [--json]
    trainlab check --list [TOPIC ...]      (every check per function, its points, hidden or not)
    trainlab release --out DIR             (instructor side)
    trainlab fixtures                      (instructor side: rewrite the public fixtures)

Instructor commands exist only where grader/instructor/ is present (not in the student release).
Errors a person can meet are printed as one sentence, with exit status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .core.registry import TOPICS, hidden_available


def cmd_check(args) -> int:
    from .core.engine import run_checks
    from .core.errors import SubmissionError
    from .core.report import print_json, print_table

    if args.list:
        from .catalogue import select
        from .core.report import print_check_list

        print_check_list(select(args.topics or None, hidden=hidden_available()))
        return 0
    if args.src is not None and not Path(args.src).is_dir():
        raise SubmissionError(f"--src {args.src} is not a folder; point it at the folder that holds trainlab/.")
    if args.hidden and not hidden_available():
        raise SubmissionError("hidden checks are not part of this release; run without --hidden.")
    # The instructor's hidden checks always sandbox the submission; a student's self-check runs in
    # this process unless asked (they can only fool themselves), which keeps it fast and simple.
    results = run_checks(args.src, args.topics or None, hidden=args.hidden, seed=args.seed,
                         sandbox=args.sandbox or args.hidden)
    if args.json:
        print_json(results)
    else:
        print_table(results, show_passed=not args.failures_only, all_checks=args.all_checks)
    return 0 if results and all(r.passed for r in results) else 1


def add_check_parser(sub) -> None:
    p = sub.add_parser("check", help="run the checks on a trainlab package")
    p.add_argument("topics", nargs="*", metavar="TOPIC",
                   help=f"topics to check (default: all): {', '.join(TOPICS)}")
    p.add_argument("--src", default=None, help="folder that holds the trainlab package (default: the project's src/)")
    p.add_argument("--hidden", action="store_true", help="add the hidden checks (instructor side only)")
    p.add_argument("--seed", type=int, default=0, help="seed for random shapes and values (default 0)")
    p.add_argument("--sandbox", action="store_true",
                   help="run the student code in the grading sandbox, as at grading time (always on with --hidden)")
    p.add_argument("--json", action="store_true", help="print one JSON object per check")
    p.add_argument("--failures-only", action="store_true", help="list only functions (or checks) that did not pass")
    p.add_argument("--all-checks", action="store_true", help="one row per check instead of one per function")
    p.add_argument("--list", action="store_true",
                   help="list every check per function with its points (hidden ones too where they are present); run nothing")
    p.set_defaults(func=cmd_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trainlab", description="Training Neural Networks: checks and course tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_check_parser(sub)
    if (Path(__file__).resolve().parent / "instructor" / "commands.py").is_file():
        from .instructor.commands import add_instructor_parsers

        add_instructor_parsers(sub)
    return parser


def main(argv=None) -> int:
    from .core.errors import SubmissionError

    args = build_parser().parse_args(argv)
    topics = getattr(args, "topics", None) or []
    bad = [t for t in topics if t not in TOPICS]
    if bad:
        print(f"trainlab: unknown topic {bad[0]!r}; choose from {', '.join(TOPICS)}.", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (SubmissionError, FileNotFoundError, FileExistsError, NotADirectoryError, ValueError) as exc:
        print(f"trainlab: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
