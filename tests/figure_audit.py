"""Every figure a notebook shows says what it shows: run inside the notebook's kernel by
tests/test_notebooks.py (installed by a cell the test puts first; the notebooks do not ship it).

The rule, for every Axes of a shown figure that holds data (lines, markers, bars, images, ...):

* it has a title, or the Axes it is a twin of has one, or an Axes above it in the same column of
  a subplot grid has one (a column title), or the figure has a suptitle;
* it has an x label and a y label; a label may come from an Axes that shares that axis with it
  (a twin, or `sharex`/`sharey` subplots), from another Axes in the same grid column (x) or row
  (y), where one label stands for the column or row as is usual in a grid of panels, or from the
  figure's supxlabel / supylabel.

Exempt: colorbars (their label is the colorbar's own), and Axes drawn without axes or ticks
(`ax.axis("off")`, or no tick on either axis): a picture (an image, a grid of weights) whose
position carries no value needs no axis label, though it still needs a title.

A figure that breaks the rule is reported on stdout as one line starting with MARKER, followed by
JSON, in the output of the cell that showed it.
"""
import json

MARKER = "FIGURE-AUDIT:"


def _grid(ax):
    """(rows, columns) ax spans in its figure's subplot grid, or None outside a grid."""
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    return (spec.rowspan, spec.colspan) if spec is not None else None


def _label(ax, axis):
    """The label of ax's x or y axis, or of an Axes sharing that axis with it or standing in the
    same grid column (x) or row (y), or ''."""
    def label(other):
        return other.get_xlabel() if axis == "x" else other.get_ylabel()

    group = ax.get_shared_x_axes() if axis == "x" else ax.get_shared_y_axes()
    others = list(group.get_siblings(ax))
    if _grid(ax) is not None:
        line = 1 if axis == "x" else 0  # x labels stand for a column, y labels for a row
        others += [other for other in ax.figure.axes  # a twin (same place) measures something else
                   if _grid(other) is not None and _grid(other)[line] == _grid(ax)[line]
                   and other.get_position().bounds != ax.get_position().bounds]
    return next((text for other in [ax] + others if (text := label(other))), "")


def _has_title(ax):
    """A title on ax, on an Axes it is a twin of (same position, shared x or y), or on an Axes
    above it in the same grid column."""
    twins = set(ax.get_shared_x_axes().get_siblings(ax)) | set(ax.get_shared_y_axes().get_siblings(ax))
    if any(other.get_title() and other.get_position().bounds == ax.get_position().bounds
           for other in twins | {ax}):
        return True
    grid = _grid(ax)
    return grid is not None and any(other.get_title() for other in ax.figure.axes if _grid(other) is not None
                                    and _grid(other)[1] == grid[1] and _grid(other)[0].start < grid[0].start)


def _exempt_from_labels(ax):
    return not ax.axison or (len(ax.get_xticks()) == 0 and len(ax.get_yticks()) == 0)


def _text(artist):
    """The text of a figure-level Text artist (suptitle, supxlabel), '' when there is none."""
    return artist.get_text() if artist is not None else ""


def problems(fig):
    """What the figure lacks: a list of "axes <i> (<title>): no x label" and the like."""
    has_suptitle = bool(_text(getattr(fig, "_suptitle", None)))
    sup = {axis: _text(getattr(fig, f"_sup{axis}label", None)) for axis in "xy"}
    found = []
    for i, ax in enumerate(fig.axes):
        if hasattr(ax, "_colorbar") or not ax.has_data():
            continue
        name = f"axes {i} ({ax.get_title() or 'untitled'})"
        if not (has_suptitle or _has_title(ax)):
            found.append(f"{name}: no title")
        if _exempt_from_labels(ax):
            continue
        for axis in "xy":
            if not (_label(ax, axis) or sup[axis]):
                found.append(f"{name}: no {axis} label")
    return found


def audit():
    """Report every open figure that breaks the rule (one MARKER line per figure)."""
    import matplotlib.pyplot as plt

    for number in plt.get_fignums():
        fig = plt.figure(number)
        found = problems(fig)
        if found:
            print(MARKER, json.dumps({"figure": _text(getattr(fig, "_suptitle", None)), "problems": found}))


def install(shell=None):
    """Audit the figures before the inline backend shows and closes them: before every
    `plt.show()`, and after every cell (a post_execute hook registered before the inline backend's
    own, so it runs first) for figures shown at the end of a cell."""
    import matplotlib.pyplot as plt

    shell = shell or get_ipython()  # noqa: F821 (IPython's builtin)
    show = plt.show

    def audited_show(*args, **kwargs):
        audit()
        return show(*args, **kwargs)

    plt.show = audited_show
    shell.events.register("post_execute", audit)
