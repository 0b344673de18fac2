"""The offline default: real handwritten digits that ship inside the scikit-learn wheel.

`sklearn.datasets.load_digits` reads a file bundled with scikit-learn (no download): 1797
grayscale images of the digits 0..9, each 8x8 pixels, about 180 per class. They are the test
set of the UCI "Optical Recognition of Handwritten Digits" data (Alpaydin & Kaynak 1998), where
every pixel counts the inked cells of a 4x4 block of a 32x32 bitmap, so it lies in 0..16.

The images come back in the CIFAR-10 layout (N, channels, height, width) with one channel, and
with pixel values rescaled from 0..16 to 0..255, so that code written for CIFAR-10 (mean
subtraction, dividing by 255, weight-scale choices tuned on 0..255 inputs) behaves the same on
them.
"""
import numpy as np

DIGITS_MAX_VALUE = 16  # largest pixel value in the raw data
PIXEL_MAX_VALUE = 255  # the CIFAR-10 pixel range the images are rescaled to
IMAGE_SHAPE = (1, 8, 8)  # (channels, height, width)
CLASS_NAMES = [str(digit) for digit in range(10)]


def load_digits():
    """All 1797 digit images.

    Returns X float32 (1797, 1, 8, 8) with values (raw / 16) * 255 in 0..255 (17 distinct
    levels), y int64 (1797,) with labels 0..9, and class_names ['0', ..., '9'].
    """
    from sklearn.datasets import load_digits as sklearn_load_digits  # heavy import, only here

    bunch = sklearn_load_digits()
    images = bunch.images  # (N, 8, 8) float64 in 0..16
    X = (images * (PIXEL_MAX_VALUE / DIGITS_MAX_VALUE)).astype(np.float32)
    X = X.reshape((images.shape[0],) + IMAGE_SHAPE)
    y = bunch.target.astype(np.int64)
    return X, y, list(CLASS_NAMES)
