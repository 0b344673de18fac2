"""`python -m grader.heldout [ROOT]`: rebuild fashion_mnist_heldout.npz from the full Fashion-MNIST files."""
import sys

from . import build_heldout

if __name__ == "__main__":
    print(build_heldout(sys.argv[1] if len(sys.argv) > 1 else None))
