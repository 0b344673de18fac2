"""initialization (to be written)."""
import numpy as np
