"""The measurements behind the notebooks' quantitative sentences, as functions that return numbers.

One module per notebook (activations: 01, preprocessing: 02, initialization: 03, normalization: 04,
regularization: 05, optimizers: 06, babysitting: 07) and the shared training helper (training). A notebook calls one
of these for its figure and its printed numbers; tests/test_claims*.py call the same function over
several seeds and assert the direction and rough size of what the notebook says. So a sentence
that the data stops supporting fails a test instead of misleading a student. Nothing here is
graded: it is given code, like layers.py and solver.py.
"""
