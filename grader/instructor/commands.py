"""Instructor sub-commands of `trainlab` (absent from the student release)."""
from __future__ import annotations

from ..runner import Runner, project_root


def cmd_release(args) -> int:
    from .release import build_release

    out = build_release(project_root(), args.out)
    print(f"student release written to {out}")
    return 0


def cmd_fixtures(args) -> int:
    from ..engine import reference_src
    from .make_fixtures import make_fixtures

    ref = reference_src()
    if ref is None:
        raise FileNotFoundError("the reference solutions are not here; run this in the instructor repository.")
    counts = make_fixtures(Runner(ref), topics=args.topics or None)
    print("fixtures written: " + ", ".join(f"{t} ({n} cases)" for t, n in sorted(counts.items())))
    return 0


def add_instructor_parsers(sub) -> None:
    p = sub.add_parser("release", help="write the student release (solutions stubbed, no hidden checks)")
    p.add_argument("--out", required=True, help="an empty or new folder")
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("fixtures", help="rewrite the public fixtures from the reference solutions")
    p.add_argument("topics", nargs="*", metavar="TOPIC", help="topics to rewrite (default: all)")
    p.set_defaults(func=cmd_fixtures)
