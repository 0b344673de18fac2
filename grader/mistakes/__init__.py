"""Mistake discovery, instructor side: the class's wrong answers grouped, named and answered once.

Each graded function runs on one probe bank shared by the course (`probes.py`, chosen by
`library.py` so that every pair of catalogued mistakes gives different outputs somewhere); a
submission's outputs, compared with the reference and with every catalogued mistake, become its
fingerprint (`fingerprint.py`), stored as data in the course folder at grading. Students whose
fingerprints agree form a cluster (`clusters.py`), named by the catalogued mistake it matches or
shown with the probe that tells it apart; `page.py` writes the instructor's page and `notes.py`
brings an instructor's note on a cluster into the feedback of its members.

Grouping by outputs on a common battery of inputs follows Huang, Piech, Nguyen and Guibas (2013),
"Syntactic and functional variability of a million code submissions in a machine learning MOOC".
"""
