"""The figure rule of tests/figure_audit.py flags what it should and passes what it should, so a
notebook run that reports nothing means its figures are labelled."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tests.figure_audit import problems  # noqa: E402


def _labelled(ax, title="t"):
    ax.set_xlabel("x"), ax.set_ylabel("y"), ax.set_title(title)


def test_a_bare_plot_lacks_its_title_and_both_labels():
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    assert problems(fig) == ["axes 0 (untitled): no title", "axes 0 (untitled): no x label",
                             "axes 0 (untitled): no y label"]
    plt.close(fig)


def test_a_twin_needs_its_own_y_label_but_shares_x_and_title():
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    _labelled(ax)
    ax.twinx().plot([3, 4])
    assert problems(fig) == ["axes 1 (untitled): no y label"]
    plt.close(fig)


def test_a_grid_labels_rows_and_columns_once_and_titles_columns_at_the_top():
    fig, axes = plt.subplots(2, 2)
    for ax in axes.ravel():
        ax.plot([1, 2])
    axes[0, 0].set_title("a"), axes[0, 1].set_title("b")
    axes[1, 0].set_xlabel("x"), axes[1, 1].set_xlabel("x")
    axes[0, 0].set_ylabel("y"), axes[1, 0].set_ylabel("y")
    assert problems(fig) == []
    axes[0, 1].set_title("")
    assert problems(fig) == ["axes 1 (untitled): no title", "axes 3 (untitled): no title"]
    plt.close(fig)


def test_pictures_without_ticks_and_colorbars_need_only_a_title():
    fig, ax = plt.subplots()
    image = ax.imshow(np.eye(3))
    ax.set_xticks([]), ax.set_yticks([])
    fig.colorbar(image)
    assert problems(fig) == ["axes 0 (untitled): no title"]
    fig.suptitle("an image")
    assert problems(fig) == []
    plt.close(fig)
