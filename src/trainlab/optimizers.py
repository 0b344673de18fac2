"""optimizers (to be written)."""
import numpy as np
